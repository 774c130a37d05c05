/**
 * What PAIR v0 and monogamous PAIR v1 share: one peer at a time in a
 * {@link PeerSlot}, a bounded receive buffer for that peer, and the same
 * send/recv/close rules. A version supplies only its wire format: how a body
 * goes out, and what of a received message is delivered.
 */
import { callTimeout, type RecvOptions, type SendOptions } from "../../core/call-options.ts";
import type { NoOptionRows, OptionInit, OptionRows, OptionSet } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { callRefusal } from "../shared/call-refusal.ts";
import { type PairSlotMachine, PeerSlot } from "./peer-slot.ts";

/** Internal construction options of a monogamous PAIR socket: alternate machine, transports, queue size. */
export interface MonoPairInternals {
  pairSlotCompiled?: PairSlotMachine;
  transports?: readonly Transport[];
  /**
   * Messages the peer's receive buffer holds before the socket stops reading the
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A monogamous PAIR socket (v0 or v1): further connections are closed while
 * the peer is there (SP-PAIR-3), and `send` waits until a peer is present and
 * writable (SP-PAIR-5). Subclasses give the version's wire format with
 * {@link MonoPairSocket.write} and, when messages carry a header,
 * {@link MonoPairSocket.accept}. `R` is the protocol's own option rows.
 *
 * @example
 * ```ts
 * class MyPair extends MonoPairSocket {
 *   protected write(pipe: Pipe, body: Buffer): void { pipe.send(body); }
 * }
 * ```
 */
export abstract class MonoPairSocket<R extends OptionRows = NoOptionRows> extends SocketBase<R> {
  /** The peer's bounded receive buffer (one flow at a time) and the waiting receivers. */
  private readonly inbox: ReceiveQueue<Buffer>;
  private readonly slot: PeerSlot;

  protected constructor(
    p: { number: number; peer: number; name: string; peerName: string },
    options: OptionInit<R> | undefined,
    internals: MonoPairInternals,
    optionSet: OptionSet<R>,
  ) {
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionSet,
    );
    this.inbox = new ReceiveQueue<Buffer>(this.options, (m) => m.length, internals.recvQueueSize);
    this.slot = new PeerSlot(
      {
        write: (pipe, body) => this.write(pipe, body),
        attach: (pipe) => {
          const flow = this.inbox.attach(pipe);
          // SP-PAIR-21: a full buffer stops reading the pipe; nothing is dropped.
          pipe.onMessage = this.accept
            ? (msg) => {
                const body = this.accept?.(pipe, msg);
                if (body) this.inbox.deliver(flow, body);
              }
            : (msg) => this.inbox.deliver(flow, msg);
        },
        // What the peer sent before it left is still received.
        detach: (pipe) => {
          pipe.onMessage = null;
          this.inbox.detachPipe(pipe);
        },
        sendTimeout: () => this.options.sendTimeout,
        count: (stat) => this.count(stat),
      },
      internals.pairSlotCompiled,
    );
  }

  /** Writes one body to the peer, adding the version's header if it has one. */
  protected abstract write(pipe: Pipe, body: Buffer): void;

  /**
   * The body to deliver of a message received on `pipe`, or undefined when the
   * message is dropped. Without it, each message is delivered whole.
   */
  protected accept?(pipe: Pipe, msg: Buffer): Buffer | undefined;

  /** The id of the pipe of the current peer, or undefined with no peer. */
  get peerPipeId(): number | undefined {
    return this.slot.current?.id;
  }

  /**
   * Sends one message to the peer. Resolves once it is queued on the peer's
   * pipe; waits while there is no writable peer, failing with ETIMEDOUT
   * after `sendTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal`
   * aborts, and ECLOSED on close. A send that fails while it waits is never
   * written.
   *
   * @example
   * ```ts
   * await sock.send(new Uint8Array([1, 2, 3]));
   * ```
   */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    const refused = callRefusal(this.isClosed, opts);
    if (refused) return Promise.reject(refused);
    return this.slot.send(toOwnedBuffer(data), opts);
  }

  /**
   * Receives the next message body from the peer; ETIMEDOUT after
   * `recvTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal` aborts.
   * A recv that gave up never takes a message: the next recv gets it.
   *
   * @example
   * ```ts
   * const msg = await sock.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    const refused = callRefusal(this.isClosed, opts);
    if (refused) return Promise.reject(refused);
    return this.inbox.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.slot.pipeAdded(pipe);
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.slot.pipeRemoved(pipe);
  }

  protected protocolClose(): void {
    // SP-PAIR-7: pending sends and receives fail with ECLOSED.
    this.slot.close();
    this.inbox.close();
  }
}
