import { protocols } from "../../../spec/constants.ts";
import {
  createSubLogic,
  type SubImplementation,
  type subCompiled,
} from "../../../spec/machines/sub.ts";
import {
  callTimeout,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import type { PipeFlow } from "../../core/recv-flow.ts";
import { type CannotSend, type SendData, SocketBase } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import { type SubscriptionMode, Subscriptions } from "../../core/subscriptions.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";

/** The compiled `sub` table the reference runs (or one regenerated from an edited draft). */
export type SubMachine = typeof subCompiled;

/** Internal construction options: alternate machine, transports, queue size, duplicate mode. */
export interface Sub0Internals {
  subCompiled?: SubMachine;
  transports?: readonly Transport[];
  /**
   * Matching messages each pipe's receive buffer holds before the socket stops
   * reading that pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024).
   */
  recvQueueSize?: number;
  /** Duplicate subscriptions: `set` (default, idempotent like NNG) or `refcount` (like nanomsg). */
  subscriptionMode?: SubscriptionMode;
}

/** Topic as given by the application: bytes, or a string taken as UTF-8. */
export type Topic = Uint8Array | string;

/** Argument of the machine's subscribe / unsubscribe events. */
interface TopicOp {
  readonly topic: Uint8Array;
  /** Set by failUnknownTopic. */
  error?: SPError;
}

/** What each `sub` event carries in `arg` (the payload map the machine is bound with). */
interface SubArgs {
  subscribe: TopicOp;
  unsubscribe: TopicOp;
  close: undefined;
}

function topicBytes(topic: Topic): Uint8Array {
  if (typeof topic === "string") return Buffer.from(topic, "utf8");
  if (topic instanceof Uint8Array) return topic;
  throw new SPError("EINVAL", "a topic is a Uint8Array or a string");
}

/**
 * A cooked SUB socket (protocol 0x21). Received messages are matched against
 * a radix tree of topics (byte prefixes) in plain code; the `sub` actor owns
 * the subscription set's lifecycle (subscribe, unsubscribe, close).
 *
 * Duplicate subscriptions are idempotent by default (one unsubscribe removes
 * the topic, SP-PUBSUB-15, documented here as SP-PUBSUB-27 requires); unsubscribing an unknown topic throws EINVAL
 * (SP-PUBSUB-16). A message is matched before it takes room (SP-PUBSUB-22);
 * matching messages wait in their pipe's receive buffer, the pipes served in
 * turn, and a full buffer stops reading that pipe (SP-PUBSUB-17), so that the
 * publisher drops for this slow subscriber alone. Nothing queued is dropped
 * except by an unsubscribe (SP-PUBSUB-18).
 *
 * @example
 * ```ts
 * const sub = sub0();
 * sub.dial("tcp://127.0.0.1:5555");
 * sub.subscribe("weather.");
 * const msg = await sub.recv(); // "weather.paris 21C"
 * ```
 */
export class Sub0Socket extends SocketBase<ProtocolOptionRows<"sub0">> {
  private readonly subs: Subscriptions;
  /** One bounded buffer per pipe, of matching messages only, and the waiting receivers. */
  private readonly queue: ReceiveQueue<Buffer>;
  private readonly actor;

  constructor(options?: ProtocolOptions<"sub0">, internals: Sub0Internals = {}) {
    const p = protocols.sub0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.sub0,
    );
    this.subs = new Subscriptions(internals.subscriptionMode ?? "set");
    this.queue = new ReceiveQueue<Buffer>(this.options, (m) => m.length, internals.recvQueueSize);
    const impl: SubImplementation<SubArgs> = {
      actions: {
        // SP-PUBSUB-14/-15: from now on matching messages are delivered.
        addTopic: ({ event }) => {
          this.subs.add(event.arg.topic);
        },
        // SP-PUBSUB-14: from now on messages matching only this topic are dropped.
        // SP-PUBSUB-18 (MAY): queued messages that no longer match are purged.
        removeTopic: ({ event }) => {
          this.subs.remove(event.arg.topic);
          this.purgeUnmatched();
        },
        // SP-PUBSUB-16: unknown topic: an error, the set is unchanged.
        failUnknownTopic: ({ event }) => {
          event.arg.error = new SPError("EINVAL", "not subscribed to this topic");
        },
        // SP-PUBSUB-20: pending receivers fail with ECLOSED.
        failReceivers: () => {
          this.queue.close();
        },
      },
      guards: {
        topicKnown: ({ event }) => this.subs.has(event.arg.topic),
        lastTopic: ({ event }) => {
          const t = event.arg.topic;
          if (this.subs.size !== 1 || !this.subs.has(t)) return false;
          // refcount mode: only the removal of its last count empties the set.
          return this.subs.countOf(t) === 1;
        },
      },
      delays: {},
    };
    this.actor = createSpecActor(createSubLogic(impl, internals.subCompiled));
    this.actor.start();
  }

  /**
   * Adds a topic (a byte prefix; `""` matches everything).
   *
   * @example
   * ```ts
   * sub.subscribe("news/"); sub.subscribe(new Uint8Array([0x01]));
   * ```
   */
  subscribe(topic: Topic): void {
    this.assertOpen();
    this.topicOp("subscribe", topicBytes(topic));
  }

  /**
   * Removes a topic; throws SPError EINVAL when it is not subscribed.
   *
   * @example
   * ```ts
   * sub.unsubscribe("news/");
   * ```
   */
  unsubscribe(topic: Topic): void {
    this.assertOpen();
    this.topicOp("unsubscribe", topicBytes(topic));
  }

  /** The topics held now (each once). */
  get topics(): Uint8Array[] {
    return this.subs.list();
  }

  /**
   * SUB's byte-valued options (its rows in `./options.ts`): `setOption("subscribe",
   * topic)` / `sub:subscribe` and `unsubscribe` / `sub:unsubscribe` do what
   * {@link subscribe} and {@link unsubscribe} do.
   *
   * @example
   * ```ts
   * sub.setOption("sub:subscribe", Buffer.from("a"));
   * ```
   */
  protected override setBytesOption(name: string, value: Uint8Array): void {
    if (name === "subscribe") this.subscribe(value);
    else if (name === "unsubscribe") this.unsubscribe(value);
    else super.setBytesOption(name, value);
  }

  /**
   * SUB sockets cannot send (SP-PUBSUB-19): calling `send` on a `Sub0Socket`
   * does not compile; through a `SocketBase` it rejects with ENOTSUP.
   *
   * @example
   * ```ts
   * await (sub as SocketBase).send("x"); // rejects with SPError ENOTSUP
   * ```
   */
  override send(this: CannotSend<"SUB">, data?: SendData, opts?: SendOptions): Promise<void>;
  override send(): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a SUB socket cannot send"));
  }

  /**
   * Receives the next message matching a subscription (topic included);
   * ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when
   * `opts.signal` aborts. A recv that gave up never takes a message.
   *
   * @example
   * ```ts
   * const msg = await sub.recv({ timeoutMs: 500 });
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    return this.queue.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  protected pipeAdded(pipe: Pipe): void {
    // SP-PUBSUB-7: a SUB never writes to its pipes; it only reads.
    const flow = this.queue.attach(pipe);
    pipe.onMessage = (msg) => this.onPublished(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
    // Matching messages the pipe delivered before it left are still received.
    this.queue.detachPipe(pipe);
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
  }

  /** Data path: one message from a publisher. No actor involved. */
  private onPublished(flow: PipeFlow<Buffer>, msg: Buffer): void {
    // SP-PUBSUB-3/-4/-5: prefix match (empty topic matches all, empty set matches none).
    // SP-PUBSUB-22, SP-FRAMEWORK-26: decided before the message takes room, so unmatched
    // traffic never makes the socket stop reading.
    if (!this.subs.matches(msg)) {
      this.count("rxFiltered");
      return;
    }
    // SP-PUBSUB-17: a full buffer stops reading this pipe (the pipe stays open,
    // SP-PUBSUB-26, and nothing is dropped); the publisher then skips this subscriber.
    this.queue.deliver(flow, msg);
  }

  private topicOp(type: "subscribe" | "unsubscribe", topic: Uint8Array): void {
    const op: TopicOp = { topic };
    this.actor.send({ type, arg: op });
    if (op.error) throw op.error;
  }

  /** SP-PUBSUB-18: drops queued messages that no longer match; their pipes may read again. */
  private purgeUnmatched(): void {
    this.queue.purge((m) => this.subs.matches(m));
  }
}

/**
 * Opens a SUB socket. It delivers nothing until something is subscribed.
 *
 * @example
 * ```ts
 * const sub = sub0({ recvTimeout: 1000 });
 * sub.subscribe("");
 * ```
 */
export function sub0(options?: ProtocolOptions<"sub0">, internals?: Sub0Internals): Sub0Socket {
  return new Sub0Socket(options, internals);
}
