import { protocols } from "../../../spec/constants.ts";
import { SPError } from "../../core/errors.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { SocketBase } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";

/** Internal construction options: alternate transports. */
export interface Pull0Internals {
  transports?: readonly Transport[];
}

/**
 * A cooked PULL socket (protocol 0x51). Messages from all PUSH peers are
 * delivered in arrival order (SP-PIPELINE-10, SP-PIPELINE-16); a PULL never
 * writes to its pipes (SP-PIPELINE-13). The receive queue is an unbounded ring
 * buffer: PULL does not drop, because PUSH counts on delivery.
 *
 * @example
 * ```ts
 * const pull = pull0();
 * await pull.listen("tcp://127.0.0.1:5555");
 * for await (const task of pull) handle(task);
 * ```
 */
export class Pull0Socket extends SocketBase {
  private readonly queue = new RingQueue<Buffer>();
  private readonly waiters = new RingQueue<Waiter<Buffer>>();

  constructor(options?: Partial<SocketOptions>, internals: Pull0Internals = {}) {
    const p = protocols.pull0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
  }

  /**
   * Receives the next message from any PUSH peer.
   *
   * @example
   * ```ts
   * const task = await pull.recv();
   * ```
   */
  recv(): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    const w = new Waiter<Buffer>(this.options.recvTimeout);
    this.waiters.push(w);
    return w.promise;
  }

  /**
   * PULL sockets cannot send (SP-PIPELINE-17).
   *
   * @example
   * ```ts
   * await pull.send("x"); // rejects with SPError ENOTSUP
   * ```
   */
  send(): Promise<void> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    return Promise.reject(new SPError("ENOTSUP", "a PULL socket cannot send"));
  }

  /** Messages received and not yet taken by recv. */
  get queued(): number {
    return this.queue.length;
  }

  protected pipeAdded(pipe: Pipe): void {
    pipe.onMessage = (msg) => this.onPushed(msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    pipe.onMessage = null;
  }

  protected protocolClose(): void {
    // SP-PIPELINE-14: pending receivers fail with ECLOSED.
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
    this.queue.drain();
  }

  /** Data path: one message from a PUSH peer (SP-PIPELINE-2: the whole payload). */
  private onPushed(msg: Buffer): void {
    if (this.isClosed) return;
    for (;;) {
      const w = this.waiters.shift();
      if (!w) break;
      if (w.settled) continue; // timed out meanwhile
      w.resolve(msg);
      return;
    }
    this.queue.push(msg);
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
export function pull0(options?: Partial<SocketOptions>, internals?: Pull0Internals): Pull0Socket {
  return new Pull0Socket(options, internals);
}
