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
import { CliError, describeError, errorCode } from "./errors.ts";
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
    "Durations are in seconds (fractions allowed). URLs: whatever transports the",
    "reference registers (tcp://, and ipc://, inproc://, ws://, wss://, tls+tcp:// as",
    "they become available).",
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
  const scheme = url.slice(0, Math.max(0, url.indexOf("://")));
  if (!tlsSchemes.has(scheme)) return undefined;
  const { cacert, cert, key, insecure } = cfg.tls;
  const pem = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b));
  return { tls: { ca: pem(cacert), cert: pem(cert), key: pem(key), insecure } };
}

/** Starts every listener and dialer in command-line order. */
async function attach(sock: CliSocket, cfg: RunConfig, env: CliEnv): Promise<void> {
  for (const ep of cfg.endpoints) {
    if (ep.mode === "listen") {
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
    let dialer: { readonly url: string; readonly connected: Promise<void> };
    try {
      dialer = sock.dial(ep.url, endpointOptions(ep.url, cfg));
    } catch (e) {
      throw new CliError(`Unable to create dialer for ${ep.url}: ${describeError(e)}`);
    }
    // The reference dialer reconnects in the background, so a refused first
    // attempt is not fatal here (nngcat, without --async, would exit). Without
    // --async spcat waits for the first connection, as nngcat's blocking dial
    // does, so that PUB/PUSH/PAIR do not send before they have a peer.
    const url = dialer.url;
    const connected = dialer.connected.then(() => {
      if (cfg.verbose) env.write(text(`Connected to: ${url}\n`));
    });
    if (cfg.async) connected.catch(() => undefined);
    else {
      try {
        await connected;
      } catch (e) {
        throw new CliError(`Unable to dial on ${ep.url}: ${describeError(e)}`);
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
