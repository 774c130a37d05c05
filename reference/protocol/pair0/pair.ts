import { protocols } from "../../../spec/constants.ts";
import {
  callTimeout,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { type PairSlotMachine, PeerSlot } from "./peer-slot.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export interface Pair0Internals {
  pairSlotMachine?: PairSlotMachine;
  transports?: readonly Transport[];
  /**
   * Messages the peer's receive buffer holds before the socket stops reading the
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A PAIR v0 socket (protocol 0x10): one peer at a time, no protocol header.
 * Further connections are closed while the peer is there (SP-PAIR-3), and
 * `send` waits until a peer is present and writable (SP-PAIR-5).
 *
 * @example
 * ```ts
 * const a = pair0();
 * const { url } = await a.listen("tcp://127.0.0.1:0");
 * const b = pair0();
 * b.dial(url);
 * await b.send("hi");       // waits for the connection if needed
 * await a.recv();           // "hi"
 * ```
 */
export class Pair0Socket extends SocketBase {
  /** The peer's bounded receive buffer (one flow at a time) and the waiting receivers. */
  private readonly inbox: ReceiveQueue<Buffer>;
  private readonly slot: PeerSlot;

  constructor(options?: Partial<SocketOptions>, internals: Pair0Internals = {}) {
    const p = protocols.pair0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.inbox = new ReceiveQueue<Buffer>(this.options, (m) => m.length, internals.recvQueueSize);
    this.slot = new PeerSlot(
      {
        // SP-PAIR-2: the body goes out unchanged, without a header.
        write: (pipe, body) => pipe.send(body),
        // SP-PAIR-2, SP-PAIR-6: the whole payload is delivered, in arrival order.
        // SP-PAIR-21: a full buffer stops reading the pipe; nothing is dropped.
        attach: (pipe) => {
          const flow = this.inbox.attach(pipe);
          pipe.onMessage = (msg) => this.inbox.deliver(flow, msg);
        },
        // What the peer sent before it left is still received.
        detach: (pipe) => {
          pipe.onMessage = null;
          this.inbox.detachPipe(pipe);
        },
        sendTimeout: () => this.options.sendTimeout,
        count: (stat) => this.count(stat),
      },
      internals.pairSlotMachine,
    );
  }

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
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (opts) {
      const refused = refuseCall(opts);
      if (refused) return Promise.reject(refused);
    }
    return this.slot.send(toOwnedBuffer(data), opts);
  }

  /**
   * Receives the next message from the peer; ETIMEDOUT after `recvTimeout`
   * (or `opts.timeoutMs`), ECANCELED when `opts.signal` aborts. A recv that
   * gave up never takes a message: the next recv gets it.
   *
   * @example
   * ```ts
   * const msg = await sock.recv();
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
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

/**
 * Opens a PAIR v0 socket.
 *
 * @example
 * ```ts
 * const s = pair0({ sendTimeout: 1000 });
 * ```
 */
export function pair0(options?: Partial<SocketOptions>, internals?: Pair0Internals): Pair0Socket {
  return new Pair0Socket(options, internals);
}
