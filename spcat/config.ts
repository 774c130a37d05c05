/**
 * Turns parsed options into what `spcat` should do, checking them in nngcat's
 * order: errors found while reading the options (second protocol, second
 * format, second data source, unreadable file, bad number) come in
 * command-line order; then "No address specified.", then the `--compat` and
 * per-protocol checks, then "No protocol specified." / "Protocol not supported.".
 *
 * @module
 */
import type { ParsedOption } from "./args.ts";
import { CliError as UsageError } from "./errors.ts";
import type { Format } from "./formats.ts";
import { type OptionKey, type ProtocolKey, protocolKeys } from "./options.ts";

/**
 * A protocol by its versioned name (`--pair` already resolved to `pair0` or
 * `pair1`). Whether the reference offers it is decided when the socket is opened.
 */
export type Protocol = Exclude<ProtocolKey, "pair">;

/** The TLS files given on the command line (contents, read like nngcat does). */
export interface TlsFiles {
  /** `--cacert`: PEM of the CA chain that signs the peer's certificate. */
  readonly cacert?: Uint8Array;
  /** `--cert`: PEM of our own certificate. */
  readonly cert?: Uint8Array;
  /** `--key`: PEM of our private key; nngcat falls back to the `--cert` file. */
  readonly key?: Uint8Array;
  /** `--insecure`: do not verify the peer. */
  readonly insecure: boolean;
}

/** One `--dial` or `--listen`. */
export interface Endpoint {
  readonly mode: "dial" | "listen";
  readonly url: string;
}

/** Everything a run needs. Durations are milliseconds, -1 = not set. */
export interface RunConfig {
  readonly protocol: Protocol;
  readonly endpoints: readonly Endpoint[];
  readonly format: Format;
  readonly data: Uint8Array | undefined;
  readonly verbose: boolean;
  readonly count: number;
  readonly delayMs: number;
  readonly intervalMs: number;
  readonly sendTimeoutMs: number;
  readonly recvTimeoutMs: number;
  /** Receive size limit for the library (0 = unlimited), or undefined for its default. */
  readonly recvMaxSize: number | undefined;
  /** Do not wait for dials to connect before going on. */
  readonly async: boolean;
  /** SUB topics, in command-line order; `[""]` (everything) when none was given. */
  readonly topics: readonly string[];
  /** TLS material for tls+tcp:// and wss:// endpoints. */
  readonly tls: TlsFiles;
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | { readonly kind: "run"; readonly config: RunConfig };

/** Outside effects needed while reading options. */
export interface ConfigDeps {
  /** Reads a file; `-` means standard input. Throws a Node error on failure. */
  readFile(path: string): Uint8Array;
}

const MAX_SECS = 86400;

/** nngcat's integer rule: digits only, at most `max`. */
export function intArg(value: string, max: number): number {
  if (value === "") throw new UsageError("Empty integer argument.");
  let v = 0;
  for (const ch of value) {
    if (ch < "0" || ch > "9") throw new UsageError("Integer argument expected.");
    v = v * 10 + (ch.charCodeAt(0) - 48);
    if (v > max) throw new UsageError("Integer argument too large.");
  }
  return v;
}

/**
 * Seconds → milliseconds. Whole seconds as in nngcat, and (an extension)
 * decimal fractions such as `0.25`; at most one day.
 */
export function secondsArg(value: string): number {
  const m = /^(\d*)\.(\d+)$/.exec(value);
  if (m === null) return intArg(value, MAX_SECS) * 1000;
  const secs = Number(value);
  if (secs > MAX_SECS) throw new UsageError("Integer argument too large.");
  return Math.round(secs * 1000);
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "No such file or directory";
  if (code === "EACCES") return "Permission denied";
  if (code === "EISDIR") return "Is a directory";
  return e instanceof Error ? e.message : String(e);
}

const formatByName: Record<string, Format> = {
  no: "no",
  ascii: "ascii",
  hex: "hex",
  quoted: "quoted",
  raw: "raw",
  msgpack: "msgpack",
};

/** Mutable state while walking the options. */
interface Draft {
  protocol: ProtocolKey | undefined;
  endpoints: Endpoint[];
  format: Format | undefined;
  data: Uint8Array | undefined;
  topics: string[];
  cacert: Uint8Array | undefined;
  cert: Uint8Array | undefined;
  key: Uint8Array | undefined;
  insecure: boolean;
  verbose: boolean;
  count: number;
  delayMs: number;
  intervalMs: number;
  sendTimeoutMs: number;
  recvTimeoutMs: number;
  recvMaxSize: number | undefined;
  compat: boolean;
  async: boolean;
}

function isProtocol(key: OptionKey): key is ProtocolKey {
  return (protocolKeys as readonly string[]).includes(key);
}

function setFormat(d: Draft, f: Format): void {
  if (d.format !== undefined) throw new UsageError("Format may be specified only once.");
  d.format = f;
}

function setData(d: Draft, bytes: () => Uint8Array): void {
  if (d.data !== undefined)
    throw new UsageError("Data (--file, --data) may be specified only once.");
  d.data = bytes();
}

function loadFile(deps: ConfigDeps, path: string): Uint8Array {
  try {
    return deps.readFile(path);
  } catch (e) {
    throw new UsageError(`Cannot open file ${path}: ${describeFsError(e)}`);
  }
}

/** Applies one option; returns a command when the option ends parsing. */
function apply(d: Draft, opt: ParsedOption<OptionKey>, deps: ConfigDeps): Command | undefined {
  const key = opt.spec.key;
  const v = opt.value ?? "";
  if (isProtocol(key)) {
    if (d.protocol !== undefined) throw new UsageError("Only one protocol may be specified.");
    d.protocol = key;
    return undefined;
  }
  switch (key) {
    case "help":
      return { kind: "help" };
    case "version":
      return { kind: "version" };
    case "verbose":
      d.verbose = true;
      break;
    case "silent":
      d.verbose = false;
      break;
    case "dial":
    case "listen":
      d.endpoints.push({ mode: key, url: v });
      break;
    case "dial-local":
    case "listen-local":
      d.endpoints.push({
        mode: key === "dial-local" ? "dial" : "listen",
        url: `tcp://127.0.0.1:${intArg(v, 65536)}`,
      });
      break;
    case "dial-ipc":
    case "listen-ipc":
      d.endpoints.push({ mode: key === "dial-ipc" ? "dial" : "listen", url: `ipc:///${v}` });
      break;
    case "data":
      setData(d, () => Buffer.from(v, "utf8"));
      break;
    case "file":
      setData(d, () => loadFile(deps, v));
      break;
    case "subscribe":
      d.topics.push(v);
      break;
    case "format": {
      if (d.format !== undefined) throw new UsageError("Format may be specified only once.");
      const f = formatByName[v];
      if (f === undefined) throw new UsageError("Invalid format specified.");
      d.format = f;
      break;
    }
    case "ascii":
    case "quoted":
    case "raw":
    case "hex":
    case "msgpack":
      setFormat(d, key);
      break;
    case "compat":
      d.compat = true;
      break;
    case "async":
      d.async = true;
      break;
    case "recv-maxsz":
      d.recvMaxSize = intArg(v, 0x7fffffff);
      break;
    case "count":
      d.count = intArg(v, 0x7fffffff);
      break;
    case "delay":
      d.delayMs = secondsArg(v);
      break;
    case "interval":
      d.intervalMs = secondsArg(v);
      break;
    case "send-timeout":
      d.sendTimeoutMs = secondsArg(v);
      break;
    case "recv-timeout":
      d.recvTimeoutMs = secondsArg(v);
      break;
    case "cacert":
      if (d.cacert !== undefined)
        throw new UsageError("CA Certificate (--cacert) may be specified only once.");
      d.cacert = loadFile(deps, v);
      break;
    case "key":
      if (d.key !== undefined) throw new UsageError("Key (--key) may be specified only once.");
      d.key = loadFile(deps, v);
      break;
    case "cert":
      if (d.cert !== undefined) throw new UsageError("Cert (--cert) may be specified only once.");
      d.cert = loadFile(deps, v);
      break;
    case "insecure":
      d.insecure = true;
      break;
    case "zt-home":
    case "socket-name":
      break;
  }
  return undefined;
}

/** The checks nngcat makes once all options are read. */
function finish(d: Draft): RunConfig {
  if (d.endpoints.length === 0) throw new UsageError("No address specified.");
  let protocol = d.protocol;
  if (d.compat) {
    if (d.async) throw new UsageError("Options --async and --compat are incompatible.");
    if (d.count !== 0) throw new UsageError("Options --count and --compat are incompatible.");
    if (protocol === "pair") protocol = "pair0";
    if (protocol === "pair1") throw new UsageError("Protocol does not support --compat.");
    d.async = true;
  } else if (protocol === "pair") {
    protocol = "pair1";
  }
  if (protocol === "sub0") {
    // nngcat subscribes to everything when no topic is given.
    if (d.topics.length === 0) d.topics.push("");
  } else if (d.topics.length > 0) {
    throw new UsageError("Protocol does not support --subscribe.");
  }
  const hasInterval = d.intervalMs >= 0;
  switch (protocol) {
    case "pull0":
    case "sub0":
      if (d.data !== undefined) throw new UsageError("Protocol does not support --file or --data.");
      if (hasInterval) throw new UsageError("Protocol does not support --interval.");
      break;
    case "push0":
    case "pub0":
      if (d.format !== undefined)
        throw new UsageError("Protocol does not support --format options.");
      if (d.data === undefined) throw new UsageError("Protocol requires either --file or --data.");
      break;
    case "surveyor0":
    case "req0":
      if (d.data === undefined) throw new UsageError("Protocol requires either --file or --data.");
      break;
    case "rep0":
    case "respondent0":
      if (hasInterval) throw new UsageError("Protocol does not support --interval.");
      break;
    case "pair0":
    case "pair1":
    case "bus0":
      if (hasInterval && d.data === undefined) {
        throw new UsageError("Option --interval requires either --file or --data.");
      }
      break;
    default:
      break;
  }
  if (protocol === undefined) throw new UsageError("No protocol specified.");
  return {
    protocol,
    endpoints: d.endpoints,
    format: d.format ?? "no",
    data: d.data,
    verbose: d.verbose,
    count: d.count,
    delayMs: d.delayMs,
    intervalMs: d.intervalMs,
    sendTimeoutMs: d.sendTimeoutMs,
    recvTimeoutMs: d.recvTimeoutMs,
    recvMaxSize: d.recvMaxSize,
    async: d.async,
    topics: d.topics,
    tls: { cacert: d.cacert, cert: d.cert, key: d.key ?? d.cert, insecure: d.insecure },
  };
}

/**
 * Builds the command from parsed options.
 *
 * @throws {@link CliError} with nngcat's wording.
 */
export function buildCommand(
  options: readonly ParsedOption<OptionKey>[],
  deps: ConfigDeps,
): Command {
  const d: Draft = {
    protocol: undefined,
    endpoints: [],
    format: undefined,
    data: undefined,
    topics: [],
    cacert: undefined,
    cert: undefined,
    key: undefined,
    insecure: false,
    verbose: false,
    count: 0,
    delayMs: 0,
    intervalMs: -1,
    sendTimeoutMs: -1,
    recvTimeoutMs: -1,
    recvMaxSize: undefined,
    compat: false,
    async: false,
  };
  for (const opt of options) {
    const cmd = apply(d, opt, deps);
    if (cmd !== undefined) return cmd;
  }
  return { kind: "run", config: finish(d) };
}
