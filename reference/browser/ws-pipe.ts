/**
 * One SP pipe over the browser's global `WebSocket` (rfc/draft-sp-websocket.md).
 * The `ws-pipe` machine owns the lifecycle exactly as on Node; data messages
 * bypass it. Browsers only let a page close with 1000 or 3000–4999, so the
 * 1003 (text) and 1009 (oversize) closes of SP-WS-9 / SP-WS-11 are sent as
 * 1000 with the reason in the close text.
 *
 * Nor can a page stop reading a WebSocket: `pauseReading` only holds the
 * messages that keep arriving, up to a bound, and closes the pipe past it.
 */
import { defaults } from "../../spec/constants.ts";
import { type WsPipeEvent, wsPipeMachine } from "../../spec/machines/ws-pipe.ts";
import { SPError } from "../core/errors.ts";
import { HeldMessages } from "../core/held-messages.ts";
import { allocatePipeId, type Pipe, sendBound } from "../core/pipe.ts";
import { ReadGate } from "../core/read-gate.ts";
import { recvBoundBytes } from "../core/recv-flow.ts";
import { createSpecActor } from "../core/spec-actor.ts";
import type { PipeHost } from "../core/transport.ts";
import { subprotocolName } from "../transport/ws/subprotocol.ts";

/** The unprovided ws-pipe machine (or a regenerated variant of it). */
export type BrowserWsPipeMachine = typeof wsPipeMachine;

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
export class BrowserWsPipe implements Pipe {
  readonly id = allocatePipeId();
  readonly peer: number;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  /**
   * SP-FRAMEWORK-27: the write backlog (`bufferedAmount`) at which `writable` turns false;
   * the socket's `sendBufferBytes`, read when the pipe starts.
   */
  readonly sendBoundBytes: number;
  readonly closed: Promise<SPError | undefined>;
  private readonly ws: WebSocket;
  private readonly host: PipeHost;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private closedFlag = false;
  private attached = false;
  private reason: SPError | undefined;
  private resolveClosed!: (r: SPError | undefined) => void;
  private readonly actor;
  /** The protocol asked to stop reading (pauseReading without resumeReading since). */
  private readonly gate = new ReadGate(
    () => this.closedFlag,
    () => this.resumeNow(),
  );
  /** Messages that arrived from a pause until all held ones went out. */
  private readonly held = new HeldMessages();
  private readonly deliverBound = (msg: Buffer) => this.onMessage?.(msg);
  private readonly stopBound = () => this.gate.paused || this.closedFlag;

  constructor(opts: BrowserWsPipeOptions) {
    const { host, ws } = opts;
    this.host = host;
    this.sendBoundBytes = sendBound(host.options);
    this.ws = ws;
    // SP-WS-7: no SP header; the subprotocol implies the peer is our protocol's peer.
    this.peer = host.identity.peer;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const expected = subprotocolName(host.identity.peerName);
    const machine = (opts.machine ?? wsPipeMachine).provide({
      actions: {
        refuseUpgrade: ({ event }) => {
          host.count("wsUpgradeRefused");
          this.finish(new SPError("EPROTO", `subprotocol refused: ${JSON.stringify(event.arg)}`));
          // SP-WS-6: a client drops a connection whose answer is not the offered name.
          this.ws.close(CLOSE_NORMAL, "subprotocol mismatch");
        },
        attachPipe: () => {
          if (this.closedFlag) return;
          this.attached = true;
          host.attachPipe(this);
          opts.onAttach?.(this);
        },
        abortConnection: ({ event }) => {
          if (event.type !== "disconnect" && event.type !== "close") {
            this.finish(new SPError("ETIMEDOUT", "WebSocket handshake or close timed out"));
          } else {
            this.finish(event.arg instanceof SPError ? event.arg : this.reason);
          }
          // A page cannot destroy the TCP connection; close() also aborts a pending upgrade.
          if (this.ws.readyState <= 1) this.ws.close();
        },
        // SP-WS-9: a TEXT message closes the connection (1000 + reason: browsers forbid 1003).
        closeUnsupportedData: () => this.closeWith("unsupported data: text message"),
        // SP-WS-11: a message over the receive limit closes (1000 + reason: browsers forbid 1009).
        closeTooBig: () => this.closeWith("message too big"),
        // SP-WS-19: a local close uses 1000.
        closeNormal: ({ event }) =>
          this.closeWith("", event.arg instanceof SPError ? event.arg : undefined),
        detachPipe: () => host.detachPipe(this),
      },
      guards: {
        // SP-WS-6: the answer must be exactly the name we offered.
        subprotocolValid: ({ event }) => event.arg === expected,
      },
      delays: {
        // SP-WS-17: the upgrade is bounded by the handshake timeout.
        handshakeTimeout: () => host.options.handshakeTimeout,
        // SP-WS-18: the closing handshake is bounded too.
        wsCloseTimeout: defaults.wsCloseTimeoutMs,
      },
    });
    this.actor = createSpecActor(machine);
    this.actor.subscribe({ complete: () => opts.onClose?.(this, this.attached) });
    this.actor.start();
    this.wire(ws);
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** False when closed or when `sendBoundBytes` or more wait to be sent. */
  get writable(): boolean {
    if (this.closedFlag || this.ws.readyState !== 1) return false;
    // SP-FRAMEWORK-27: a pipe whose unsent backlog reached the send bound is not ready.
    if (this.ws.bufferedAmount < this.sendBoundBytes) return true;
    this.pollDrain();
    return false;
  }

  /** Bytes of the messages received and held while reading is paused. */
  get heldBytes(): number {
    return this.held.bytes;
  }

  /**
   * SP-FRAMEWORK-22: no message reaches `onMessage` until {@link resumeReading}. A page
   * cannot stop reading a WebSocket, so the browser keeps receiving: what arrives is
   * held, in order, and a peer that sends more than {@link PAUSED_HOLD_FACTOR} times the
   * socket's `recvBufferBytes` into a paused pipe gets it closed (EMSGSIZE), so that
   * memory stays bounded (SP-FRAMEWORK-21).
   */
  pauseReading(): void {
    if (this.gate.pause()) this.held.holding = true;
  }

  /** SP-FRAMEWORK-23: delivers the held messages, in order, from a microtask. */
  resumeReading(): void {
    this.gate.resume();
  }

  /** A pause (the rest stays held) or a close during delivery stops it. */
  private resumeNow(): void {
    this.held.release(this.deliverBound, this.stopBound);
  }

  /** Holds one message received while paused; past the bound the pipe closes. */
  private hold(msg: Buffer): void {
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

  send(first: Uint8Array, second?: Uint8Array): boolean {
    if (this.closedFlag || this.ws.readyState !== 1) return false;
    // SP-WS-8: one SP message = one binary WebSocket message, no length prefix.
    const data = second && second.length > 0 ? Buffer.concat([first, second]) : first;
    this.ws.send(data);
    return true;
  }

  close(reason?: SPError): void {
    this.lifecycle({ type: "close", arg: reason });
  }

  /** Browsers report no drain: poll `bufferedAmount` while a writer waits. */
  private pollDrain(): void {
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

  private wire(ws: WebSocket): void {
    ws.binaryType = "arraybuffer";
    // SP-WS-2 / SP-WS-6: the browser fails the connection itself when the server answers a
    // name we did not offer; an empty answer (no subprotocol) reaches the guard.
    ws.onopen = () => this.lifecycle({ type: "upgrade", arg: ws.protocol });
    ws.onmessage = (ev: MessageEvent) => {
      if (this.closedFlag) return;
      if (typeof ev.data === "string") {
        this.host.count("rxText");
        this.reason = new SPError("EPROTO", "TEXT WebSocket message");
        this.lifecycle({ type: "textMessage" });
        return;
      }
      const msg = Buffer.from(ev.data as ArrayBuffer);
      const limit = this.host.options.recvMaxSize;
      // SP-WS-11: a page cannot stop a frame early; it drops the whole message and closes.
      if (limit > 0 && msg.length > limit) {
        this.host.count("rxOversize");
        this.reason = new SPError("EMSGSIZE", "WebSocket message over the receive limit");
        this.lifecycle({ type: "oversize" });
        return;
      }
      if (this.held.holding) this.hold(msg);
      else this.onMessage?.(msg);
    };
    // SP-WS-12: the browser answers PING with PONG itself and never delivers control frames.
    ws.onerror = () => {};
    ws.onclose = () => {
      if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
      this.lifecycle({ type: "disconnect", arg: this.reason });
    };
  }

  private closeWith(why: string, reason?: SPError): void {
    if (reason) this.reason = reason;
    this.finish(this.reason);
    // SP-WS-18: no more data after CLOSE.
    if (this.ws.readyState === 1) this.ws.close(CLOSE_NORMAL, why);
  }

  /** Marks the pipe closed (idempotent) and settles `closed`. */
  private finish(reason: SPError | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.held.clear();
    this.reason = reason;
    this.resolveClosed(reason);
  }

  private lifecycle(event: WsPipeEvent): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }
}
