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
import { type PairSlotMachine, PeerSlot } from "../pair0/peer-slot.ts";
import { acceptPair1, FIRST_HOP_HEADER } from "./header.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export interface Pair1Internals {
  pairSlotMachine?: PairSlotMachine;
  transports?: readonly Transport[];
  /**
   * Messages the peer's receive buffer holds before the socket stops reading the
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A monogamous PAIR v1 socket (protocol 0x11): one peer at a time, each
 * message prefixed with a hop-count word. Sends carry hop count 1; received
 * messages with hop count 0 or above `maxTtl` (nng `ttl-max`, default 8) are
 * dropped and the pipe stays open; a malformed header closes the pipe.
 * For many peers use {@link pair1poly}.
 *
 * @example
 * ```ts
 * const s = pair1({ maxTtl: 4 });
 * const { url } = await s.listen("tcp://127.0.0.1:0");
 * for await (const msg of s) await s.send(msg); // echo
 * ```
 */
export class Pair1Socket extends SocketBase {
  /** The peer's bounded receive buffer (one flow at a time) and the waiting receivers. */
  private readonly inbox: ReceiveQueue<Buffer>;
  private readonly slot: PeerSlot;

  constructor(options?: Partial<SocketOptions>, internals: Pair1Internals = {}) {
    const p = protocols.pair1;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.inbox = new ReceiveQueue<Buffer>(this.options, (m) => m.length, internals.recvQueueSize);
    this.slot = new PeerSlot(
      {
        // SP-PAIR-8, SP-PAIR-9: one header word, hop count 1 on the first hop.
        write: (pipe, body) => pipe.send(FIRST_HOP_HEADER, body),
        attach: (pipe) => {
          const flow = this.inbox.attach(pipe);
          pipe.onMessage = (msg) => {
            // SP-PAIR-11..14: header checked and removed in plain code, before the
            // body takes room; SP-PAIR-21: a full buffer stops reading, nothing is dropped.
            const body = acceptPair1(msg, pipe, this.options.maxTtl, (s) => this.count(s));
            if (body) this.inbox.deliver(flow, body);
          };
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
   * Sends one message to the peer (hop count 1). Waits while there is no
   * writable peer; ETIMEDOUT after `sendTimeout` (or `opts.timeoutMs`),
   * ECANCELED when `opts.signal` aborts (the send is then never written),
   * ECLOSED on close.
   *
   * @example
   * ```ts
   * await sock.send("hello");
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
   * Receives the next message body (header removed); ETIMEDOUT after
   * `recvTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal` aborts.
   * A recv that gave up never takes a message.
   *
   * @example
   * ```ts
   * const body = await sock.recv();
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
 * Opens a monogamous PAIR v1 socket.
 *
 * @example
 * ```ts
 * const s = pair1({ maxTtl: 8, sendTimeout: 1000 });
 * ```
 */
export function pair1(options?: Partial<SocketOptions>, internals?: Pair1Internals): Pair1Socket {
  return new Pair1Socket(options, internals);
}
