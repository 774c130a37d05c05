import { protocols } from "../../../spec/constants.ts";
import type { SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { Inbox } from "../pair0/inbox.ts";
import { canWrite } from "../pair0/pipe-ready.ts";

/** Internal construction options: transports, queue size. */
export interface Bus0Internals {
  transports?: readonly Transport[];
  /** Messages kept while nobody is in recv (default 1024); more are dropped and counted. */
  recvQueueSize?: number;
}

/**
 * A BUS socket (protocol 0x70): `send` copies the message to every connected
 * peer that can take it and never waits (slow peers miss it, counted as
 * `txDropped`); `recv` returns messages from any peer. Nothing is forwarded
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
  private readonly inbox: Inbox<Buffer>;
  /** Pipes in attach order, for the send loop. */
  private ring: Pipe[] = [];

  constructor(options?: Partial<SocketOptions>, internals: Bus0Internals = {}) {
    const p = protocols.bus0;
    super(
      { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName },
      options,
      internals.transports ?? defaultTransports,
    );
    this.inbox = new Inbox<Buffer>(internals.recvQueueSize ?? 1024, () =>
      this.count("rxQueueFull"),
    );
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
  async send(data: SendData): Promise<void> {
    this.assertOpen();
    // SP-BUS-2: no header; the same bytes go to every pipe.
    const body = toOwnedBuffer(data);
    for (const pipe of this.ring) {
      // SP-BUS-3: one copy per writable pipe; SP-BUS-4: a busy pipe misses it.
      if (canWrite(pipe)) pipe.send(body);
      else this.count("txDropped");
    }
  }

  /**
   * Receives the next message from any peer; ETIMEDOUT after `recvTimeout`.
   *
   * @example
   * ```ts
   * for await (const msg of bus) console.log(msg.toString());
   * ```
   */
  recv(): Promise<Buffer> {
    return this.inbox.take(this.options.recvTimeout);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    // SP-BUS-5: delivered to the application only, never passed on to other pipes.
    // SP-BUS-7: every pipe's messages join one queue in arrival order.
    pipe.onMessage = (msg) => this.inbox.deliver(msg);
  }

  protected pipeRemoved(pipe: Pipe): void {
    this.ring = this.ring.filter((p) => p !== pipe);
    pipe.onMessage = null;
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
export function bus0(options?: Partial<SocketOptions>, internals?: Bus0Internals): Bus0Socket {
  return new Bus0Socket(options, internals);
}
