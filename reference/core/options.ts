import { defaults } from "../../spec/constants.ts";
import { SPError } from "./errors.ts";

/**
 * Socket options are declared as rows, as nng declares them (`req0_sock_options[]`):
 * the options every socket has are the rows of {@link coreOptions} below; each
 * protocol adds its own rows in an `options.ts` beside its code; and one registry,
 * `reference/protocol/options.ts`, maps every protocol to its {@link OptionSet}.
 * `setOption`/`getOption`, the factories, spcat and the conformance adapter all read
 * the options from there, and the types below turn the rows into the names and value
 * types that `setOption` accepts on a socket of that protocol.
 *
 * @module
 */

/** Largest timer value Node accepts, ms. */
const MAX_MS = 2 ** 31 - 1;

/** A numeric option: the socket keeps its value and reads it where it applies. */
export interface NumberOptionRow {
  readonly type: "number";
  /** The nng name it mirrors (`req:resend-time`); accepted wherever our name is. */
  readonly nngName: string;
  readonly default: number;
  /** Smallest valid value. */
  readonly min: number;
  /** Largest valid value. */
  readonly max: number;
  /**
   * Fixed for the socket (e.g. `polyamorous`, chosen by the factory): `getOption`
   * reads it, `setOption` does not take it (ENOTSUP at run time).
   */
  readonly readOnly?: true;
  /** What the option means. */
  readonly doc: string;
}

/**
 * A byte-valued option: setting it is an action on the socket (SUB's `subscribe`);
 * there is no value to read back.
 */
export interface BytesOptionRow {
  readonly type: "bytes";
  readonly nngName: string;
  readonly doc: string;
}

/** One option row. */
export type OptionRow = NumberOptionRow | BytesOptionRow;

/** A protocol's own rows, by our (camelCase) name. */
export type OptionRows = { readonly [name: string]: OptionRow };

/** No rows: the protocols that have only the generic options. */
export type NoOptionRows = Record<never, never>;

/**
 * The options of every socket, whatever its protocol. Defaults come from
 * `spec/constants.ts`, which is generated from the drafts, so the reference and
 * the drafts cannot drift apart.
 *
 * @example
 * ```ts
 * coreOptions.recvMaxSize.nngName; // "recv-size-max"
 * ```
 */
export const coreOptions = {
  recvMaxSize: {
    type: "number",
    nngName: "recv-size-max",
    default: defaults.recvMaxSize,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    doc: "largest accepted frame in bytes, 0 = unlimited (SP-TCP-10)",
  },
  recvTimeout: {
    type: "number",
    nngName: "recv-timeout",
    default: -1,
    min: -1,
    max: MAX_MS,
    doc: "how long a recv waits, ms; -1 = forever",
  },
  sendTimeout: {
    type: "number",
    nngName: "send-timeout",
    default: -1,
    min: -1,
    max: MAX_MS,
    doc: "how long a send waits, ms; -1 = forever",
  },
  reconnectMin: {
    type: "number",
    nngName: "reconnect-time-min",
    default: defaults.reconnectMinMs,
    min: 1,
    max: MAX_MS,
    doc: "first reconnect delay of a dialer, ms (SP-TCP-13)",
  },
  reconnectMax: {
    type: "number",
    nngName: "reconnect-time-max",
    default: defaults.reconnectMaxMs,
    min: 0,
    max: MAX_MS,
    doc: "largest reconnect delay, ms; 0 = no growth (SP-TCP-13)",
  },
  handshakeTimeout: {
    type: "number",
    nngName: "handshake-timeout",
    default: defaults.handshakeTimeoutMs,
    min: 1,
    max: MAX_MS,
    doc: "how long a new connection may take to send its SP header, ms (SP-TCP-7)",
  },
  sendBuffer: {
    type: "number",
    nngName: "send-buffer",
    default: 0,
    min: 0,
    max: 8192,
    doc: "messages queued for sending while no pipe can take them; 0 = protocol default (NN_SNDBUF counts bytes)",
  },
  recvBuffer: {
    // SP-FRAMEWORK-25: the receive bounds are the application's to set; 0 = the draft's default.
    type: "number",
    nngName: "recv-buffer",
    default: 0,
    min: 0,
    max: 8192,
    doc: "receive buffer of each pipe in messages; past it the pipe stops reading; 0 = protocol default (nng counts per socket)",
  },
  recvBufferBytes: {
    type: "number",
    nngName: "recv-buffer-bytes",
    default: defaults.recvBufferBytes,
    min: 1,
    max: MAX_MS,
    doc: "receive buffer of each pipe in bytes; past it the pipe stops reading (NN_RCVBUF counts bytes)",
  },
  sendBufferBytes: {
    type: "number",
    nngName: "send-buffer-bytes",
    default: defaults.sendBufferBytes,
    min: 1,
    max: MAX_MS,
    doc: "bytes a pipe holds beyond what its transport took before it is not ready; read when a pipe starts",
  },
  linger: {
    type: "number",
    nngName: "linger",
    default: 0,
    min: 0,
    max: MAX_MS,
    doc: "ms close waits for queued writes to flush (NN_LINGER); 0 = none",
  },
  tcpNoDelay: {
    type: "number",
    nngName: "tcp-nodelay",
    default: 1,
    min: 0,
    max: 1,
    doc: "1 = TCP_NODELAY on (Nagle off) on TCP-based pipes",
  },
  tcpKeepAlive: {
    type: "number",
    nngName: "tcp-keepalive",
    default: 0,
    min: 0,
    max: 1,
    doc: "1 = TCP keep-alive probes on",
  },
} as const satisfies OptionRows;

/** The rows of {@link coreOptions}. */
export type CoreOptionRows = typeof coreOptions;

/**
 * The hop limit, for the protocols that count hops (REP and RESPONDENT count
 * backtrace words, SP-REQREP-15; PAIR v1 its hop count; the raw requesters and
 * repliers too). Not generic: each of those protocols lists it among its rows,
 * as nng lists `NNG_OPT_MAXTTL` in theirs. 1..255: nanomsg's NN_MAXTTL allows
 * 255, nng caps `ttl-max` at 15.
 */
export const maxTtlOption = {
  type: "number",
  nngName: "ttl-max",
  default: defaults.maxTtl,
  min: 1,
  max: 255,
  doc: "most hops (backtrace words, PAIR v1 hop count) accepted; nanomsg allows 255, nng 15",
} as const satisfies NumberOptionRow;

/** The rows of a protocol whose only own option is the hop limit. */
export const ttlOptionRows = { maxTtl: maxTtlOption } as const satisfies OptionRows;

/** The rows {@link ttlOptionRows}. */
export type TtlOptionRows = typeof ttlOptionRows;

/** Our names of the rows of `R` whose value is a number. */
type NumberKeys<R> = {
  [K in keyof R & string]: R[K] extends NumberOptionRow ? K : never;
}[keyof R & string];

/** The nng name of one row. */
type NngNameOf<Row> = Row extends { readonly nngName: infer N extends string } ? N : never;

/**
 * The values a socket keeps for rows `R`: one number per numeric row, by our name.
 *
 * @example
 * ```ts
 * type V = OptionValues<typeof ttlOptionRows>; // { maxTtl: number }
 * ```
 */
export type OptionValues<R> = { -readonly [K in NumberKeys<R>]: number };

/** The values of the generic options, which every socket has (what transports read). */
export type CoreOptions = OptionValues<CoreOptionRows>;

/**
 * The generic option values, under their former name: what a transport sees of
 * its socket's options (`PipeHost.options`) and what `resolveOptions` builds.
 */
export type SocketOptions = CoreOptions;

/** Every name (ours and nng's) of the rows of `R` that `setOption` takes. */
export type SettableOption<R> = {
  [K in keyof R & string]: R[K] extends { readonly readOnly: true } ? never : K | NngNameOf<R[K]>;
}[keyof R & string];

/** Every name (ours and nng's) of the rows of `R` that `getOption` reads. */
export type ReadableOption<R> = {
  [K in keyof R & string]: R[K] extends NumberOptionRow ? K | NngNameOf<R[K]> : never;
}[keyof R & string];

/** The row of `R` called `N`, by our name or nng's. */
type RowNamed<R, N> = {
  [K in keyof R & string]: N extends K | NngNameOf<R[K]> ? R[K] : never;
}[keyof R & string];

/** The value `setOption(N, value)` takes: a number, or bytes for a byte-valued row. */
export type OptionValue<R, N> = [RowNamed<R, N>] extends [BytesOptionRow]
  ? Uint8Array | string
  : number;

/** What a socket of rows `R` takes at construction: any of its numeric options, by our name. */
export type OptionInit<R> = Partial<OptionValues<CoreOptionRows & R>>;

/** One row with its name, as listed by {@link OptionSet.specs}. */
export type OptionSpec = OptionRow & {
  /** Our name, e.g. `resendTime`. */
  readonly name: string;
  /** True for the generic rows of {@link coreOptions}. */
  readonly generic: boolean;
};

/** A numeric {@link OptionSpec}. */
export type NumberOptionSpec = NumberOptionRow & {
  readonly name: string;
  readonly generic: boolean;
};

/**
 * Checks a value for a numeric option; returns it, or throws EINVAL.
 *
 * @example
 * ```ts
 * validateOption(maxTtlOption, 256); // throws SPError EINVAL
 * ```
 */
export function validateOption(spec: NumberOptionRow & { name?: string }, value: unknown): number {
  const name = spec.name ?? spec.nngName;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new SPError("EINVAL", `option ${name} needs an integer, got ${String(value)}`);
  }
  if (value < spec.min || value > spec.max) {
    throw new SPError("EINVAL", `option ${name} must be in ${spec.min}..${spec.max}`);
  }
  return value;
}

/** The specs of `rows`, in order. */
function specsOf(rows: OptionRows, generic: boolean): OptionSpec[] {
  return Object.entries(rows).map(([name, row]) => ({ ...row, name, generic }));
}

/**
 * The options of one protocol: the generic rows plus the protocol's own, looked
 * up by our name or nng's. What a socket validates `setOption`, `getOption` and
 * its factory's options against. `knownElsewhere` tells a name some other
 * protocol has (ENOTSUP here) from a name nobody has (EINVAL).
 *
 * @example
 * ```ts
 * const req = new OptionSet("req0", req0Options);
 * req.find("req:resend-time").name; // "resendTime"
 * req.find("sub:subscribe"); // throws ENOTSUP when the registry knows the name, else EINVAL
 * ```
 */
export class OptionSet<R extends OptionRows = NoOptionRows> {
  /** Generic rows first, then the protocol's own. */
  readonly specs: readonly OptionSpec[];
  private readonly byName = new Map<string, OptionSpec>();

  constructor(
    /** The protocol's name (`req0`, `xreq0`, `pair1poly`...). */
    readonly protocol: string,
    /** The protocol's own rows. */
    readonly own: R,
    private readonly knownElsewhere: ReadonlySet<string> = new Set(),
  ) {
    this.specs = [...specsOf(coreOptions, true), ...specsOf(own, false)];
    for (const s of this.specs) {
      this.byName.set(s.name, s);
      this.byName.set(s.nngName, s);
    }
  }

  /** True when `name` (ours or nng's) is an option of this protocol. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The row called `name` (ours or nng's). ENOTSUP when the name belongs to
   * another protocol, EINVAL when no protocol has it.
   */
  find(name: string): OptionSpec {
    const spec = this.byName.get(name);
    if (spec) return spec;
    if (this.knownElsewhere.has(name)) {
      throw new SPError("ENOTSUP", `${this.protocol} has no option ${JSON.stringify(name)}`);
    }
    throw new SPError("EINVAL", `unknown option ${JSON.stringify(name)}`);
  }

  /** As {@link find}, for reading: a byte-valued row has no value (ENOTSUP). */
  findReadable(name: string): NumberOptionSpec {
    const spec = this.find(name);
    if (spec.type !== "number") {
      throw new SPError("ENOTSUP", `option ${spec.name} can be set, not read`);
    }
    return spec;
  }

  /**
   * The option values of a new socket: the defaults, overridden by `init`
   * (by our names or nng's), each checked.
   */
  resolve(init: object = {}): CoreOptions & OptionValues<R> {
    const out: Record<string, number> = {};
    for (const s of this.specs) if (s.type === "number") out[s.name] = s.default;
    for (const [key, value] of Object.entries(init)) {
      if (value === undefined) continue;
      const spec = this.find(key);
      if (spec.type !== "number") {
        throw new SPError("EINVAL", `option ${spec.name} is not set at construction`);
      }
      if (spec.readOnly && value !== spec.default) {
        throw new SPError("ENOTSUP", `option ${spec.name} is fixed to ${spec.default} here`);
      }
      out[spec.name] = validateOption(spec, value);
    }
    return out as CoreOptions & OptionValues<R>;
  }
}

/** The generic options alone, for code that needs no protocol (transports, tests). */
const coreSet = new OptionSet("core", {});

/**
 * The generic option values: defaults, overridden by `partial` (each checked; EINVAL
 * for a bad value or a name that is not a generic option).
 *
 * @example
 * ```ts
 * const o = resolveOptions({ recvMaxSize: 0 });
 * o.reconnectMin; // 100
 * ```
 */
export function resolveOptions(partial: Partial<CoreOptions> = {}): CoreOptions {
  return coreSet.resolve(partial);
}

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

/**
 * Turns a "0 = never" duration into a timer delay that in practice never fires.
 *
 * @example
 * ```ts
 * setTimeout(resend, neverIfZero(options.resendTime));
 * ```
 */
export function neverIfZero(ms: number): number {
  return ms <= 0 ? MAX_MS : Math.min(ms, MAX_MS);
}
