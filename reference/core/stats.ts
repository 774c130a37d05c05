import type { SPError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";

/**
 * Counters of one socket, summed over every pipe it ever had. Plain numbers,
 * incremented on the data path without allocating.
 */
export interface SocketCounters {
  /** Messages received from peers (before protocol filtering). */
  msgsIn: number;
  /** Messages handed to pipes for sending. */
  msgsOut: number;
  /** Payload bytes received (protocol header + body, without framing). */
  bytesIn: number;
  /** Payload bytes sent. */
  bytesOut: number;
  /** Messages dropped (queue full, no route, TTL exceeded, slow peer, late reply...). */
  drops: number;
  /** Peer protocol violations (bad header, malformed message, oversize frame...). */
  protocolErrors: number;
  /** Pipes attached (connections that finished their handshake). */
  connects: number;
  /** Pipes detached. */
  disconnects: number;
}

/** Counters of one pipe, plus who it is. */
export interface PipeCounters {
  /** Socket-unique pipe id. */
  readonly id: number;
  /** Peer protocol number from its SP header. */
  readonly peer: number;
  /** Where the pipe goes, when its transport tells (`remote` address or `url`). */
  readonly url?: string;
  msgsIn: number;
  msgsOut: number;
  bytesIn: number;
  bytesOut: number;
}

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

/** Diagnostic stat names (as passed to `count`) that mean a dropped message. */
const DROP_STAT = /Dropped|QueueFull|TtlExceeded|HopZero|NoRoute|Unmatched/;
/** Stat names that mean a peer broke the protocol. */
const PROTO_STAT = /Malformed|BadHeader|Oversize|BadFrameType|BadPeer|ProtocolError|rxText/;

/**
 * Classifies a diagnostic stat name into the summary counters.
 *
 * @example
 * ```ts
 * classifyStat("rxTtlExceeded"); // "drops"
 * ```
 */
export function classifyStat(stat: string): "drops" | "protocolErrors" | undefined {
  if (DROP_STAT.test(stat)) return "drops";
  if (PROTO_STAT.test(stat)) return "protocolErrors";
  return undefined;
}

/** Where the pipe goes, if its transport exposes it. */
function pipeUrl(pipe: Pipe): string | undefined {
  const p = pipe as Pipe & { url?: unknown; remote?: unknown };
  if (typeof p.url === "string") return p.url;
  try {
    if (typeof p.remote === "string") return p.remote;
  } catch {
    // a getter on a closed connection
  }
  return undefined;
}

/**
 * Makes `pipe` count its traffic into `counters` and `total` without touching
 * the transport: `send` is wrapped once, and `onMessage` becomes an accessor
 * that wraps each handler the protocol installs (once per install, not per
 * message).
 *
 * @example
 * ```ts
 * const c = instrumentPipe(pipe, socketCounters);
 * c.msgsIn; // grows as messages arrive
 * ```
 */
export function instrumentPipe(pipe: Pipe, total: SocketCounters): PipeCounters {
  const c: PipeCounters = {
    id: pipe.id,
    peer: pipe.peer,
    url: pipeUrl(pipe),
    msgsIn: 0,
    msgsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
  const target = pipe as Pipe & { send: Pipe["send"] };
  const send = target.send.bind(pipe);
  target.send = (first: Uint8Array, second?: Uint8Array): boolean => {
    const n = first.length + (second ? second.length : 0);
    c.msgsOut++;
    c.bytesOut += n;
    total.msgsOut++;
    total.bytesOut += n;
    return send(first, second);
  };
  let handler: ((msg: Buffer) => void) | null = pipe.onMessage;
  let wrapped: ((msg: Buffer) => void) | null = null;
  const wrap = (h: ((msg: Buffer) => void) | null) => {
    handler = h;
    wrapped =
      h === null
        ? null
        : (msg: Buffer) => {
            c.msgsIn++;
            c.bytesIn += msg.length;
            total.msgsIn++;
            total.bytesIn += msg.length;
            h(msg);
          };
  };
  wrap(handler);
  Object.defineProperty(pipe, "onMessage", {
    configurable: true,
    enumerable: true,
    get: () => wrapped,
    set: (h: ((msg: Buffer) => void) | null) => wrap(h),
  });
  return c;
}
