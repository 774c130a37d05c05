/**
 * `spcat` as a function: parse, set up one socket, run the role, close.
 * Everything outside (stdout, stderr, files, the socket library, time) is
 * passed in, so tests can run it in-process.
 *
 * @module
 */
import type { EndpointOptions } from "../reference/core/transport.ts";
import { ArgError, parseArgs, renderHelp } from "./args.ts";
import { buildCommand, type ConfigDeps, type Protocol, type RunConfig } from "./config.ts";
import { CliError, describeDialError, describeError, errorCode } from "./errors.ts";
import { nngUrlVerdict } from "./nng-url.ts";
import { optionTable } from "./options.ts";
import { type RoleIO, type RoleSocket, runRole } from "./roles.ts";

/** The part of a reference socket spcat uses (see CONTRACTS §5). */
export interface CliSocket extends RoleSocket {
  listen(url: string, options?: EndpointOptions): Promise<{ readonly url: string }>;
  dial(
    url: string,
    options?: EndpointOptions,
  ): { readonly url: string; readonly connected: Promise<void> };
  close(): Promise<void>;
  /** SUB only: adds a topic prefix. */
  subscribe?(topic: Uint8Array | string): void;
}

/** Everything spcat needs from outside. */
export interface CliEnv extends RoleIO, ConfigDeps {
  /** Writes a line of text to standard error. */
  error(line: string): void;
  /**
   * Opens a socket of `config.protocol`, set up for the run (TLS material
   * included); undefined when the library does not offer the protocol.
   */
  open(
    protocol: Protocol,
    config: RunConfig,
  ): Promise<CliSocket | undefined> | CliSocket | undefined;
  /** The version string `--version` prints. */
  version: string;
}

/** The `--help` text (printed on stdout; exit status 1, like nngcat). */
export function helpText(): string {
  return [
    "Usage: spcat <proto> <addr>... [<fmt>] [<opts>...] [<src>]",
    "",
    "Scalability Protocols from the command line (nngcat-compatible options).",
    "Long options may be shortened to any unambiguous prefix.",
    "",
    ...renderHelp(optionTable),
    "",
    "Durations are in seconds (fractions allowed). URLs: tcp://, ipc://, inproc://,",
    "ws://, wss://, tls+tcp://. Without --async, a dial that fails (refused, TLS",
    "verification) is fatal, as in nngcat.",
    "",
  ].join("\n");
}

function text(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}

const badAddress = new Set(["EINVAL", "EADDRINVAL", "ENOTSUP"]);

/** Applies the subscriptions, timeouts and size limit nngcat would set. */
function configure(sock: CliSocket, cfg: RunConfig): void {
  if (cfg.protocol === "sub0") {
    for (const topic of cfg.topics) {
      try {
        if (sock.subscribe === undefined) throw new Error("socket has no subscribe()");
        sock.subscribe(Buffer.from(topic, "utf8"));
      } catch (e) {
        throw new CliError(`Unable to subscribe to topic ${topic}: ${describeError(e)}`);
      }
    }
  }
  if (cfg.sendTimeoutMs > 0) sock.setOption("sendTimeout", cfg.sendTimeoutMs);
  if (cfg.recvTimeoutMs > 0) sock.setOption("recvTimeout", cfg.recvTimeoutMs);
  if (cfg.recvMaxSize !== undefined) {
    try {
      sock.setOption("recvMaxSize", cfg.recvMaxSize);
    } catch (e) {
      throw new CliError(`Unable to set max receive size: ${describeError(e)}`);
    }
  }
}

/** Schemes that take TLS material. */
const tlsSchemes = new Set(["tls+tcp", "wss"]);

/**
 * The endpoint options of `url`: the `--cacert/--cert/--key/--insecure`
 * material for TLS schemes, nothing for the others.
 */
export function endpointOptions(url: string, cfg: RunConfig): EndpointOptions | undefined {
  const scheme = url.slice(0, Math.max(0, url.indexOf("://"))).toLowerCase();
  if (!tlsSchemes.has(scheme)) return undefined;
  const { cacert, cert, key, insecure } = cfg.tls;
  const pem = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b));
  return { tls: { ca: pem(cacert), cert: pem(cert), key: pem(key), insecure } };
}

/**
 * Fails like nngcat when nng's URL grammar refuses `url` (see nng-url.ts):
 * "Unable to create listener for URL: Invalid argument" and the like.
 */
function checkUrlSyntax(url: string, what: "listener" | "dialer"): void {
  const verdict = nngUrlVerdict(url);
  if (verdict !== undefined) {
    throw new CliError(`Unable to create ${what} for ${url}: ${describeError({ code: verdict })}`);
  }
}

/**
 * Starts every listener and dialer in command-line order.
 *
 * Without `--async` each dial is nngcat's blocking dial: the first attempt
 * decides (`failFast`), so a refused connection or a certificate that does
 * not verify ends spcat with "Unable to dial on URL: ..." at once. With
 * `--async` the dialer retries in the background and its failures stay quiet,
 * as in nngcat.
 */
async function attach(sock: CliSocket, cfg: RunConfig, env: CliEnv): Promise<void> {
  for (const ep of cfg.endpoints) {
    if (ep.mode === "listen") {
      checkUrlSyntax(ep.url, "listener");
      let bound: { readonly url: string };
      try {
        bound = await sock.listen(ep.url, endpointOptions(ep.url, cfg));
      } catch (e) {
        const what = badAddress.has(errorCode(e) ?? "") ? "create listener for" : "listen on";
        throw new CliError(`Unable to ${what} ${ep.url}: ${describeError(e)}`);
      }
      if (cfg.verbose) env.write(text(`Listening at: ${bound.url}\n`));
      continue;
    }
    checkUrlSyntax(ep.url, "dialer");
    let dialer: { readonly url: string; readonly connected: Promise<void> };
    try {
      dialer = sock.dial(ep.url, { ...endpointOptions(ep.url, cfg), failFast: !cfg.async });
    } catch (e) {
      throw new CliError(`Unable to create dialer for ${ep.url}: ${describeError(e)}`);
    }
    const url = dialer.url;
    const connected = dialer.connected.then(() => {
      if (cfg.verbose) env.write(text(`Connected to: ${url}\n`));
    });
    if (cfg.async) connected.catch(() => undefined);
    else {
      try {
        await connected;
      } catch (e) {
        throw new CliError(
          `Unable to dial on ${ep.url}: ${describeDialError(e, cfg.tls.cacert !== undefined)}`,
        );
      }
    }
  }
}

async function run(cfg: RunConfig, env: CliEnv): Promise<number> {
  const sock = await env.open(cfg.protocol, cfg);
  if (sock === undefined) throw new CliError("Protocol not supported.");
  try {
    configure(sock, cfg);
    await attach(sock, cfg, env);
    return await runRole(sock, cfg, env);
  } finally {
    await sock.close();
  }
}

/**
 * Runs spcat with `argv` (without the program name). Resolves with the exit
 * status; never throws for user errors (they go to `env.error`).
 *
 * @example
 * ```ts
 * const status = await main(["--rep0", "--listen", "tcp://127.0.0.1:0", "-D", "pong"], env);
 * ```
 */
export async function main(argv: readonly string[], env: CliEnv): Promise<number> {
  try {
    const { options } = parseArgs(argv, optionTable);
    const cmd = buildCommand(options, env);
    if (cmd.kind === "help") {
      env.write(text(helpText()));
      return 1;
    }
    if (cmd.kind === "version") {
      env.write(text(`${env.version}\n`));
      return 0;
    }
    return await run(cmd.config, env);
  } catch (e) {
    if (e instanceof ArgError || e instanceof CliError) {
      env.error(e.message);
      return 1;
    }
    env.error(`Unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 2;
  }
}
