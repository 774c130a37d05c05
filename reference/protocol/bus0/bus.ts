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
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { canWrite } from "../pair0/pipe-ready.ts";

/** Internal construction options: transports, queue size. */
export interface Bus0Internals {
  transports?: readonly Transport[];
  /**
   * Messages each pipe's receive buffer holds before the socket stops reading that
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A BUS socket (protocol 0x70): `send` copies the message to every connected
 * peer that can take it and never waits (slow peers miss it, counted as
 * `txDropped`); `recv` returns messages from any peer, the pipes served in
 * turn, each pipe's receive buffer bounded (a full one stops reading that
 * pipe, SP-BUS-11, and never closes it, SP-BUS-13). Nothing is forwarded
 * and nothing loops back. BUS has no protocol state beyond its pipes, so no
 * machine runs here: the data path is plain code (draft-sp-bus §State).
 *
 * @example
 * ```ts
 * const a = bus0(), b = bus0(), c = bus0();
 * const { url } = await a.listen("tcp://127.0.0.1:0");
 * await b.dial(url).connected; await c.dial(url).connected;
 * await a.send("to b and c");
 * ```
 */
export class Bus0Socket extends SocketBase {
  /** One bounded receive buffer per pipe, served in turn, and the waiting receivers. */
  private readonly inbox: ReceiveQueue<Buffer>;
  /** Pipes in attach order, for the send loop. */
  private ring: Pipe[] = [];

  constructor(options?: ProtocolOptions<"bus0">, internals: Bus0Internals = {}) {
    const p = protocols.bus0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
      optionRegistry.bus0,
    );
    this.inbox = new ReceiveQueue<Buffer>(this.options, (m) => m.length, internals.recvQueueSize);
  }

  /**
   * Sends one message to every peer that can take it now (SP-BUS-3); never
   * waits, also not with no peers at all (SP-BUS-4).
   *
   * @example
   * ```ts
   * await bus.send("hello, everyone");
   * ```
   */
  async send(data: SendData, opts?: SendOptions): Promise<void> {
    this.assertOpen();
    // Never waits, so only an already aborted signal (or a bad timeoutMs) matters.
    const refused = refuseCall(opts);
    if (refused) throw refused;
    // SP-BUS-2: no header; the same bytes go to every pipe.
    const body = toOwnedBuffer(data);
    for (const pipe of this.ring) {
      // SP-BUS-3: one copy per writable pipe; SP-BUS-4: a busy pipe misses it.
      if (canWrite(pipe)) pipe.send(body);
      else this.count("txDropped");
    }
  }

  /**
   * Receives the next message from any peer; ETIMEDOUT after `recvTimeout`
   * (or `opts.timeoutMs`), ECANCELED when `opts.signal` aborts. A recv that
   * gave up never takes a message: the next recv gets it.
   *
   * @example
   * ```ts
   * for await (const msg of bus) console.log(msg.toString());
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    return this.inbox.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    const flow = this.inbox.attach(pipe);
    // SP-BUS-5: delivered to the application only, never passed on to other pipes.
    // SP-BUS-7: each pipe has its own buffer and the pipes are served in turn.
    // SP-BUS-11: a full buffer stops reading that pipe; nothing is dropped (which
    // SP-BUS-12 would allow) and the pipe is not closed (SP-BUS-13).
    pipe.onMessage = (msg) => this.inbox.deliver(flow, msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring = this.ring.filter((p) => p !== pipe);
    pipe.onMessage = null;
    // What the pipe delivered before it left is still received.
    this.inbox.detachPipe(pipe);
  }

  protected protocolClose(): void {
    // SP-BUS-8: pending receives fail with ECLOSED (sends never wait).
    this.inbox.close();
  }
}

/**
 * Opens a BUS socket.
 *
 * @example
 * ```ts
 * const s = bus0({ recvTimeout: 1000 });
 * ```
 */
export function bus0(options?: ProtocolOptions<"bus0">, internals?: Bus0Internals): Bus0Socket {
  return new Bus0Socket(options, internals);
}
