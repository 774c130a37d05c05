/**
 * One SP pipe over the browser's global `WebSocket` (rfc/draft-sp-websocket.md).
 * The `ws-pipe` machine owns the lifecycle exactly as on Node (the shared
 * {@link WsPipeCore}); data messages bypass it. Browsers only let a page close
 * with 1000 or 3000–4999, so the 1003 (text) and 1009 (oversize) closes of
 * SP-WS-9 / SP-WS-11 are sent as 1000 with the reason in the close text.
 *
 * Nor can a page stop reading a WebSocket: `pauseReading` only holds the
 * messages that keep arriving, up to a bound, and closes the pipe past it.
 */
import { SPError } from "../core/errors.ts";
import { recvBoundBytes } from "../core/recv-flow.ts";
import type { PipeHost } from "../core/transport.ts";
import { WS_CLOSE, WsPipeCore, type WsPipeMachine } from "../transport/ws/pipe-core.ts";
import { subprotocolName } from "../transport/ws/subprotocol.ts";

/** The compiled `ws-pipe` table the reference runs (or one regenerated from an edited draft). */
export type BrowserWsPipeMachine = WsPipeMachine;

/** The only close code (besides 3000–4999) a page may send. */
const CLOSE_NORMAL = 1000;
/** How often a blocked writer polls `bufferedAmount` (browsers have no drain event). */
const DRAIN_POLL_MS = 10;
/** While paused, a pipe holds up to this many times the socket's `recvBufferBytes`. */
export const PAUSED_HOLD_FACTOR = 4;

/** Construction options of a {@link BrowserWsPipe}. */
export interface BrowserWsPipeOptions {
  host: PipeHost;
  /** A WebSocket still connecting, opened with the peer's subprotocol offered. */
  ws: WebSocket;
  onAttach?: (pipe: BrowserWsPipe) => void;
  onClose?: (pipe: BrowserWsPipe, attached: boolean) => void;
  machine?: BrowserWsPipeMachine;
}

/**
 * The client side of one WebSocket connection in a page.
 *
 * @example
 * ```ts
 * const ws = new WebSocket("ws://127.0.0.1:5555/", ["rep.sp.nanomsg.org"]);
 * const pipe = new BrowserWsPipe({ host: socket, ws });
 * ```
 */
export class BrowserWsPipe extends WsPipeCore<BrowserWsPipe> {
  private readonly ws: WebSocket;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: BrowserWsPipeOptions) {
    super(opts.host, subprotocolName(opts.host.identity.peerName), opts);
    this.ws = opts.ws;
    this.wire(opts.ws);
  }

  protected get open(): boolean {
    return this.ws.readyState === 1;
  }

  protected get backlog(): number {
    return this.ws.bufferedAmount;
  }

  protected transmit(data: Uint8Array): void {
    this.ws.send(data);
  }

  /** Browsers report no drain: poll `bufferedAmount` while a writer waits. */
  protected watchDrain(): void {
    if (this.drainTimer !== undefined) return;
    const tick = () => {
      this.drainTimer = undefined;
      if (this.closedFlag) return;
      if (this.ws.bufferedAmount >= this.sendBoundBytes) {
        this.drainTimer = setTimeout(tick, DRAIN_POLL_MS);
        return;
      }
      this.onWritable?.();
    };
    this.drainTimer = setTimeout(tick, DRAIN_POLL_MS);
  }

  protected refuseConnection(): void {
    // SP-WS-6: a client drops a connection whose answer is not the offered name.
    this.ws.close(CLOSE_NORMAL, "subprotocol mismatch");
  }

  protected dropConnection(): void {
    // A page cannot destroy the TCP connection; close() also aborts a pending upgrade.
    if (this.ws.readyState <= 1) this.ws.close();
  }

  protected sendClose(code: number, why: string): void {
    // SP-WS-9, SP-WS-11: browsers forbid 1003 and 1009, so these go as 1000 with the reason.
    const text = code === WS_CLOSE.unsupportedData ? `unsupported data: ${why}` : why;
    if (this.ws.readyState === 1) this.ws.close(CLOSE_NORMAL, text);
  }

  /**
   * SP-FRAMEWORK-22: a page cannot stop reading a WebSocket, so the browser keeps
   * receiving while paused: what arrives is held, in order, and a peer that sends more
   * than {@link PAUSED_HOLD_FACTOR} times the socket's `recvBufferBytes` into a paused
   * pipe gets it closed (EMSGSIZE), so that memory stays bounded (SP-FRAMEWORK-21).
   */
  protected override hold(msg: Buffer): void {
    this.held.hold(msg);
    const bound = PAUSED_HOLD_FACTOR * recvBoundBytes(this.host.options);
    if (this.held.bytes <= bound) return;
    this.host.count("rxPausedOverflow");
    this.close(
      new SPError(
        "EMSGSIZE",
        "peer sent past the receive buffer while reading was paused; a browser WebSocket cannot stop reading",
      ),
    );
  }

  private wire(ws: WebSocket): void {
    ws.binaryType = "arraybuffer";
    // SP-WS-2 / SP-WS-6: the browser fails the connection itself when the server answers a
    // name we did not offer; an empty answer (no subprotocol) reaches the guard.
    ws.onopen = () => this.upgraded(ws.protocol);
    ws.onmessage = (ev: MessageEvent) => {
      if (this.closedFlag) return;
      if (typeof ev.data === "string") {
        this.receivedText();
        return;
      }
      const msg = Buffer.from(ev.data as ArrayBuffer);
      const limit = this.host.options.recvMaxSize;
      // SP-WS-11: a page cannot stop a frame early (SP-WS-26); it drops the whole message and closes.
      if (limit > 0 && msg.length > limit) {
        this.receivedOversize();
        return;
      }
      this.received(msg);
    };
    // SP-WS-12: the browser answers PING with PONG itself and never delivers control frames.
    ws.onerror = () => {};
    ws.onclose = () => {
      if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
      this.disconnected();
    };
  }
}
