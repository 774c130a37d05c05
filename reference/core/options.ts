import { defaults } from "../../spec/constants.ts";
import { SPError } from "./errors.ts";

/** Values of every socket option, by our (camelCase) name. All are numbers (ms, bytes, counts). */
export interface SocketOptions {
  /** Largest frame a pipe accepts, in bytes; 0 = unlimited (SP-TCP-10). nng: `recv-size-max`. */
  recvMaxSize: number;
  /** How long `recv` waits, ms; -1 = forever. nng: `recv-timeout`. */
  recvTimeout: number;
  /** How long `send` waits, ms; -1 = forever. nng: `send-timeout`. */
  sendTimeout: number;
  /** REQ resend interval, ms; 0 = never resend (SP-REQREP-8). nng: `req:resend-time`. */
  resendTime: number;
  /** SURVEYOR deadline, ms, counted from each survey (SP-SURVEY-8). nng: `surveyor:survey-time`. */
  surveyTime: number;
  /**
   * Most hops accepted: backtrace words at REP/RESPONDENT (SP-REQREP-15), PAIR v1 hop
   * count. 1..255 (nanomsg NN_MAXTTL allows 255; nng caps `ttl-max` at 15). nng: `ttl-max`.
   */
  maxTtl: number;
  /** First reconnect delay of a dialer, ms (SP-TCP-13). nng: `reconnect-time-min`. */
  reconnectMin: number;
  /** Largest reconnect delay, ms; 0 = no growth (SP-TCP-13). nng: `reconnect-time-max`. */
  reconnectMax: number;
  /** How long a new connection may take to send its SP header, ms (SP-TCP-7). */
  handshakeTimeout: number;
  /**
   * Messages a socket queues for sending when no pipe can take them; 0 = the protocol's
   * default. nng: `send-buffer` (messages). nanomsg's NN_SNDBUF is in bytes instead.
   */
  sendBuffer: number;
  /**
   * Messages the receive buffer of each pipe holds before the socket stops reading that
   * pipe (SP-FRAMEWORK-21/-22); 0 = the protocol's default (1024). nng: `recv-buffer`,
   * which nng counts per socket rather than per pipe.
   */
  recvBuffer: number;
  /**
   * Bytes the receive buffer of each pipe holds before the socket stops reading that pipe
   * (SP-FRAMEWORK-21/-22; one larger message is still taken into an empty buffer).
   * Default 64 KiB. nanomsg's NN_RCVBUF also counts bytes (it sizes the kernel's buffer).
   */
  recvBufferBytes: number;
  /**
   * Bytes a pipe may hold beyond what its transport accepted before it is not ready
   * (SP-FRAMEWORK-27); read when a pipe starts. Default 64 KiB. Small on purpose: a PUSH
   * sees a slow worker only once it is reached. nanomsg's NN_SNDBUF also counts bytes.
   */
  sendBufferBytes: number;
  /**
   * On close, how long queued writes may still be flushed, ms; 0 = close at once.
   * nanomsg: NN_LINGER (nng has no working equivalent).
   */
  linger: number;
  /** 1 = disable Nagle on TCP-based pipes (default), 0 = enable. nng: `tcp-nodelay`. */
  tcpNoDelay: number;
  /** 1 = enable TCP keep-alive probes, 0 = off (default). nng: `tcp-keepalive`. */
  tcpKeepAlive: number;
}

/** Name of one option. */
export type OptionName = keyof SocketOptions;

/** One row of the option table. */
export interface OptionSpec {
  /** Our name, e.g. `resendTime`. */
  readonly name: OptionName;
  /** The nng option name it mirrors, e.g. `req:resend-time`. */
  readonly nngName: string;
  /** Default value. */
  readonly default: number;
  /** Smallest valid value. */
  readonly min: number;
  /** Largest valid value. */
  readonly max: number;
  /** What the option means. */
  readonly doc: string;
}

const MAX_MS = 2 ** 31 - 1;

/**
 * The option table. Defaults come from `spec/constants.ts`, which is generated
 * from the drafts, so the reference and the drafts cannot drift apart.
 *
 * @example
 * ```ts
 * optionTable.find((o) => o.name === "maxTtl")?.nngName; // "ttl-max"
 * ```
 */
export const optionTable: readonly OptionSpec[] = [
  {
    name: "recvMaxSize",
    nngName: "recv-size-max",
    default: defaults.recvMaxSize,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    doc: "largest accepted frame in bytes, 0 = unlimited",
  },
  {
    name: "recvTimeout",
    nngName: "recv-timeout",
    default: -1,
    min: -1,
    max: MAX_MS,
    doc: "recv timeout in ms, -1 = none",
  },
  {
    name: "sendTimeout",
    nngName: "send-timeout",
    default: -1,
    min: -1,
    max: MAX_MS,
    doc: "send timeout in ms, -1 = none",
  },
  {
    name: "resendTime",
    nngName: "req:resend-time",
    default: defaults.resendTimeMs,
    min: 0,
    max: MAX_MS,
    doc: "REQ resend interval in ms, 0 = never",
  },
  {
    name: "surveyTime",
    nngName: "surveyor:survey-time",
    default: defaults.surveyTimeMs,
    min: 1,
    max: MAX_MS,
    doc: "SURVEYOR deadline in ms after each survey",
  },
  {
    name: "maxTtl",
    nngName: "ttl-max",
    default: defaults.maxTtl,
    min: 1,
    max: 255,
    doc: "most hops (backtrace words) accepted; nanomsg allows 255, nng 15",
  },
  {
    name: "reconnectMin",
    nngName: "reconnect-time-min",
    default: defaults.reconnectMinMs,
    min: 1,
    max: MAX_MS,
    doc: "first reconnect delay in ms",
  },
  {
    name: "reconnectMax",
    nngName: "reconnect-time-max",
    default: defaults.reconnectMaxMs,
    min: 0,
    max: MAX_MS,
    doc: "largest reconnect delay in ms, 0 = no growth",
  },
  {
    name: "handshakeTimeout",
    nngName: "handshake-timeout",
    default: defaults.handshakeTimeoutMs,
    min: 1,
    max: MAX_MS,
    doc: "SP header wait in ms",
  },
  {
    name: "sendBuffer",
    nngName: "send-buffer",
    default: 0,
    min: 0,
    max: 8192,
    doc: "send queue depth in messages, 0 = protocol default (NN_SNDBUF counts bytes)",
  },
  {
    // SP-FRAMEWORK-25: the receive bounds are the application's to set; 0 = the draft's default.
    name: "recvBuffer",
    nngName: "recv-buffer",
    default: 0,
    min: 0,
    max: 8192,
    doc: "receive buffer of each pipe in messages; past it the pipe stops reading; 0 = protocol default",
  },
  {
    name: "recvBufferBytes",
    nngName: "recv-buffer-bytes",
    default: defaults.recvBufferBytes,
    min: 1,
    max: 2 ** 31 - 1,
    doc: "receive buffer of each pipe in bytes; past it the pipe stops reading (NN_RCVBUF counts bytes)",
  },
  {
    name: "sendBufferBytes",
    nngName: "send-buffer-bytes",
    default: defaults.sendBufferBytes,
    min: 1,
    max: 2 ** 31 - 1,
    doc: "bytes a pipe holds beyond what its transport took before it is not ready (NN_SNDBUF counts bytes)",
  },
  {
    name: "linger",
    nngName: "linger",
    default: 0,
    min: 0,
    max: MAX_MS,
    doc: "ms to flush queued writes on close (NN_LINGER), 0 = none",
  },
  {
    name: "tcpNoDelay",
    nngName: "tcp-nodelay",
    default: 1,
    min: 0,
    max: 1,
    doc: "1 = TCP_NODELAY on (Nagle off)",
  },
  {
    name: "tcpKeepAlive",
    nngName: "tcp-keepalive",
    default: 0,
    min: 0,
    max: 1,
    doc: "1 = SO_KEEPALIVE on",
  },
];

const byName = new Map<string, OptionSpec>();
for (const o of optionTable) {
  byName.set(o.name, o);
  byName.set(o.nngName, o);
}

/**
 * Finds an option by our name or by the nng name it mirrors; EINVAL when unknown.
 *
 * @example
 * ```ts
 * lookupOption("req:resend-time").name; // "resendTime"
 * ```
 */
export function lookupOption(name: string): OptionSpec {
  const spec = byName.get(name);
  if (!spec) throw new SPError("EINVAL", `unknown option ${JSON.stringify(name)}`);
  return spec;
}

/**
 * Checks a value for an option; returns it as a number or throws EINVAL.
 *
 * @example
 * ```ts
 * validateOption(lookupOption("maxTtl"), 256); // throws SPError EINVAL
 * ```
 */
export function validateOption(spec: OptionSpec, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new SPError("EINVAL", `option ${spec.name} needs an integer, got ${String(value)}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new SPError("EINVAL", `option ${spec.name} must be in ${spec.min}..${spec.max}`);
  }
  return value;
}

/**
 * Builds a full option set from defaults and a partial user object, validating each value.
 *
 * @example
 * ```ts
 * const o = resolveOptions({ resendTime: 100 });
 * o.maxTtl; // 8
 * ```
 */
export function resolveOptions(partial: Partial<SocketOptions> = {}): SocketOptions {
  const out = {} as SocketOptions;
  for (const spec of optionTable) out[spec.name] = spec.default;
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    const spec = lookupOption(key);
    out[spec.name] = validateOption(spec, value);
  }
  return out;
}

/** Turns a "0 = never" duration into a timer delay that in practice never fires. */
/**
 * The queue depth to use: the option when set (non-zero), else the protocol's default.
 *
 * @example
 * ```ts
 * new RingQueue(queueDepth(this.options.recvBuffer, 128));
 * ```
 */
export function queueDepth(option: number, fallback: number): number {
  return option > 0 ? option : fallback;
}

export function neverIfZero(ms: number): number {
  return ms <= 0 ? MAX_MS : Math.min(ms, MAX_MS);
}
