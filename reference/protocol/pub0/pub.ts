import { protocols } from "../../../spec/constants.ts";
import {
  createPubLogic,
  type PubImplementation,
  type pubCompiled,
} from "../../../spec/machines/pub.ts";
import { type RecvOptions, refuseCall, type SendOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type CannotRecv, type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";

/** What a send that went out (or was dropped) returns: one settled promise, shared. */
const RESOLVED: Promise<void> = Promise.resolve();

/** Sends that dropped for some pipe before one of them gives the event loop a turn. */
export const DROPS_PER_YIELD = 64;

/** The largest payload every pipe of `ring` copies when queueing it (Infinity with none). */
function smallestCopyLimit(ring: readonly Pipe[]): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const p of ring) limit = Math.min(limit, p.copyLimit ?? 0);
  return limit;
}

/** The compiled `pub` table the reference runs (or one regenerated from an edited draft). */
export type PubMachine = typeof pubCompiled;

/** What each `pub` event carries in `arg`: `peerData` names the pipe that sent data. */
interface PubArgs {
  peerData: Pipe;
  close: undefined;
}

/** Internal construction options: alternate machine and transports. */
export interface Pub0Internals {
  pubCompiled?: PubMachine;
  transports?: readonly Transport[];
}

/**
 * A cooked PUB socket (protocol 0x20). `send` copies the message to every
 * pipe that is writable and skips (drops, counted as `txDropped`) a pipe whose
 * write backlog is over its high-water mark, so a slow subscriber never blocks
 * the others (SP-PUBSUB-8, SP-PUBSUB-9). Distribution is plain code; the `pub`
 * actor only sees data that a peer wrongly sends to us.
 *
 * @example
 * ```ts
 * const pub = pub0();
 * await pub.listen("tcp://127.0.0.1:5555");
 * await pub.send("weather.paris 21C");
 * ```
 */
export class Pub0Socket extends SocketBase {
  /** Pipes in attach order; a plain array is the fastest thing to iterate per send. */
  private ring: Pipe[] = [];
  /** The smallest `copyLimit` of the pipes (0 while some pipe does not copy, e.g. inproc). */
  private copyLimit = Number.POSITIVE_INFINITY;
  /** Sends that dropped for some pipe since the event loop last had a turn (see `send`). */
  private dropsSinceYield = 0;
  private readonly actor;

  constructor(options?: ProtocolOptions<"pub0">, internals: Pub0Internals = {}) {
    const p = protocols.pub0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.pub0,
    );
    const impl: PubImplementation<PubArgs> = {
      actions: {
        // SP-PUBSUB-12: never delivered; counted and discarded.
        countUnexpected: () => this.count("rxUnexpected"),
        // SP-PUBSUB-13: close only the pipe that misbehaved (rather than discard and keep
        // it, which SP-PUBSUB-24 allows); the others carry on.
        closeOffender: ({ event }) => {
          event.arg.close(new SPError("EPROTO", "a SUB peer sent data to a PUB socket"));
        },
      },
      guards: {},
      delays: {},
    };
    this.actor = createSpecActor(createPubLogic(impl, internals.pubCompiled));
    this.actor.start();
  }

  /**
   * Publishes one message to every connected subscriber. Never blocks: with no
   * subscriber, or only slow ones, the message is dropped for them. So
   * `opts.timeoutMs` has nothing to bound; an already aborted `opts.signal`
   * fails the call (ECANCELED) before anything is sent.
   *
   * @example
   * ```ts
   * await pub.send(Buffer.from("topic body"));
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (opts) {
      const refused = refuseCall(opts);
      if (refused) return Promise.reject(refused);
    }
    // SP-PUBSUB-2: no header; the message is the whole payload. Every pipe's transport
    // copies a payload this small as it queues it, so the caller's bytes need no copy here.
    const msg =
      data instanceof Uint8Array && data.length <= this.copyLimit ? data : toOwnedBuffer(data);
    const ring = this.ring;
    let dropped = false;
    for (let i = 0; i < ring.length; i++) {
      const pipe = ring[i] as Pipe;
      // SP-PUBSUB-6: every pipe gets it, whatever the topic ...
      // SP-PUBSUB-9/-10: ... unless its backlog is full; then it misses this one.
      // SP-PUBSUB-23: the other pipes are served at once; nothing waits for the slow one.
      if (pipe.writable) pipe.send(msg);
      else {
        this.count("txDropped");
        dropped = true;
      }
    }
    // A publisher that sends in a loop of resolved promises never lets the event loop run,
    // so its transports never learn that the kernel took their backlog: a pipe that was
    // full once would then miss every later message of the loop, however fast its
    // subscriber reads. After DROPS_PER_YIELD sends that dropped something, one send
    // resolves only after the event loop had a turn. It waits for no subscriber
    // (SP-PUBSUB-8): a stalled one costs the others one turn per DROPS_PER_YIELD messages.
    if (dropped && ++this.dropsSinceYield >= DROPS_PER_YIELD) {
      this.dropsSinceYield = 0;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return RESOLVED;
  }

  /**
   * PUB sockets cannot receive (SP-PUBSUB-19): calling `recv` on a
   * `Pub0Socket` does not compile; through a `SocketBase` it rejects with ENOTSUP.
   *
   * @example
   * ```ts
   * await (pub as SocketBase).recv(); // rejects with SPError ENOTSUP
   * ```
   */
  override recv(this: CannotRecv<"PUB">, opts?: RecvOptions): Promise<Buffer>;
  override recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a PUB socket cannot receive"));
  }

  /**
   * A PUB socket has nothing to receive, so `for await` over a `Pub0Socket` does
   * not compile (the declared `never` is no async iterator); through a
   * `SocketBase` the loop's first step rejects with ENOTSUP, as `recv` does.
   */
  override [Symbol.asyncIterator](): never {
    return super[Symbol.asyncIterator]() as never;
  }

  /** Number of pipes (subscribers) attached now. */
  get subscriberCount(): number {
    return this.ring.length;
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring = [...this.ring, pipe];
    this.copyLimit = smallestCopyLimit(this.ring);
    pipe.onMessage = () => {
      if (this.actor.getSnapshot().status === "active") {
        this.actor.send({ type: "peerData", arg: pipe });
      }
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring = this.ring.filter((p) => p !== pipe);
    this.copyLimit = smallestCopyLimit(this.ring);
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    this.ring = [];
  }
}

/**
 * Opens a PUB socket.
 *
 * @example
 * ```ts
 * const pub = pub0();
 * ```
 */
export function pub0(options?: ProtocolOptions<"pub0">, internals?: Pub0Internals): Pub0Socket {
  return new Pub0Socket(options, internals);
}
