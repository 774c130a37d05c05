import type { Socket } from "node:net";
import { SP_HEADER_MAGIC } from "../../../spec/constants.ts";
import {
  createTcpPipeLogic,
  type TcpPipeAnyEvent,
  type TcpPipeEvent,
  type TcpPipeImplementation,
  type tcpPipeCompiled,
} from "../../../spec/machines/tcp-pipe.ts";
import { SPError } from "../../core/errors.ts";
import { allocatePipeId, type Pipe, sendBound } from "../../core/pipe.ts";
import { ReadGate } from "../../core/read-gate.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { PipeHost } from "../../core/transport.ts";
import { FrameReader } from "./frame-reader.ts";
import { COPY_LIMIT, FrameWriter } from "./frame-writer.ts";

/** The compiled `tcp-pipe` table the reference runs (or one regenerated from an edited draft). */
export type TcpPipeMachine = typeof tcpPipeCompiled;

/** What each `tcp-pipe` event carries in `arg` (the payload map the machine is bound with). */
interface TcpPipeArgs {
  /** The peer's 8-byte SP header. */
  header: Buffer;
  /** Why the frame was refused (EMSGSIZE). */
  oversize: SPError;
  disconnect: undefined;
  /** The reason given to `close`, if any. */
  close: SPError | undefined;
}

/** Construction options of a {@link TcpPipe}. */
export interface TcpPipeOptions {
  /** A connected socket. */
  socket: Socket;
  /** The SP socket this connection belongs to. */
  host: PipeHost;
  /** Called once the peer's header was accepted and the pipe attached. */
  onAttach?: (pipe: TcpPipe) => void;
  /** Called once the connection is gone; `attached` tells whether it ever was. */
  onClose?: (pipe: TcpPipe, attached: boolean) => void;
  /** Alternate machine (tests, other drafts). */
  machine?: TcpPipeMachine;
  /** When set, frames carry this leading type byte (the IPC mapping uses 0x01, SP-IPC-5). */
  frameType?: number;
}

/** The part of Node's stream handle that `net.Socket` itself uses to stop and start reading. */
interface ReadHandle {
  reading?: boolean;
  readStop?: () => number;
  readStart?: () => number;
}

/**
 * `socket.pause()` only stops the 'data' events: Node goes on reading from the kernel
 * until one more chunk (up to 64 KiB) sits in the socket's own buffer. Those bytes are
 * out of the kernel, so TCP's window does not see them, and a slow worker keeps them
 * (SP-FRAMEWORK-22, SP-PIPELINE-20). This stops the handle at once, as `net.Socket`'s own
 * pause does for sockets in `onread` mode: it clears `reading` so that Node's `_read`
 * starts the handle again when the stream wants data after `resume()`. TLS sockets read
 * through their own layers and keep the plain pause.
 */
function stopReadingNow(socket: Socket): void {
  if ((socket as { encrypted?: boolean }).encrypted) return;
  const handle = (socket as unknown as { _handle?: ReadHandle | null })._handle;
  if (handle?.reading !== true || typeof handle.readStop !== "function") return;
  if (socket.destroyed) return;
  handle.reading = false;
  handle.readStop();
}

/**
 * Undoes {@link stopReadingNow}, as `net.Socket`'s own resume does for `onread` sockets:
 * the stream may still count a read as in progress, so it would not ask again by itself.
 */
function startReadingAgain(socket: Socket): void {
  const handle = (socket as unknown as { _handle?: ReadHandle | null })._handle;
  if (handle?.reading !== false || typeof handle.readStart !== "function") return;
  if (socket.destroyed || (socket as { encrypted?: boolean }).encrypted) return;
  handle.reading = true;
  const err = handle.readStart();
  if (err) socket.destroy(new Error(`read failed (${err})`));
}

/** How long a gracefully ended connection may linger before it is destroyed. */
const LINGER_MS = 1000;

/**
 * One TCP connection. The `tcp-pipe` actor owns its lifecycle (header
 * exchange, handshake timeout, oversize, disconnect, close); framing and
 * writes are plain code ({@link FrameReader}, {@link FrameWriter}).
 *
 * @example
 * ```ts
 * server.on("connection", (s) => new TcpPipe({ socket: s, host: spSocket }));
 * ```
 */
export class TcpPipe implements Pipe {
  readonly id = allocatePipeId();
  peer = -1;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  /** The frame writer copies payloads up to this size when they are queued. */
  readonly copyLimit = COPY_LIMIT;
  /**
   * SP-FRAMEWORK-27: the write backlog (writer queue + socket buffer) at which `writable`
   * turns false; the socket's `sendBufferBytes`, read when the pipe starts.
   */
  readonly sendBoundBytes: number;
  /** Set when `writable` answered false; the next completed write that frees the pipe calls onWritable. */
  private wantWritable = false;
  /** Pause and resume (SP-FRAMEWORK-22/-23); resumeNow runs from a microtask. */
  private readonly gate = new ReadGate(
    () => this.closedFlag,
    () => this.resumeNow(),
  );
  /**
   * A write finished. A write that failed (the connection broke) wakes nobody: the pipe is
   * about to close, and a sender woken now would hand it messages that can only be lost
   * instead of keeping them for another pipe (SP-PIPELINE-18).
   */
  private readonly writtenBound = (err?: Error | null) => {
    if (!err) this.checkWritable();
  };
  readonly closed: Promise<SPError | undefined>;
  private closedFlag = false;
  private attached = false;
  private reason: SPError | undefined;
  private resolveClosed!: (r: SPError | undefined) => void;
  private readonly socket: Socket;
  private readonly host: PipeHost;
  private readonly reader: FrameReader;
  private readonly writer: FrameWriter;
  private readonly actor;
  /** Messages left in the writer when the pipe died; see {@link takeUnsent}. */
  private unsent: Buffer[] = [];

  constructor(opts: TcpPipeOptions) {
    const { socket, host } = opts;
    this.socket = socket;
    this.host = host;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    // tcp-nodelay (default on) and tcp-keepalive (default off), read when the connection starts.
    socket.setNoDelay(host.options.tcpNoDelay !== 0);
    if (host.options.tcpKeepAlive) socket.setKeepAlive(true);
    const bound = sendBound(host.options);
    this.sendBoundBytes = bound;
    // SP-FRAMEWORK-27: the writer flushes by half the bound at the latest, so its own queue
    // never reaches the bound; a backlog at the bound is then in the socket, and the end of
    // each flush's write re-checks it (Node's 'drain' only follows a write() that returned
    // false at Node's own mark, which a small bound may never reach).
    this.writer = new FrameWriter(socket, {
      frameType: opts.frameType,
      flushAt: Math.floor(bound / 2),
      onWritten: this.writtenBound,
    });
    this.reader = new FrameReader(
      {
        limit: () => host.options.recvMaxSize,
        // SP-IPC-6: another type byte closes only this connection, as a local close with EPROTO.
        onBadType: (type) => {
          host.count("rxBadFrameType");
          this.lifecycle({ type: "close", arg: new SPError("EPROTO", `frame type byte ${type}`) });
        },
        onHeader: (header) => this.lifecycle({ type: "header", arg: header }),
        onFrame: (payload) => this.onMessage?.(payload),
        onOversize: (length) => {
          host.count("rxOversize");
          this.lifecycle({
            type: "oversize",
            arg: new SPError("EMSGSIZE", `frame of ${length} bytes over the receive limit`),
          });
        },
      },
      true,
      opts.frameType,
    );

    const rejectHeader = (why: string) => {
      host.count("rxBadHeader");
      this.reason = new SPError("EPROTO", why);
      return false;
    };
    const impl: TcpPipeImplementation<TcpPipeArgs> = {
      actions: {
        sendHeader: () => {
          // SP-TCP-1: the 8-byte header goes out as soon as the connection is up.
          // SP-TCP-4: bytes 4..5 carry our protocol number; SP-TCP-16: bytes 6..7 are zero.
          const self = host.identity.self;
          socket.write(
            Buffer.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 0]),
            this.writtenBound,
          );
        },
        closeConnection: ({ event }) => this.closeConnection(event),
        attachPipe: ({ event }) => {
          // SP-TCP-2: only now, with the peer's header validated, may messages flow.
          this.peer = event.arg.readUInt16BE(4);
          this.attached = true;
          host.attachPipe(this);
          opts.onAttach?.(this);
        },
        detachPipe: () => host.detachPipe(this),
      },
      guards: {
        // SP-TCP-3: bytes 0..3 must be 00 53 50 00.
        magicValid: ({ event }) => {
          const h = event.arg;
          return SP_HEADER_MAGIC.every((b, i) => h[i] === b) || rejectHeader("bad SP magic");
        },
        // SP-TCP-5: we close on non-zero reserved bytes (as nng does; nanomsg ignores them).
        reservedZero: ({ event }) => {
          const h = event.arg;
          return (h[6] === 0 && h[7] === 0) || rejectHeader("reserved header bytes not zero");
        },
        // SP-TCP-6: the peer's protocol must be the one our protocol pairs with.
        peerCompatible: ({ event }) =>
          host.isPeerCompatible(event.arg.readUInt16BE(4)) ||
          rejectHeader("incompatible peer protocol"),
      },
      delays: {
        // SP-TCP-7: the wait for the peer's header is bounded.
        handshakeTimeout: () => host.options.handshakeTimeout,
      },
    };
    this.actor = createSpecActor(createTcpPipeLogic(impl, opts.machine));
    this.actor.subscribe({
      complete: () => opts.onClose?.(this, this.attached),
    });

    socket.on("data", (chunk: Buffer) => this.reader.feed(chunk));
    socket.on("error", () => {
      // The 'close' event follows; it is reported as a disconnect.
    });
    socket.on("close", () => this.lifecycle({ type: "disconnect" }));
    this.actor.start();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** The remote address, for diagnostics. */
  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /**
   * False when closed or when the write backlog (queued frames plus the socket's
   * unwritten bytes) reaches `sendBoundBytes`; see {@link Pipe.writable}.
   */
  get writable(): boolean {
    // A connection that broke is not ready, even before its 'close' event made the pipe closed.
    if (this.closedFlag || this.socket.destroyed) return false;
    // SP-FRAMEWORK-27: a pipe whose unaccepted backlog reached the send bound is not ready.
    if (this.writer.queuedBytes + this.socket.writableLength < this.sendBoundBytes) return true;
    this.wantWritable = true;
    return false;
  }

  /** Bytes read from the connection and held, undecoded, while reading is paused. */
  get heldBytes(): number {
    return this.reader.heldBytes;
  }

  /** A write finished: when a reader of `writable` waits, tell it once the backlog fell under the bound. */
  private checkWritable(): void {
    if (!this.wantWritable || this.closedFlag) return;
    if (this.writer.queuedBytes + this.socket.writableLength >= this.sendBoundBytes) return;
    this.wantWritable = false;
    this.onWritable?.();
  }

  /**
   * SP-FRAMEWORK-22, SP-FRAMEWORK-28: no frame reaches `onMessage` after this returns; the
   * rest of the chunk being decoded stays in the reader, and the socket stops reading, so
   * the peer's data waits in the kernel and TCP's window closes on the sender.
   */
  pauseReading(): void {
    if (!this.gate.pause()) return;
    this.reader.pause();
    this.socket.pause();
    stopReadingNow(this.socket);
  }

  /**
   * SP-FRAMEWORK-23: hands over what the reader held, in order, from a microtask; the
   * socket reads again only once all of it went out with no new pause (see resumeNow).
   */
  resumeReading(): void {
    this.gate.resume();
  }

  private resumeNow(): void {
    // SP-FRAMEWORK-23: the held frames first. A pause during their delivery leaves the rest
    // held and the socket paused; a close drops them.
    if (!this.reader.resume() || this.gate.paused || this.closedFlag) return;
    // Only now: Node's resume() emits data it buffered from a nextTick, which could run
    // before a microtask and so overtake frames still held.
    startReadingAgain(this.socket);
    this.socket.resume();
  }

  send(first: Uint8Array, second?: Uint8Array): boolean {
    if (this.closedFlag) return false;
    this.writer.push(first, second);
    return true;
  }

  close(reason?: SPError): void {
    this.lifecycle({ type: "close", arg: reason });
  }

  /**
   * After close: the messages that were queued and never handed to the
   * connection, oldest first; each call returns them once (SP-PIPELINE-18).
   */
  takeUnsent(): Buffer[] {
    const out = this.unsent;
    this.unsent = [];
    return out;
  }

  /** Hands a lifecycle event to the actor unless it has finished. */
  private lifecycle(event: TcpPipeEvent<TcpPipeArgs>): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }

  private closeConnection(event: TcpPipeAnyEvent<TcpPipeArgs>): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.reader.stop();
    if (event.type === "oversize") this.reason = event.arg;
    else if (event.type === "close" && event.arg instanceof SPError) this.reason = event.arg;
    else if (event.type !== "header" && event.type !== "close" && event.type !== "disconnect") {
      this.reason = new SPError("ETIMEDOUT", "no SP header within the handshake timeout");
      // SP-TCP-7: a slow or silent peer is counted, like any other refused connection.
      this.host.count("handshakeTimeout");
    }
    const socket = this.socket;
    if (event.type === "close" && this.reason === undefined && !socket.destroyed) {
      // A local, orderly close: write what is queued, then end the stream.
      this.writer.flush();
      this.writer.discard();
      socket.end();
      socket.resume();
      setTimeout(() => socket.destroy(), this.host.options.linger || LINGER_MS).unref();
    } else {
      this.unsent = this.writer.discard();
      socket.destroy();
    }
    this.resolveClosed(this.reason);
  }
}
