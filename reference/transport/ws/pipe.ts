import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { SPError } from "../../core/errors.ts";
import type { PipeHost } from "../../core/transport.ts";
import { WsPipeCore, type WsPipeMachine } from "./pipe-core.ts";
import { subprotocolName } from "./subprotocol.ts";

export { WS_CLOSE, type WsPipeMachine } from "./pipe-core.ts";

/** ws's send options for every SP message (ws copies them; one object serves all sends). */
const BINARY = { binary: true } as const;

/** The server side of an upgrade still in progress. */
export interface WsServerUpgrade {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  /** Completes the WebSocket handshake (ws's `handleUpgrade`), echoing `protocol`. */
  accept(cb: (ws: WebSocket) => void): void;
}

/** Construction options of a {@link WsPipe}: exactly one of `client` / `server`. */
export interface WsPipeOptions {
  host: PipeHost;
  /** A client WebSocket still connecting (dialer side). */
  client?: WebSocket;
  /** An upgrade request (listener side). */
  server?: WsServerUpgrade;
  onAttach?: (pipe: WsPipe) => void;
  onClose?: (pipe: WsPipe, attached: boolean) => void;
  machine?: WsPipeMachine;
}

/**
 * One WebSocket connection carrying SP messages (rfc/draft-sp-websocket.md),
 * on the `ws` package: the shared {@link WsPipeCore} plus the server side of
 * the upgrade, real read flow control (`ws.pause()`), and a drain wake-up
 * from each send's callback.
 *
 * @example
 * ```ts
 * const pipe = new WsPipe({ host: socket, client: new WebSocket(url, ["rep.sp.nanomsg.org"]) });
 * ```
 */
export class WsPipe extends WsPipeCore<WsPipe> {
  private wantWritable = false;
  /** A send finished; one that failed (the connection broke) wakes nobody: the pipe is closing. */
  private readonly sentBound = (err?: Error) => {
    if (!err) this.checkWritable();
  };
  private ws: WebSocket | undefined;
  private readonly upgrade: WsServerUpgrade | undefined;

  constructor(opts: WsPipeOptions) {
    const { host } = opts;
    const expected = opts.server
      ? subprotocolName(host.identity.name)
      : subprotocolName(host.identity.peerName);
    super(host, expected, opts);
    this.upgrade = opts.server;
    if (opts.client) {
      const ws = opts.client;
      this.ws = ws;
      this.wire(ws);
      ws.once("upgrade", (res) => {
        const answer = res.headers["sec-websocket-protocol"];
        if (answer !== expected) this.upgraded(answer ?? null);
      });
      ws.once("open", () => this.upgraded(ws.protocol));
    } else if (opts.server) {
      const s = opts.server.socket;
      s.on("error", () => {});
      s.once("close", () => {
        if (!this.ws) this.disconnected();
      });
    }
  }

  /** Server side: the offered subprotocols arrived; the machine decides (SP-WS-3, SP-WS-4). */
  offer(offered: string[]): void {
    this.upgraded(offered);
  }

  protected get open(): boolean {
    return this.ws !== undefined && this.ws.readyState === 1;
  }

  protected get backlog(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  protected transmit(data: Uint8Array): void {
    this.ws?.send(data, BINARY, this.sentBound);
  }

  protected watchDrain(): void {
    this.wantWritable = true;
  }

  protected refuseConnection(): void {
    if (this.upgrade) {
      // SP-WS-4: refuse without switching protocols; SP-WS-23: with HTTP 400.
      const s = this.upgrade.socket;
      s.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      setTimeout(() => s.destroy(), 200).unref();
    } else {
      // SP-WS-6: a client drops a connection whose answer is not the offered name.
      this.ws?.terminate();
    }
  }

  protected dropConnection(): void {
    if (this.ws) this.ws.terminate();
    else this.upgrade?.socket.destroy();
  }

  protected sendClose(code: number, why: string): void {
    const ws = this.ws;
    // The socket is destroyed after the closing handshake or its timeout.
    if (ws && ws.readyState === 1) ws.close(code, why);
  }

  protected override completeUpgrade(): boolean {
    // SP-WS-3: complete the upgrade, echoing our own subprotocol name.
    if (this.upgrade) this.upgrade.accept((ws) => this.bind(ws));
    return this.ws !== undefined;
  }

  /**
   * SP-FRAMEWORK-22, SP-FRAMEWORK-28: `ws.pause()` stops reading the TCP connection (its
   * window closes on the sender); messages ws already parsed and still emits are held.
   */
  protected override stopReading(): void {
    this.ws?.pause();
  }

  protected override readAgain(): void {
    this.ws?.resume();
  }

  /**
   * A send was written out: when a reader of `writable` waits, tell it once the backlog
   * fell under the bound. Every send carries this callback, so the wake-up does not
   * depend on Node's 'drain', which needs the socket's own (16 KiB) mark to be crossed.
   */
  private checkWritable(): void {
    if (!this.wantWritable || this.closedFlag || !this.ws) return;
    if (this.ws.bufferedAmount >= this.sendBoundBytes) return;
    this.wantWritable = false;
    this.onWritable?.();
  }

  private bind(ws: WebSocket): void {
    this.ws = ws;
    this.wire(ws);
  }

  private wire(ws: WebSocket): void {
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (this.closedFlag) return;
      if (isBinary) this.received(data);
      else this.receivedText();
    });
    ws.on("error", (e: Error & { code?: string }) => {
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        // ws has already stopped reading (SP-WS-26) and started the 1009 close (SP-WS-11).
        this.receivedOversize();
      } else if (e.code?.startsWith("WS_ERR_")) {
        this.host.count("rxProtocolError");
        this.reason = new SPError("EPROTO", e.message);
      }
    });
    // SP-WS-12: ws answers PING with PONG itself (autoPong) and never delivers control frames.
    ws.on("close", () => this.disconnected());
  }
}
