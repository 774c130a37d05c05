import { protocols } from "../../../spec/constants.ts";
import {
  callTimeout,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptionRows, type ProtocolOptions } from "../options.ts";
import { canWrite } from "../pair0/pipe-ready.ts";
import { acceptPair1, FIRST_HOP_HEADER } from "./header.ts";

/** A message received by a polyamorous PAIR socket, with the pipe it came from. */
export interface Pair1Message {
  /** The body, header removed. */
  readonly body: Buffer;
  /** Id of the pipe it arrived on; pass it to `sendTo` to answer that peer. */
  readonly pipe: number;
}

/** Internal construction options: transports, queue size. */
export interface Pair1PolyInternals {
  transports?: readonly Transport[];
  /**
   * Messages each pipe's receive buffer holds before the socket stops reading that
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A polyamorous PAIR v1 socket (protocol 0x11, same wire format as
 * {@link pair1}): any number of peers (SP-PAIR-17); `recvMsg` tells which pipe
 * a message came from and `sendTo` addresses one pipe (SP-PAIR-18). Sends
 * never block: a message for a pipe that is gone or not writable is
 * discarded and counted as `txDropped` (SP-PAIR-19).
 *
 * @example
 * ```ts
 * const hub = pair1poly();
 * await hub.listen("tcp://127.0.0.1:5555");
 * for (;;) {
 *   const { body, pipe } = await hub.recvMsg();
 *   await hub.sendTo(pipe, body); // answer whoever spoke
 * }
 * ```
 */
export class Pair1PolySocket extends SocketBase<ProtocolOptionRows<"pair1poly">> {
  /** One bounded receive buffer per pipe, served in turn, and the waiting receivers. */
  private readonly inbox: ReceiveQueue<Pair1Message>;
  /** Pipes by id, in attach order. */
  private readonly byId = new Map<number, Pipe>();

  constructor(options?: ProtocolOptions<"pair1poly">, internals: Pair1PolyInternals = {}) {
    const p = protocols.pair1;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.pair1poly,
    );
    this.inbox = new ReceiveQueue<Pair1Message>(
      this.options,
      (m) => m.body.length,
      internals.recvQueueSize,
    );
  }

  /** Ids of the connected pipes, oldest first. */
  pipeIds(): number[] {
    return [...this.byId.keys()];
  }

  /**
   * Sends one message to the pipe with id `pipe` (hop count 1). Resolves with
   * true when it was queued on that pipe, false when it was discarded because
   * the pipe is gone or not writable (SP-PAIR-19). Never waits for a peer.
   *
   * @example
   * ```ts
   * const { pipe } = await hub.recvMsg();
   * const sent = await hub.sendTo(pipe, "reply");
   * ```
   */
  sendTo(pipe: number, data: SendData, opts?: SendOptions): Promise<boolean> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    // Never waits, so only an already aborted signal (or a bad timeoutMs) matters.
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    const body = toOwnedBuffer(data);
    // SP-PAIR-19: only the named pipe; gone or busy means discarded, not blocked.
    const target = this.byId.get(pipe);
    return Promise.resolve(this.transmit(target, body));
  }

  /**
   * Sends one message to one peer of the socket's choosing (the oldest pipe),
   * or discards it when there is none or it is not writable (SP-PAIR-20).
   *
   * @example
   * ```ts
   * await hub.send("to someone");
   * ```
   */
  async send(data: SendData, opts?: SendOptions): Promise<void> {
    this.assertOpen();
    const refused = refuseCall(opts);
    if (refused) throw refused;
    const body = toOwnedBuffer(data);
    const first = this.byId.values().next();
    this.transmit(first.done ? undefined : first.value, body);
  }

  /**
   * Receives the next message body (which pipe it came from is dropped; see `recvMsg`).
   *
   * @example
   * ```ts
   * const body = await hub.recv();
   * ```
   */
  async recv(opts?: RecvOptions): Promise<Buffer> {
    return (await this.recvMsg(opts)).body;
  }

  /**
   * Receives the next message with the id of the pipe it came from
   * (SP-PAIR-18); ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`),
   * ECANCELED when `opts.signal` aborts (a recv that gave up never takes a
   * message), ECLOSED on close.
   *
   * @example
   * ```ts
   * const { body, pipe } = await hub.recvMsg();
   * ```
   */
  recvMsg(opts?: RecvOptions): Promise<Pair1Message> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    return this.inbox.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  protected pipeAdded(pipe: Pipe): void {
    // SP-PAIR-17: every pipe is kept; there is no peer slot.
    this.byId.set(pipe.id, pipe);
    const flow = this.inbox.attach(pipe);
    pipe.onMessage = (msg) => {
      const body = acceptPair1(msg, pipe, this.options.maxTtl, (s) => this.count(s));
      // SP-PAIR-21: each pipe has its own buffer; a full one stops reading that
      // pipe only (SP-FRAMEWORK-24), and nothing is dropped.
      if (body) this.inbox.deliver(flow, { body, pipe: pipe.id });
    };
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.byId.delete(pipe.id);
    pipe.onMessage = null;
    // What the pipe delivered before it left is still received (with its id).
    this.inbox.detachPipe(pipe);
  }

  protected protocolClose(): void {
    // SP-PAIR-7: pending receives fail with ECLOSED (sends never wait).
    this.inbox.close();
  }

  private transmit(target: Pipe | undefined, body: Buffer): boolean {
    if (!target || !canWrite(target)) {
      this.count("txDropped");
      return false;
    }
    target.send(FIRST_HOP_HEADER, body);
    return true;
  }
}

/**
 * Opens a polyamorous PAIR v1 socket (nng: `nng_pair1_open_poly`).
 *
 * @example
 * ```ts
 * const hub = pair1poly({ maxTtl: 4 });
 * ```
 */
export function pair1poly(
  options?: ProtocolOptions<"pair1poly">,
  internals?: Pair1PolyInternals,
): Pair1PolySocket {
  return new Pair1PolySocket(options, internals);
}
