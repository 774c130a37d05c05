/**
 * One SP pipe over the browser's global `WebSocket` (rfc/draft-sp-websocket.md).
 * The `ws-pipe` machine owns the lifecycle exactly as on Node; data messages
 * bypass it. Browsers only let a page close with 1000 or 3000–4999, so the
 * 1003 (text) and 1009 (oversize) closes of SP-WS-9 / SP-WS-11 are sent as
 * 1000 with the reason in the close text.
 */
import { defaults } from "../../spec/constants.ts";
import { type WsPipeEvent, wsPipeMachine } from "../../spec/machines/ws-pipe.ts";
import { SPError } from "../core/errors.ts";
import { allocatePipeId, PIPE_WRITE_HIGH_WATER_MARK, type Pipe } from "../core/pipe.ts";
import { createSpecActor } from "../core/spec-actor.ts";
import type { PipeHost } from "../core/transport.ts";
import { subprotocolName } from "../transport/ws/subprotocol.ts";

/** The unprovided ws-pipe machine (or a regenerated variant of it). */
export type BrowserWsPipeMachine = typeof wsPipeMachine;

/** The only close code (besides 3000–4999) a page may send. */
const CLOSE_NORMAL = 1000;
/** How often a blocked writer polls `bufferedAmount` (browsers have no drain event). */
const DRAIN_POLL_MS = 10;

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
  /** Write backlog (`bufferedAmount`) above which `writable` is false. */
  highWaterMark = PIPE_WRITE_HIGH_WATER_MARK;
  readonly closed: Promise<SPError | undefined>;
  private readonly ws: WebSocket;
  private readonly host: PipeHost;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private closedFlag = false;
  private attached = false;
  private reason: SPError | undefined;
  private resolveClosed!: (r: SPError | undefined) => void;
  private readonly actor;

  constructor(opts: BrowserWsPipeOptions) {
    const { host, ws } = opts;
    this.host = host;
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

  /** False when closed or when more than `highWaterMark` bytes wait to be sent. */
  get writable(): boolean {
    if (this.closedFlag || this.ws.readyState !== 1) return false;
    if (this.ws.bufferedAmount < this.highWaterMark) return true;
    this.pollDrain();
    return false;
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
      if (this.ws.bufferedAmount >= this.highWaterMark) {
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
      this.onMessage?.(msg);
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
    this.reason = reason;
    this.resolveClosed(reason);
  }

  private lifecycle(event: WsPipeEvent): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }
}
