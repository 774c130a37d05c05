import type { CallOptions, RecvOptions, SendOptions } from "../../core/call-options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { CannotRecv, CannotSend, SendData } from "../../core/socket.ts";
import { type RawMessage, type RawOutgoing, RawSocket } from "./raw-socket.ts";

/**
 * What a send-only raw socket declares instead of `recv` and `recvMsg`: calling
 * them does not compile; through a `RawSocket` they reject with ENOTSUP.
 */
type NoRecv = CannotRecv<"send-only raw">;
/** As {@link NoRecv}, for `send` and `sendMsg` of a receive-only raw socket. */
type NoSend = CannotSend<"receive-only raw">;

/** Raw send-to-all (XPUB): the header, usually empty, goes out ahead of the body to every pipe. */
export abstract class RawBroadcaster extends RawSocket {
  readonly canSend = true;
  readonly canRecv = false;

  /** XPUB cannot receive (ENOTSUP through a `RawSocket`). */
  override recv(this: NoRecv, opts?: RecvOptions): Promise<Buffer>;
  override recv(opts?: RecvOptions): Promise<Buffer> {
    return super.recv(opts);
  }

  /** XPUB cannot receive (ENOTSUP through a `RawSocket`). */
  override recvMsg(this: NoRecv, opts?: RecvOptions): Promise<RawMessage>;
  override recvMsg(opts?: RecvOptions): Promise<RawMessage> {
    return super.recvMsg(opts);
  }

  /** `for await` over XPUB does not compile (ENOTSUP through a `RawSocket`). */
  override [Symbol.asyncIterator](): never {
    return super[Symbol.asyncIterator]() as never;
  }

  protected split(): undefined {
    return undefined;
  }

  protected route(header: Buffer, body: Buffer): void {
    // SP-PUBSUB-9: a peer that cannot take the message now misses it.
    this.broadcast(header.length > 0 ? Buffer.concat([header, body]) : body);
  }
}

/** Raw receive-only (XSUB, XPULL): every message is delivered whole, with an empty header. */
export abstract class RawReceiver extends RawSocket {
  readonly canSend = false;
  readonly canRecv = true;

  /** XSUB and XPULL cannot send (ENOTSUP through a `RawSocket`). */
  override send(this: NoSend, data: SendData, opts?: SendOptions): Promise<void>;
  override send(data: SendData, opts?: SendOptions): Promise<void> {
    return super.send(data, opts);
  }

  /** XSUB and XPULL cannot send (ENOTSUP through a `RawSocket`). */
  override sendMsg(this: NoSend, msg: RawOutgoing, opts?: SendOptions): Promise<void>;
  override sendMsg(msg: RawOutgoing, opts?: SendOptions): Promise<void> {
    return super.sendMsg(msg, opts);
  }

  protected split(_pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } {
    return { header: EMPTY, body: msg };
  }

  protected route(): void {}
}

/** Raw load-balanced send (XPUSH): round robin over ready pipes; parked while none is ready. */
export abstract class RawDistributor extends RawSocket {
  readonly canSend = true;
  readonly canRecv = false;

  /** XPUSH cannot receive (ENOTSUP through a `RawSocket`). */
  override recv(this: NoRecv, opts?: RecvOptions): Promise<Buffer>;
  override recv(opts?: RecvOptions): Promise<Buffer> {
    return super.recv(opts);
  }

  /** XPUSH cannot receive (ENOTSUP through a `RawSocket`). */
  override recvMsg(this: NoRecv, opts?: RecvOptions): Promise<RawMessage>;
  override recvMsg(opts?: RecvOptions): Promise<RawMessage> {
    return super.recvMsg(opts);
  }

  /** `for await` over XPUSH does not compile (ENOTSUP through a `RawSocket`). */
  override [Symbol.asyncIterator](): never {
    return super[Symbol.asyncIterator]() as never;
  }

  protected split(): undefined {
    return undefined;
  }

  protected route(header: Buffer, body: Buffer, opts?: CallOptions): Promise<void> | undefined {
    return this.sendRoundRobin(header, body, opts);
  }
}

/**
 * Raw BUS (XBUS), as nng's raw bus: a received message's header is the id of
 * the pipe it came on; a sent message whose header names a pipe goes to every
 * pipe but that one, so `device(xbus)` on one socket forwards between peers
 * without echoing. The header itself never goes on the wire (SP-BUS-2).
 */
export abstract class RawBusBase extends RawSocket {
  readonly canSend = true;
  readonly canRecv = true;

  protected split(pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } {
    return { header: RawSocket.pipeWord(pipe.id), body: msg };
  }

  protected route(header: Buffer, body: Buffer): void {
    this.broadcast(body, header.length >= 4 ? header.readUInt32BE(0) : undefined);
  }
}

const EMPTY = Buffer.alloc(0);
