import { protocols } from "../../../spec/constants.ts";
import {
  createPushLogic,
  type PushImplementation,
  type pushCompiled,
} from "../../../spec/machines/push.ts";
import {
  callTimeout,
  deadlineOf,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import { neverIfZero } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { type CannotRecv, type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { DetailStat } from "../../core/stats.ts";
import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  Transport,
} from "../../core/transport.ts";
import { parseUrl } from "../../core/url.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { Balancer, DEFAULT_PRIORITY, validPriority } from "./balancer.ts";

/** What a send that went out at once returns: one settled promise, shared. */
const RESOLVED: Promise<void> = Promise.resolve();

/** The compiled `push` table the reference runs (or one regenerated from an edited draft). */
export type PushMachine = typeof pushCompiled;

/** Internal construction options: alternate machine and transports. */
export interface Push0Internals {
  pushCompiled?: PushMachine;
  transports?: readonly Transport[];
}

/** Endpoint options of a PUSH socket: the transport's, plus a send priority. */
export interface PushEndpointOptions extends EndpointOptions {
  /**
   * Send priority of every pipe this dialer or listener creates, 1 (highest)
   * to 16 (lowest); default: the socket's `sendPriority` option (8 unless set),
   * nanomsg's NN_SNDPRIO (SP-PIPELINE-7).
   */
  sendPriority?: number;
}

/** A send that found no writable pipe and waits in the machine's queue. */
interface WaitingSend {
  readonly msg: Buffer;
  /** performance.now() deadline; Infinity without a send timeout. */
  readonly deadline: number;
  /** Null for a message given back by a dead pipe: its sender was already answered. */
  readonly done: Waiter<void> | null;
}

/** What each `push` event carries in `arg` (the payload map the machine is bound with). */
interface PushArgs {
  block: WaitingSend;
  ready: undefined;
  earlierDeadline: undefined;
  close: undefined;
}

/**
 * A cooked PUSH socket (protocol 0x50). Each message goes to exactly one
 * pipe: round robin over the writable pipes of the best send priority
 * (SP-PIPELINE-4, SP-PIPELINE-8). When no pipe is writable, `send` waits —
 * that wait (and its `sendTimeout`) is the `push` actor's business; a send
 * that finds a writable pipe never touches the actor.
 *
 * @example
 * ```ts
 * const push = push0({ sendTimeout: 1000 });
 * push.dial("tcp://127.0.0.1:5555", { sendPriority: 1 }); // preferred worker
 * push.dial("tcp://127.0.0.1:5556");                       // fallback, priority 8
 * await push.send("task 1");
 * ```
 */
export class Push0Socket extends SocketBase<ProtocolOptionRows<"push0">> {
  private readonly lb = new Balancer();
  private readonly waiting = new RingQueue<WaitingSend>();
  /**
   * No waiting send has a deadline before this. It may be stale on the low
   * side after sends went out (the timer then fires early, finds nothing
   * expired and re-arms); it is exact after `expireWaiting`.
   */
  private earliest = Number.POSITIVE_INFINITY;
  /** The deadline the `sendTimeout` delay was last armed for. */
  private armedFor = Number.POSITIVE_INFINITY;
  /** Pipe id → its send priority, while a pipe of an endpoint with a priority attaches. */
  private readonly endpointPriority = new Map<number, number>();
  /** Endpoints opened with a priority (closed by us; the base closes the rest). */
  private readonly ownEndpoints = new Set<Dialer | Listener>();
  private readonly schemes: ReadonlyMap<string, Transport>;
  private readonly actor;

  constructor(options?: ProtocolOptions<"push0">, internals: Push0Internals = {}) {
    const p = protocols.push0;
    const transports = internals.transports ?? defaultTransports;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      transports,
      optionRegistry.push0,
    );
    this.schemes = new Map(transports.map((t) => [t.scheme, t]));
    const impl: PushImplementation<PushArgs> = {
      actions: {
        enqueueSend: ({ event }) => {
          const w = event.arg;
          this.waiting.push(w);
          this.earliest = Math.min(this.earliest, w.deadline);
        },
        // SP-PIPELINE-4/-5: waiting sends go out, oldest first, as pipes allow.
        transmitWaiting: () => {
          for (;;) {
            const head = this.waiting.peek();
            if (!head) {
              this.earliest = Number.POSITIVE_INFINITY;
              return;
            }
            // A send that gave up has left the queue (withdraw); this only guards the order.
            if (head.done?.settled) {
              this.waiting.shift();
              continue;
            }
            const pipe = this.lb.pick();
            if (!pipe) return;
            this.waiting.shift();
            pipe.send(head.msg);
            head.done?.resolve();
          }
        },
        // SP-PIPELINE-5: every send that waited past its own timeout fails with
        // ETIMEDOUT, wherever it stands; the others keep their order.
        expireWaiting: () => {
          const now = performance.now() + 1;
          let earliest = Number.POSITIVE_INFINITY;
          for (const w of this.waiting.drain()) {
            if (w.deadline > now) {
              this.waiting.push(w);
              earliest = Math.min(earliest, w.deadline);
              continue;
            }
            this.count("txTimedOut");
            if (w.done)
              w.done.fail(new SPError("ETIMEDOUT", "no PULL peer could take the message"));
            else this.count("txDropped");
          }
          this.earliest = earliest;
        },
        // SP-PIPELINE-14: close fails every waiting send.
        failWaiting: () => {
          for (const w of this.waiting.drain()) w.done?.fail(new SPError("ECLOSED"));
        },
      },
      guards: {
        sendsWaiting: () => !this.waiting.isEmpty(),
      },
      delays: {
        // What is left until the earliest deadline among the waiting sends.
        sendTimeout: () => {
          this.armedFor = this.waiting.isEmpty() ? Number.POSITIVE_INFINITY : this.earliest;
          if (this.armedFor === Number.POSITIVE_INFINITY) return neverIfZero(0);
          return Math.max(0, Math.ceil(this.armedFor - performance.now()));
        },
      },
    };
    this.actor = createSpecActor(createPushLogic(impl, internals.pushCompiled));
    this.actor.start();
  }

  /**
   * Sends one message to one PULL peer. Resolves once queued on a pipe;
   * waits while no pipe is writable, failing with ETIMEDOUT after
   * `sendTimeout` or `opts.timeoutMs` (SP-PIPELINE-5), ECANCELED when
   * `opts.signal` aborts, and ECLOSED on close. A send that fails while it
   * waits leaves the queue: it never reaches a peer.
   *
   * @example
   * ```ts
   * await push.send(Buffer.from("job"), { signal: AbortSignal.timeout(2000) });
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    // SP-FRAMEWORK-33: a send started after close fails at once, never queued.
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (opts) {
      const refused = refuseCall(opts);
      if (refused) return Promise.reject(refused);
    }
    // Fast path: nothing waits ahead of us and a pipe can take it (no actor event).
    if (this.waiting.isEmpty()) {
      const pipe = this.lb.pick();
      if (pipe) {
        // SP-PIPELINE-2: no header; the message is the whole payload.
        // SP-PIPELINE-3: exactly one pipe. A pipe that copies small payloads as it
        // queues them needs no private copy of the caller's buffer.
        const copies = data instanceof Uint8Array && data.length <= (pipe.copyLimit ?? -1);
        pipe.send(copies ? data : toOwnedBuffer(data));
        return RESOLVED;
      }
    }
    const msg = toOwnedBuffer(data);
    // SP-PIPELINE-6: never dropped for want of a pipe; it waits in the send slot.
    const deadline = deadlineOf(callTimeout(opts, this.options.sendTimeout));
    // The deadline is the actor's business (expireWaiting); an abort withdraws the send here.
    const done = new Waiter<void>(-1, () => this.withdraw(waiting), opts?.signal);
    const waiting: WaitingSend = { msg, deadline, done };
    // Already blocked: join the queue directly (no actor event per message under
    // backpressure), unless this send must fail before the timer is due.
    if (!this.waiting.isEmpty()) {
      this.waiting.push(waiting);
      this.earliest = Math.min(this.earliest, deadline);
      if (deadline < this.armedFor) this.actor.send({ type: "earlierDeadline" });
    } else this.actor.send({ type: "block", arg: waiting });
    return done.promise;
  }

  /**
   * PUSH sockets cannot receive (SP-PIPELINE-17): calling `recv` on a
   * `Push0Socket` does not compile; through a `SocketBase` it rejects with ENOTSUP.
   *
   * @example
   * ```ts
   * await (push as SocketBase).recv(); // rejects with SPError ENOTSUP
   * ```
   */
  override recv(this: CannotRecv<"PUSH">, opts?: RecvOptions): Promise<Buffer>;
  override recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a PUSH socket cannot receive"));
  }

  /**
   * A PUSH socket has nothing to receive, so `for await` over a `Push0Socket` does
   * not compile (the declared `never` is no async iterator); through a
   * `SocketBase` the loop's first step rejects with ENOTSUP, as `recv` does.
   */
  override [Symbol.asyncIterator](): never {
    return super[Symbol.asyncIterator]() as never;
  }

  /**
   * Messages waiting in the socket for a PULL peer that can take them: sends
   * not yet resolved, and messages a dead pipe gave back. A send that timed
   * out or was aborted is not among them.
   */
  get waitingSends(): number {
    return this.waiting.length;
  }

  /** Number of PULL peers (pipes) attached now. */
  get peerCount(): number {
    return this.lb.size;
  }

  /**
   * Dials like {@link SocketBase.dial}; `sendPriority` (1..16; default: the
   * socket's `sendPriority` option, 8) applies to every pipe this dialer creates
   * (SP-PIPELINE-7).
   *
   * @example
   * ```ts
   * push.dial("tcp://10.0.0.5:5555", { sendPriority: 2 });
   * ```
   */
  override dial(url: string, options?: PushEndpointOptions): Dialer {
    const prio = options?.sendPriority ?? this.options.sendPriority;
    if (prio === DEFAULT_PRIORITY) return super.dial(url, options);
    validPriority(prio);
    this.assertOpen();
    const parsed = parseUrl(url, false);
    const d = this.transport(parsed.scheme).dial(parsed, this.hostWithPriority(prio), options);
    this.ownEndpoints.add(d);
    return d;
  }

  /**
   * Listens like {@link SocketBase.listen}; `sendPriority` (default: the
   * socket's `sendPriority` option) applies to every pipe this listener accepts.
   *
   * @example
   * ```ts
   * await push.listen("tcp://127.0.0.1:0", { sendPriority: 16 });
   * ```
   */
  override async listen(url: string, options?: PushEndpointOptions): Promise<Listener> {
    const prio = options?.sendPriority ?? this.options.sendPriority;
    if (prio === DEFAULT_PRIORITY) return super.listen(url, options);
    validPriority(prio);
    this.assertOpen();
    const parsed = parseUrl(url, true);
    const transport = this.transport(parsed.scheme);
    const l = await transport.listen(parsed, this.hostWithPriority(prio), options);
    if (this.isClosed) {
      await l.close();
      throw new SPError("ECLOSED");
    }
    this.ownEndpoints.add(l);
    return l;
  }

  protected pipeAdded(pipe: Pipe): void {
    this.lb.add(pipe, this.endpointPriority.get(pipe.id) ?? DEFAULT_PRIORITY);
    // SP-PIPELINE-11/-12: a PULL never sends; anything that comes is discarded.
    pipe.onMessage = () => this.count("rxDiscarded");
    pipe.onWritable = () => this.pipeReady();
    // SP-PIPELINE-5: a waiting send goes out on the new pipe.
    this.pipeReady();
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.lb.remove(pipe);
    pipe.onMessage = null;
    pipe.onWritable = null;
    // SP-PIPELINE-18: messages the dead pipe never handed to its connection are
    // not lost: they go back to the head of the queue, oldest first, for another pipe.
    // SP-PIPELINE-19: what it did write is never sent again (at most once).
    const unsent = pipe.takeUnsent?.();
    if (!unsent || unsent.length === 0) return;
    if (this.isClosed || this.actor.getSnapshot().status !== "active") {
      for (let i = 0; i < unsent.length; i++) this.count("txDropped");
      return;
    }
    const t = this.options.sendTimeout;
    const deadline = t < 0 ? Number.POSITIVE_INFINITY : performance.now() + t;
    for (let i = unsent.length - 1; i >= 0; i--) {
      this.waiting.unshift({ msg: unsent[i] as Buffer, deadline, done: null });
      this.earliest = Math.min(this.earliest, deadline);
      this.count("txRequeued");
    }
    // From idle the first event only enters `blocked` (sendsWaiting); the next transmits.
    if (this.actor.getSnapshot().value === "idle") this.actor.send({ type: "ready" });
    this.pipeReady();
  }

  protected protocolClose(): void {
    this.actor.send({ type: "close" });
    for (const e of this.ownEndpoints) void e.close();
    this.ownEndpoints.clear();
  }

  /**
   * An aborted send leaves the queue, so no pipe ever gets it. When the queue
   * runs empty the actor leaves `blocked` (its deadlines changed: none is left),
   * so that its timer stops and the next send that finds no pipe blocks afresh.
   */
  private withdraw(w: WaitingSend): void {
    if (!this.waiting.remove(w)) return;
    if (!this.waiting.isEmpty()) return;
    this.earliest = Number.POSITIVE_INFINITY;
    const snap = this.actor.getSnapshot();
    if (snap.status === "active" && snap.value === "blocked") {
      this.actor.send({ type: "earlierDeadline" });
    }
  }

  private pipeReady(): void {
    if (!this.waiting.isEmpty() && this.actor.getSnapshot().status === "active") {
      this.actor.send({ type: "ready" });
    }
  }

  private transport(scheme: string): Transport {
    const t = this.schemes.get(scheme);
    if (!t) throw new SPError("ENOTSUP", `no transport for scheme ${scheme}`);
    return t;
  }

  /**
   * A PipeHost that behaves exactly like this socket (it inherits from it)
   * but tags the pipes it attaches with a send priority.
   */
  private hostWithPriority(priority: number): PipeHost {
    const host = Object.create(this) as PipeHost;
    host.attachPipe = (pipe: Pipe) => {
      // By id: the protocol is handed the socket's counting view of the pipe, not this object.
      this.endpointPriority.set(pipe.id, priority);
      this.attachPipe(pipe);
      this.endpointPriority.delete(pipe.id);
    };
    host.detachPipe = (pipe: Pipe) => this.detachPipe(pipe);
    host.count = (stat: DetailStat) => this.count(stat);
    return host;
  }
}

/**
 * Opens a PUSH socket.
 *
 * @example
 * ```ts
 * const push = push0({ sendTimeout: 5000 });
 * ```
 */
export function push0(options?: ProtocolOptions<"push0">, internals?: Push0Internals): Push0Socket {
  return new Push0Socket(options, internals);
}
