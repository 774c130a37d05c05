import { protocols } from "../../../spec/constants.ts";
import { pubMachine } from "../../../spec/machines/pub.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";

/** The unprovided `pub` machine (or a regenerated variant with the same names). */
export type PubMachine = typeof pubMachine;

/** Internal construction options: alternate machine and transports. */
export interface Pub0Internals {
  pubMachine?: PubMachine;
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
  private readonly actor;

  constructor(options?: Partial<SocketOptions>, internals: Pub0Internals = {}) {
    const p = protocols.pub0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    const machine = (internals.pubMachine ?? pubMachine).provide({
      actions: {
        // SP-PUBSUB-12: never delivered; counted and discarded.
        countUnexpected: () => this.count("rxUnexpected"),
        // SP-PUBSUB-13: close only the pipe that misbehaved; the others carry on.
        closeOffender: ({ event }) => {
          (event.arg as Pipe).close(new SPError("EPROTO", "a SUB peer sent data to a PUB socket"));
        },
      },
      guards: {},
      delays: {},
    });
    this.actor = createSpecActor(machine);
    this.actor.start();
  }

  /**
   * Publishes one message to every connected subscriber. Never blocks: with no
   * subscriber, or only slow ones, the message is dropped for them.
   *
   * @example
   * ```ts
   * await pub.send(Buffer.from("topic body"));
   * ```
   */
  send(data: SendData): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    // SP-PUBSUB-2: no header; the message is the whole payload.
    const msg = toOwnedBuffer(data);
    const ring = this.ring;
    for (let i = 0; i < ring.length; i++) {
      const pipe = ring[i] as Pipe;
      // SP-PUBSUB-6: every pipe gets it, whatever the topic ...
      // SP-PUBSUB-9/-10: ... unless its backlog is full; then it misses this one.
      if (pipe.writable) pipe.send(msg);
      else this.count("txDropped");
    }
    return Promise.resolve();
  }

  /**
   * PUB sockets cannot receive (SP-PUBSUB-19).
   *
   * @example
   * ```ts
   * await pub.recv(); // rejects with SPError ENOTSUP
   * ```
   */
  recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a PUB socket cannot receive"));
  }

  /** Number of pipes (subscribers) attached now. */
  get subscriberCount(): number {
    return this.ring.length;
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring = [...this.ring, pipe];
    pipe.onMessage = () => {
      if (this.actor.getSnapshot().status === "active") {
        this.actor.send({ type: "peerData", arg: pipe });
      }
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring = this.ring.filter((p) => p !== pipe);
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
export function pub0(options?: Partial<SocketOptions>, internals?: Pub0Internals): Pub0Socket {
  return new Pub0Socket(options, internals);
}
