import type { SPError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";

/** What a counter counts. */
export type StatUnit = "messages" | "bytes" | "pipes" | "events";

/**
 * One statistic.
 *
 * - `level: "summary"` — a field of `stats().socket` (and, with `scope: "pipe"`,
 *   of each entry of `stats().pipes`).
 * - `level: "detail"` — a key of `getStats()`, counted by name where it happens;
 *   `addsTo` names the summary counter it also adds one to.
 */
export interface StatRow {
  /** `counter` only grows; `gauge` goes up and down. */
  readonly kind: "counter" | "gauge";
  readonly unit: StatUnit;
  /** `pipe`: kept for each pipe and summed for the socket; `socket`: for the socket only. */
  readonly scope: "pipe" | "socket";
  readonly level: "summary" | "detail";
  /** For a detail counter: the summary counter it adds to (`drops`, `protocolErrors`). */
  readonly addsTo?: "drops" | "protocolErrors";
  /** What it counts. */
  readonly doc: string;
}

/** A detail counter of a lost message: it adds to `drops`. */
const drop = (doc: string) =>
  ({
    kind: "counter",
    unit: "messages",
    scope: "socket",
    level: "detail",
    addsTo: "drops",
    doc,
  }) as const;

/** A detail counter of a peer that broke the protocol: it adds to `protocolErrors`. */
const protocolError = (doc: string) =>
  ({
    kind: "counter",
    unit: "events",
    scope: "socket",
    level: "detail",
    addsTo: "protocolErrors",
    doc,
  }) as const;

/** A detail counter of something worth knowing that is neither a drop nor a peer's fault. */
const event = (doc: string, unit: StatUnit = "events") =>
  ({ kind: "counter", unit, scope: "socket", level: "detail", doc }) as const;

/**
 * Every statistic a socket keeps: the closed set of names, each with its class.
 * `count(name)` takes only the detail names; a name missing here does not compile.
 *
 * @example
 * ```ts
 * statTable.rxTtlExceeded.addsTo; // "drops"
 * statTable.bytesIn.scope; // "pipe"
 * ```
 */
export const statTable = {
  // Summaries: the fields of stats().
  msgsIn: {
    kind: "counter",
    unit: "messages",
    scope: "pipe",
    level: "summary",
    doc: "messages received from peers, before protocol filtering",
  },
  msgsOut: {
    kind: "counter",
    unit: "messages",
    scope: "pipe",
    level: "summary",
    doc: "messages pipes accepted for sending",
  },
  bytesIn: {
    kind: "counter",
    unit: "bytes",
    scope: "pipe",
    level: "summary",
    doc: "payload bytes received (protocol header + body, without framing)",
  },
  bytesOut: {
    kind: "counter",
    unit: "bytes",
    scope: "pipe",
    level: "summary",
    doc: "payload bytes pipes accepted for sending",
  },
  drops: {
    kind: "counter",
    unit: "messages",
    scope: "socket",
    level: "summary",
    doc: "messages lost: the sum of the detail counters that add to drops",
  },
  protocolErrors: {
    kind: "counter",
    unit: "events",
    scope: "socket",
    level: "summary",
    doc: "peer protocol violations: the sum of the detail counters that add to protocolErrors",
  },
  connects: {
    kind: "counter",
    unit: "pipes",
    scope: "socket",
    level: "summary",
    doc: "pipes attached (connections that finished their handshake)",
  },
  disconnects: {
    kind: "counter",
    unit: "pipes",
    scope: "socket",
    level: "summary",
    doc: "pipes detached",
  },
  pipesOpen: {
    kind: "gauge",
    unit: "pipes",
    scope: "socket",
    level: "summary",
    doc: "pipes attached now",
  },

  // Lost messages.
  txDropped: drop("a message not sent to a pipe that could not take it (slow peer, gone pipe)"),
  rxDropped: drop("a reply or response that answers nothing outstanding"),
  rxQueueFull: drop("a survey response past the bound kept per survey"),
  rxTtlExceeded: drop("a message with more hops than maxTtl"),
  rxHopZero: drop("a PAIR v1 message with a hop count of 0"),
  txTtlExceeded: drop("a raw PAIR v1 message whose hop count would pass maxTtl"),
  txNoRoute: drop("a raw reply whose first header word names no pipe"),
  rxMalformedDropped: drop("a raw reply without a well-formed request id"),
  rxDiscarded: drop("data a PULL sent to a PUSH, which never receives (SP-PIPELINE-11)"),
  rxUnexpected: drop("data a SUB sent to a PUB (SP-PUBSUB-12); its pipe is closed (EPROTO)"),

  // Peers that broke the protocol; the pipe is closed.
  rxMalformed: protocolError("a message the protocol cannot parse (bad backtrace, header)"),
  rxBadHeader: protocolError("a connection whose SP header is wrong"),
  rxBadPeer: protocolError("an inproc peer of a protocol that does not pair with ours"),
  rxOversize: protocolError("a frame over recvMaxSize"),
  rxBadFrameType: protocolError("an IPC frame of an unknown type"),
  rxText: protocolError("a WebSocket TEXT frame"),
  rxProtocolError: protocolError("a WebSocket protocol violation"),

  // Neither.
  rxFiltered: event("a message no subscription matched (SUB)", "messages"),
  txTimedOut: event("a PUSH send that gave up after sendTimeout", "messages"),
  txRequeued: event("a message a dead pipe never wrote, queued again for another", "messages"),
  rejectAlreadyPaired: event("a PAIR peer refused because one is attached", "pipes"),
  rxPausedOverflow: event("a browser WebSocket closed for holding too much while paused", "pipes"),
  handshakeTimeout: event("a connection that did not send its SP header in time", "pipes"),
  dialFailed: event("a failed dial attempt"),
  dialRefused: event("a WebSocket dial whose upgrade was refused"),
  wsUpgradeRefused: event("a WebSocket upgrade refused (path, subprotocol, request)"),
  tlsVerifyFailed: event("a TLS peer whose certificate did not verify"),
  tlsHandshakeFailed: event("a TLS handshake a client failed"),
  tlsRenegotiationRefused: event("a TLS renegotiation refused"),
} as const satisfies Record<string, StatRow>;

/** Every statistic's name. */
export type StatName = keyof typeof statTable;

/** The names of one level. */
type NamesAt<L extends StatRow["level"]> = {
  [K in StatName]: (typeof statTable)[K]["level"] extends L ? K : never;
}[StatName];

/** A detail counter, as `count(name)` and `getStats()` know it. */
export type DetailStat = NamesAt<"detail">;

/** A summary counter of `stats()`. */
export type SummaryStat = NamesAt<"summary">;

/** The summary counters kept for each pipe (and summed for the socket). */
export type PipeStat = {
  [K in SummaryStat]: (typeof statTable)[K]["scope"] extends "pipe" ? K : never;
}[SummaryStat];

/**
 * Counters of one socket, summed over every pipe it ever had. Plain numbers,
 * incremented on the data path without allocating. See {@link statTable}.
 */
export type SocketCounters = {
  [K in SummaryStat as (typeof statTable)[K]["kind"] extends "counter" ? K : never]: number;
};

/** Counters of one pipe, plus who it is. */
export type PipeCounters = { [K in PipeStat]: number } & {
  /** Socket-unique pipe id. */
  readonly id: number;
  /** Peer protocol number from its SP header. */
  readonly peer: number;
  /** Where the pipe goes, when its transport tells (`remote` address or `url`). */
  readonly url?: string;
};

/** The detail counters counted so far (a name absent: not counted yet). */
export type DetailCounts = Readonly<Partial<Record<DetailStat, number>>>;

/** What `sock.stats()` returns: a snapshot (plain objects, safe to keep). */
export interface SocketStatsSnapshot {
  socket: SocketCounters & { pipesOpen: number };
  pipes: PipeCounters[];
}

/** One pipe event, as yielded by `sock.pipeEvents()`. */
export type PipeEvent =
  | { type: "add"; pipe: { id: number; peer: number; url?: string } }
  | {
      type: "remove";
      pipe: { id: number; peer: number; url?: string };
      /** The typed error that removed the pipe; undefined for a clean close. */
      error?: SPError;
    };

/** A fresh set of zeroed socket counters. */
export function newSocketCounters(): SocketCounters {
  return {
    msgsIn: 0,
    msgsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    drops: 0,
    protocolErrors: 0,
    connects: 0,
    disconnects: 0,
  };
}

/**
 * The detail counters of one socket, and the summary counters they add to.
 *
 * @example
 * ```ts
 * const d = new DetailCounters(counters);
 * d.count("rxTtlExceeded"); // and counters.drops grows by one
 * ```
 */
export class DetailCounters {
  private readonly counts = new Map<DetailStat, number>();

  constructor(private readonly totals: SocketCounters) {}

  count(stat: DetailStat): void {
    this.counts.set(stat, (this.counts.get(stat) ?? 0) + 1);
    // An untyped caller may pass a name the table lacks: it is kept, and adds to nothing.
    const into = (statTable[stat] as StatRow | undefined)?.addsTo;
    if (into !== undefined) this.totals[into]++;
  }

  snapshot(): DetailCounts {
    return Object.fromEntries(this.counts);
  }
}

/** Where the pipe goes, if its transport exposes it. */
function pipeUrl(pipe: Pipe): string | undefined {
  const p = pipe as Pipe & { url?: unknown; remote?: unknown };
  try {
    if (typeof p.url === "string") return p.url;
    if (typeof p.remote === "string") return p.remote;
  } catch {
    // a getter on a closed connection
  }
  return undefined;
}

/**
 * The socket's side of one transport pipe: what the protocol is handed when
 * the pipe attaches, in place of the transport's object. It passes every call
 * through and counts the traffic into its own {@link PipeCounters} and the
 * socket's totals. The transport's pipe is left as it is, except for its two
 * callbacks, which are the consumer's to set (`onMessage`, `onWritable`): the
 * socket sets them once, to reach the handlers the protocol sets here.
 *
 * @example
 * ```ts
 * const view = new CountedPipe(transportPipe, socketCounters);
 * protocol.pipeAdded(view); // view.counters.msgsIn grows as messages arrive
 * ```
 */
export class CountedPipe implements Pipe {
  readonly id: number;
  readonly peer: number;
  readonly counters: PipeCounters;
  /** Set by the protocol; called once per received message. */
  onMessage: ((msg: Buffer) => void) | null = null;
  /** Set by the protocol; see {@link Pipe.onWritable}. */
  onWritable: (() => void) | null = null;

  constructor(
    /** The transport's pipe. */
    readonly inner: Pipe,
    private readonly totals: SocketCounters,
  ) {
    this.id = inner.id;
    this.peer = inner.peer;
    this.counters = {
      id: inner.id,
      peer: inner.peer,
      url: pipeUrl(inner),
      msgsIn: 0,
      msgsOut: 0,
      bytesIn: 0,
      bytesOut: 0,
    };
    inner.onMessage = (msg) => this.received(msg);
    inner.onWritable = () => this.onWritable?.();
  }

  get isClosed(): boolean {
    return this.inner.isClosed;
  }

  get closed(): Promise<SPError | undefined> {
    return this.inner.closed;
  }

  get writable(): boolean {
    return this.inner.writable;
  }

  get copyLimit(): number | undefined {
    return this.inner.copyLimit;
  }

  send(first: Uint8Array, second?: Uint8Array): boolean {
    if (!this.inner.send(first, second)) return false;
    const n = first.length + (second ? second.length : 0);
    const c = this.counters;
    const t = this.totals;
    c.msgsOut++;
    c.bytesOut += n;
    t.msgsOut++;
    t.bytesOut += n;
    return true;
  }

  pauseReading(): void {
    this.inner.pauseReading();
  }

  resumeReading(): void {
    this.inner.resumeReading();
  }

  close(reason?: SPError): void {
    this.inner.close(reason);
  }

  takeUnsent(): Buffer[] {
    return this.inner.takeUnsent?.() ?? [];
  }

  /** Stops passing the transport's callbacks on (the pipe is detached). */
  release(): void {
    this.onMessage = null;
    this.onWritable = null;
    this.inner.onMessage = null;
    this.inner.onWritable = null;
  }

  private received(msg: Buffer): void {
    const handler = this.onMessage;
    // Nobody listens (the protocol has not set a handler): not received, not counted.
    if (handler === null) return;
    const c = this.counters;
    const t = this.totals;
    c.msgsIn++;
    c.bytesIn += msg.length;
    t.msgsIn++;
    t.bytesIn += msg.length;
    handler(msg);
  }
}
