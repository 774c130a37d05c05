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
import { type CannotSend, type SendData, SocketBase } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";

/** Internal construction options: alternate transports. */
export interface Pull0Internals {
  transports?: readonly Transport[];
}

/**
 * A cooked PULL socket (protocol 0x51). Messages from all PUSH peers are
 * delivered, each pipe's in arrival order, the pipes served in turn
 * (SP-PIPELINE-10, SP-PIPELINE-16); a PULL never writes to its pipes
 * (SP-PIPELINE-13). Each pipe has its own receive buffer, bounded by
 * `recvBuffer` messages and `recvBufferBytes` bytes; a full buffer stops
 * reading that pipe rather than drop, because PUSH counts on delivery
 * (SP-PIPELINE-21), and the PUSH side then sees the pipe as not ready.
 *
 * @example
 * ```ts
 * const pull = pull0();
 * await pull.listen("tcp://127.0.0.1:5555");
 * for await (const task of pull) handle(task);
 * ```
 */
export class Pull0Socket extends SocketBase {
  /** One bounded buffer per pipe, served in turn, and the waiting receivers. */
  private readonly queue: ReceiveQueue<Buffer>;

  constructor(options?: ProtocolOptions<"pull0">, internals: Pull0Internals = {}) {
    const p = protocols.pull0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.pull0,
    );
    this.queue = new ReceiveQueue<Buffer>(this.options, (m) => m.length);
  }

  /**
   * Receives the next message from any PUSH peer; ETIMEDOUT after
   * `recvTimeout` (or `opts.timeoutMs`), ECANCELED when `opts.signal` aborts.
   * A recv that gave up never takes a message: the next recv gets it.
   *
   * @example
   * ```ts
   * const task = await pull.recv({ signal: AbortSignal.timeout(1000) });
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    return this.queue.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  /**
   * PULL sockets cannot send (SP-PIPELINE-17): calling `send` on a
   * `Pull0Socket` does not compile; through a `SocketBase` it rejects with ENOTSUP.
   *
   * @example
   * ```ts
   * await (pull as SocketBase).send("x"); // rejects with SPError ENOTSUP
   * ```
   */
  override send(this: CannotSend<"PULL">, data?: SendData, opts?: SendOptions): Promise<void>;
  override send(): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a PULL socket cannot send"));
  }

  /** Messages received and not yet taken by recv, over all pipes. */
  get queued(): number {
    return this.queue.length;
  }

  protected pipeAdded(pipe: Pipe): void {
    // SP-PIPELINE-10: every PUSH peer is read; its flow lives in the handler (no lookup).
    const flow = this.queue.attach(pipe);
    // Data path, SP-PIPELINE-2: the whole payload, to a waiting recv or into the
    // pipe's buffer; SP-PIPELINE-21: a full buffer stops the pipe, nothing is dropped.
    pipe.onMessage = (msg) => this.queue.deliver(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
    // What the pipe delivered before it left is still received.
    this.queue.detachPipe(pipe);
  }

  protected protocolClose(): void {
    // SP-PIPELINE-14: pending receivers fail with ECLOSED.
    this.queue.close();
  }
}

/**
 * Opens a PULL socket.
 *
 * @example
 * ```ts
 * const pull = pull0({ recvTimeout: 1000 });
 * ```
 */
export function pull0(options?: ProtocolOptions<"pull0">, internals?: Pull0Internals): Pull0Socket {
  return new Pull0Socket(options, internals);
}
