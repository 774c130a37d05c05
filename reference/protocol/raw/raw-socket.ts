import { SPError } from "../../core/errors.ts";
import { queueDepth, type SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { type SendData, SocketBase, toOwnedBuffer } from "../../core/socket.ts";
import type { ProtocolIdentity, Transport } from "../../core/transport.ts";
import { Waiter } from "../../core/waiter.ts";
import { defaultTransports } from "../../transports.ts";

/** A message as a raw socket hands it out: the SP header apart from the body. */
export interface RawMessage {
  /** The protocol header (backtrace, pipe id word, hop count...); may be empty. */
  readonly header: Buffer;
  /** The application payload. */
  readonly body: Buffer;
  /** Id of the pipe it came from. */
  readonly pipe: number;
}

/** What `sendMsg` takes. */
export interface RawOutgoing {
  /** The protocol header to send (or route by); empty when omitted. */
  readonly header?: Uint8Array;
  readonly body: SendData;
}

/** Options of {@link RawSocket.recvMsg}. */
export interface RawRecvOptions {
  /** Aborting fails the pending recvMsg with ECANCELED (used by `device`). */
  readonly signal?: AbortSignal;
}

/** Internal construction options of every raw socket. */
export interface RawInternals {
  transports?: readonly Transport[];
}

/** Default receive queue depth of a raw socket (messages). */
const RAW_RECV_DEPTH = 1024;
/** Default queue depth for sends made while no pipe can take them. */
const RAW_SEND_DEPTH = 128;

const EMPTY = Buffer.alloc(0);

/**
 * The common part of every raw ("x") socket, as nng's raw mode: no protocol
 * state, the SP header is exposed to the application (`recvMsg` → `{header,
 * body, pipe}`, `sendMsg({header, body})`), so that devices can forward
 * messages between networks. Each protocol supplies how a received payload
 * splits into header and body, and how an outgoing message is routed.
 *
 * `recv()` returns the body only and `send(data)` sends with an empty header.
 *
 * @example
 * ```ts
 * const front = xrep0();
 * const m = await front.recvMsg(); // m.header = [pipe id][request id]
 * await front.sendMsg({ header: m.header, body: "reply" });
 * ```
 */
export abstract class RawSocket extends SocketBase {
  /** Always true: marks a raw socket. */
  readonly raw = true;
  /** False for receive-only protocols (SUB, PULL). */
  abstract readonly canSend: boolean;
  /** False for send-only protocols (PUB, PUSH). */
  abstract readonly canRecv: boolean;
  /** Pipes in attach order (round robin / broadcast). */
  protected ring: Pipe[] = [];
  /** Pipes by id (routing by the first header word). */
  protected readonly byId = new Map<number, Pipe>();
  private nextPipe = 0;
  private readonly inbox: RingQueue<RawMessage>;
  private readonly takers = new RingQueue<Waiter<RawMessage>>();
  /** Sends parked while no pipe could take them (round-robin protocols). */
  private readonly parked: RingQueue<[Buffer, Buffer]>;

  protected constructor(
    identity: ProtocolIdentity,
    options: Partial<SocketOptions> | undefined,
    internals: RawInternals = {},
  ) {
    super(identity, options, internals.transports ?? defaultTransports);
    this.inbox = new RingQueue(queueDepth(this.options.recvBuffer, RAW_RECV_DEPTH));
    this.parked = new RingQueue(queueDepth(this.options.sendBuffer, RAW_SEND_DEPTH));
  }

  /**
   * Splits a received payload into header and body; undefined drops it (the
   * implementation counts why, and may close the pipe).
   */
  protected abstract split(pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined;

  /** Sends one message with its header; the protocol picks the pipe(s). */
  protected abstract route(header: Buffer, body: Buffer): void | Promise<void>;

  /**
   * Receives the next message with its header apart.
   *
   * @example
   * ```ts
   * const { header, body, pipe } = await raw.recvMsg();
   * ```
   */
  recvMsg(opts: RawRecvOptions = {}): Promise<RawMessage> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (!this.canRecv) return Promise.reject(new SPError("ENOTSUP", "this protocol cannot recv"));
    const next = this.inbox.shift();
    if (next) return Promise.resolve(next);
    const w = new Waiter<RawMessage>(this.options.recvTimeout);
    const { signal } = opts;
    if (signal) {
      if (signal.aborted) w.fail(new SPError("ECANCELED"));
      else signal.addEventListener("abort", () => w.fail(new SPError("ECANCELED")), { once: true });
    }
    this.takers.push(w);
    return w.promise;
  }

  /**
   * Sends one message with the given header (routed by it where the protocol routes).
   *
   * @example
   * ```ts
   * await raw.sendMsg({ header: m.header, body: m.body });
   * ```
   */
  async sendMsg(msg: RawOutgoing): Promise<void> {
    this.assertOpen();
    if (!this.canSend) throw new SPError("ENOTSUP", "this protocol cannot send");
    const header = msg.header ? Buffer.from(msg.header) : EMPTY;
    await this.route(header, toOwnedBuffer(msg.body));
  }

  /** Receives the next message body (header dropped). */
  async recv(): Promise<Buffer> {
    return (await this.recvMsg()).body;
  }

  /** Sends `data` with an empty header. */
  send(data: SendData): Promise<void> {
    return this.sendMsg({ body: data });
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    this.byId.set(pipe.id, pipe);
    pipe.onMessage = (msg) => this.onPayload(pipe, msg);
    this.flushParked();
  }

  protected pipeRemoved(pipe: Pipe): void {
    const i = this.ring.indexOf(pipe);
    if (i >= 0) {
      this.ring.splice(i, 1);
      if (this.nextPipe > i) this.nextPipe--;
    }
    this.byId.delete(pipe.id);
    pipe.onMessage = null;
  }

  /** Aborted when the socket closes (a device watches it to stop both directions). */
  get closeSignal(): AbortSignal {
    return this.closeCtl.signal;
  }

  private readonly closeCtl = new AbortController();

  protected protocolClose(): void {
    this.closeCtl.abort();
    for (const w of this.takers.drain()) w.fail(new SPError("ECLOSED"));
    this.inbox.drain();
    this.parked.drain();
  }

  /** Round robin over pipes; parks the message while there are none. */
  protected sendRoundRobin(header: Buffer, body: Buffer): void {
    const n = this.ring.length;
    if (n === 0) {
      if (!this.parked.push([header, body])) this.count("txDropped");
      return;
    }
    if (this.nextPipe >= n) this.nextPipe = 0;
    const pipe = this.ring[this.nextPipe] as Pipe;
    this.nextPipe = (this.nextPipe + 1) % n;
    if (header.length > 0) pipe.send(header, body);
    else pipe.send(body);
  }

  /** Copies the message to every pipe (skipping `except`) that can take it now. */
  protected broadcast(payload: Buffer, except?: number): void {
    for (const pipe of this.ring) {
      if (pipe.id === except) continue;
      if (pipe.writable) pipe.send(payload);
      else this.count("txDropped");
    }
  }

  /** The pipe id as a header word (top bit clear), as nng pushes it. */
  protected static pipeWord(id: number): Buffer {
    const w = Buffer.allocUnsafe(4);
    w.writeUInt32BE(id & 0x7fffffff, 0);
    return w;
  }

  private flushParked(): void {
    while (this.ring.length > 0 && !this.parked.isEmpty()) {
      const [h, b] = this.parked.shift() as [Buffer, Buffer];
      this.sendRoundRobin(h, b);
    }
  }

  /** Data path: one payload from `pipe`. */
  protected onPayload(pipe: Pipe, msg: Buffer): void {
    if (this.isClosed || !this.canRecv) return;
    const parts = this.split(pipe, msg);
    if (!parts) return;
    const m: RawMessage = { header: parts.header, body: parts.body, pipe: pipe.id };
    for (;;) {
      const w = this.takers.shift();
      if (!w) break;
      if (w.resolve(m)) return;
    }
    if (!this.inbox.push(m)) this.count("rxQueueFull");
  }
}

/** True when `s` is a raw socket. */
export function isRawSocket(s: unknown): s is RawSocket {
  return s instanceof RawSocket;
}

/** The identity of a protocol from the generated constants. */
export function identityOf(p: {
  number: number;
  peer: number;
  name: string;
  peerName: string;
}): ProtocolIdentity {
  return { self: p.number, peer: p.peer, name: p.name, peerName: p.peerName };
}
