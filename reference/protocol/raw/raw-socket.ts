import {
  type CallOptions,
  callTimeout,
  type RecvOptions,
  refuseCall,
  type SendOptions,
} from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import {
  type NoOptionRows,
  type OptionInit,
  type OptionRows,
  type OptionSet,
  queueDepth,
} from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { RingQueue } from "../../core/queue.ts";
import { ReceiveQueue } from "../../core/receive-queue.ts";
import type { PipeFlow } from "../../core/recv-flow.ts";
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

/**
 * Options of {@link RawSocket.recvMsg}: those of every recv (`signal`,
 * `timeoutMs`; see {@link CallOptions}). `device` aborts its recvMsg with
 * the signal when it stops.
 */
export type RawRecvOptions = RecvOptions;

/**
 * Options of {@link RawSocket.sendMsg}: those of every send (`signal`,
 * `timeoutMs`; see {@link CallOptions}). Aborting fails a sendMsg that waits
 * for room with ECANCELED, and it is never sent.
 */
export type RawSendOptions = SendOptions;

/** Internal construction options of every raw socket. */
export interface RawInternals {
  transports?: readonly Transport[];
}

/** Default queue depth for sends made while no pipe can take them. */
const RAW_SEND_DEPTH = 128;

const EMPTY = Buffer.alloc(0);

/** A round-robin send waiting for room among the parked ones. */
interface BlockedSend {
  readonly header: Buffer;
  readonly body: Buffer;
  readonly done: Waiter<void>;
}

/** What a send-only raw socket does with data its peers send anyway. */
const discard = (): void => {};

/**
 * The common part of every raw ("x") socket, as nng's raw mode: no protocol
 * state, the SP header is exposed to the application (`recvMsg` → `{header,
 * body, pipe}`, `sendMsg({header, body})`), so that devices can forward
 * messages between networks. Each protocol supplies how a received payload
 * splits into header and body, and how an outgoing message is routed.
 *
 * `recv()` returns the body only and `send(data)` sends with an empty header.
 *
 * Receive flow control is that of the cooked protocols: each pipe has a
 * receive buffer bounded by `recvBuffer` messages and `recvBufferBytes` bytes,
 * the pipes are served in turn, and a full buffer stops reading that pipe
 * rather than drop (SP-FRAMEWORK-22). Round-robin sends (XPUSH, XREQ) go to a
 * pipe that is ready; with none ready they park, up to `sendBuffer` messages,
 * and past that `sendMsg` waits (up to `sendTimeout`), so that a device
 * feeding this socket stops taking from its source.
 *
 * @example
 * ```ts
 * const front = xrep0();
 * const m = await front.recvMsg(); // m.header = [pipe id][request id]
 * await front.sendMsg({ header: m.header, body: "reply" });
 * ```
 */
export abstract class RawSocket<R extends OptionRows = NoOptionRows> extends SocketBase<R> {
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
  /** One bounded buffer per pipe, served in turn, and the waiting receivers. */
  private readonly inbox: ReceiveQueue<RawMessage>;
  /** Sends parked while no pipe could take them (round-robin protocols); up to `sendBuffer`. */
  private readonly parked = new RingQueue<[Buffer, Buffer]>();
  /** Round-robin sends waiting for room among the parked ones, oldest first. */
  private readonly blocked = new RingQueue<BlockedSend>();

  protected constructor(
    identity: ProtocolIdentity,
    options: OptionInit<R> | undefined,
    internals: RawInternals | undefined,
    optionSet: OptionSet<R>,
  ) {
    super(identity, options, internals?.transports ?? defaultTransports, optionSet);
    this.inbox = new ReceiveQueue<RawMessage>(this.options, (m) => m.header.length + m.body.length);
  }

  /**
   * Splits a received payload into header and body; undefined drops it (the
   * implementation counts why, and may close the pipe).
   */
  protected abstract split(pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined;

  /**
   * Sends one message with its header; the protocol picks the pipe(s). May wait;
   * `opts` (already checked) then bound the wait where the protocol waits.
   */
  protected abstract route(header: Buffer, body: Buffer, opts?: CallOptions): void | Promise<void>;

  /**
   * Receives the next message with its header apart.
   *
   * @example
   * ```ts
   * const { header, body, pipe } = await raw.recvMsg();
   * ```
   */
  recvMsg(opts?: RawRecvOptions): Promise<RawMessage> {
    if (this.isClosed) return Promise.reject(new SPError("ECLOSED"));
    if (!this.canRecv) return Promise.reject(new SPError("ENOTSUP", "this protocol cannot recv"));
    const refused = refuseCall(opts);
    if (refused) return Promise.reject(refused);
    return this.inbox.take(callTimeout(opts, this.options.recvTimeout), opts?.signal);
  }

  /**
   * Sends one message with the given header (routed by it where the protocol routes).
   *
   * @example
   * ```ts
   * await raw.sendMsg({ header: m.header, body: m.body });
   * ```
   */
  async sendMsg(msg: RawOutgoing, opts?: RawSendOptions): Promise<void> {
    this.assertOpen();
    if (!this.canSend) throw new SPError("ENOTSUP", "this protocol cannot send");
    const refused = refuseCall(opts);
    if (refused) throw refused;
    const header = msg.header ? Buffer.from(msg.header) : EMPTY;
    await this.route(header, toOwnedBuffer(msg.body), opts);
  }

  /** Receives the next message body (header dropped). */
  async recv(opts?: RecvOptions): Promise<Buffer> {
    return (await this.recvMsg(opts)).body;
  }

  /** Sends `data` with an empty header. */
  send(data: SendData, opts?: SendOptions): Promise<void> {
    return this.sendMsg({ body: data }, opts);
  }

  protected pipeAdded(pipe: Pipe): void {
    this.ring.push(pipe);
    this.byId.set(pipe.id, pipe);
    this.attachReader(pipe);
    // A pipe that is ready again takes what was parked (SP-FRAMEWORK-27).
    pipe.onWritable = () => this.flushParked();
    this.flushParked();
  }

  protected pipeRemoved(pipe: Pipe): void {
    const i = this.ring.indexOf(pipe);
    if (i >= 0) {
      this.ring.splice(i, 1);
      if (this.nextPipe > i) this.nextPipe--;
    }
    this.byId.delete(pipe.id);
    pipe.onWritable = null;
    this.detachReader(pipe);
  }

  /**
   * Starts reading `pipe` into its own bounded receive buffer (or discarding,
   * for a send-only protocol). The pipe's flow lives in the handler.
   */
  protected attachReader(pipe: Pipe): void {
    if (!this.canRecv) {
      pipe.onMessage = discard;
      return;
    }
    const flow = this.inbox.attach(pipe);
    pipe.onMessage = (msg) => this.onPayload(flow, msg);
  }

  /** Stops reading `pipe`; what it delivered before stays to be received. */
  protected detachReader(pipe: Pipe): void {
    pipe.onMessage = null;
    this.inbox.detachPipe(pipe);
  }

  /** Aborted when the socket closes (a device watches it to stop both directions). */
  get closeSignal(): AbortSignal {
    return this.closeCtl.signal;
  }

  private readonly closeCtl = new AbortController();

  protected protocolClose(): void {
    this.closeCtl.abort();
    this.inbox.close();
    this.parked.drain();
    for (const b of this.blocked.drain()) b.done.fail(new SPError("ECLOSED"));
  }

  /**
   * Round robin over the ready pipes, skipping those that are not ready
   * (SP-PIPELINE-4, SP-REQREP-12). With none ready the message is parked, in
   * order, up to `sendBuffer` messages; past that the returned promise waits
   * for room (ETIMEDOUT after `sendTimeout` or `opts.timeoutMs`, ECLOSED on
   * close, ECANCELED when `opts.signal` aborts; a send that gave up leaves the
   * queue and is never sent), which is how a device feeding this socket feels
   * a slow destination.
   */
  protected sendRoundRobin(
    header: Buffer,
    body: Buffer,
    opts?: CallOptions,
  ): Promise<void> | undefined {
    if (this.parked.isEmpty()) {
      const pipe = this.nextReady();
      if (pipe) {
        RawSocket.write(pipe, header, body);
        return undefined;
      }
    }
    while (this.blocked.peek()?.done.settled) this.blocked.shift(); // timed out meanwhile
    if (this.blocked.isEmpty() && this.parked.length < this.sendDepth()) {
      this.parked.push([header, body]);
      return undefined;
    }
    // A send that times out or is aborted leaves the queue: room that comes later skips it.
    const done = new Waiter<void>(
      callTimeout(opts, this.options.sendTimeout),
      () => this.blocked.remove(entry),
      opts?.signal,
    );
    const entry: BlockedSend = { header, body, done };
    this.blocked.push(entry);
    return done.promise;
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

  private static write(pipe: Pipe, header: Buffer, body: Buffer): void {
    if (header.length > 0) pipe.send(header, body);
    else pipe.send(body);
  }

  /** The parked sends allowed before `sendMsg` waits. */
  private sendDepth(): number {
    return queueDepth(this.options.sendBuffer, RAW_SEND_DEPTH);
  }

  /** The next ready pipe in rotation, or undefined when none is ready. */
  private nextReady(): Pipe | undefined {
    const n = this.ring.length;
    for (let k = 0; k < n; k++) {
      if (this.nextPipe >= n) this.nextPipe = 0;
      const pipe = this.ring[this.nextPipe] as Pipe;
      this.nextPipe++;
      if (!pipe.isClosed && pipe.writable) return pipe;
    }
    return undefined;
  }

  /** Parked sends go out, oldest first, while a pipe is ready; waiting sends take the room. */
  private flushParked(): void {
    const depth = this.sendDepth();
    for (;;) {
      while (!this.parked.isEmpty()) {
        const pipe = this.nextReady();
        if (!pipe) break;
        const [h, b] = this.parked.shift() as [Buffer, Buffer];
        RawSocket.write(pipe, h, b);
      }
      const next = this.blocked.peek();
      if (!next || this.parked.length >= depth) return;
      this.blocked.shift();
      if (next.done.settled) continue; // timed out meanwhile
      this.parked.push([next.header, next.body]);
      next.done.resolve();
    }
  }

  /** Data path: one payload from the pipe of `flow`. */
  protected onPayload(flow: PipeFlow<RawMessage>, msg: Buffer): void {
    if (this.isClosed) return;
    const pipe = flow.pipe;
    const parts = this.split(pipe, msg);
    if (!parts) return;
    // As the cooked protocols (SP-PIPELINE-21, SP-PAIR-21, SP-REQREP-25, SP-SURVEY-27,
    // SP-BUS-11, SP-PUBSUB-17): a full buffer stops reading this pipe; nothing is dropped
    // and the pipe is not closed (SP-BUS-13, SP-PUBSUB-26).
    this.inbox.deliver(flow, { header: parts.header, body: parts.body, pipe: pipe.id });
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
