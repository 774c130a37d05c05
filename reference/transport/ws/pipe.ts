import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { defaults } from "../../../spec/constants.ts";
import { type WsPipeEvent, wsPipeMachine } from "../../../spec/machines/ws-pipe.ts";
import { SPError } from "../../core/errors.ts";
import { HeldMessages } from "../../core/held-messages.ts";
import { allocatePipeId, type Pipe, sendBound } from "../../core/pipe.ts";
import { ReadGate } from "../../core/read-gate.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { PipeHost } from "../../core/transport.ts";
import { subprotocolName } from "./subprotocol.ts";

/** The unprovided ws-pipe machine (or a regenerated variant of it). */
export type WsPipeMachine = typeof wsPipeMachine;

/** WebSocket close codes used by the mapping. */
export const WS_CLOSE = {
  normal: 1000,
  protocolError: 1002,
  unsupportedData: 1003,
  tooBig: 1009,
} as const;

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
 * One WebSocket connection carrying SP messages (rfc/draft-sp-websocket.md).
 * The `ws-pipe` actor owns the lifecycle (subprotocol check, handshake
 * timeout, text/oversize/disconnect/close); each SP message is one binary
 * WebSocket message and does not pass through the actor.
 *
 * @example
 * ```ts
 * const pipe = new WsPipe({ host: socket, client: new WebSocket(url, ["rep.sp.nanomsg.org"]) });
 * ```
 */
export class WsPipe implements Pipe {
  readonly id = allocatePipeId();
  readonly peer: number;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  /**
   * SP-FRAMEWORK-27: the write backlog (ws's `bufferedAmount`) at which `writable` turns
   * false; the socket's `sendBufferBytes`, read when the pipe starts.
   */
  readonly sendBoundBytes: number;
  private wantWritable = false;
  /** Pause and resume (SP-FRAMEWORK-22/-23); resumeNow runs from a microtask. */
  private readonly gate = new ReadGate(
    () => this.closedFlag,
    () => this.resumeNow(),
  );
  /** Messages ws emitted (it may still emit what it had parsed) from a pause until all went out. */
  private readonly held = new HeldMessages();
  private readonly deliverBound = (msg: Buffer) => this.onMessage?.(msg);
  private readonly stopBound = () => this.gate.paused || this.closedFlag;
  /** A send finished; one that failed (the connection broke) wakes nobody: the pipe is closing. */
  private readonly sentBound = (err?: Error) => {
    if (!err) this.checkWritable();
  };
  readonly closed: Promise<SPError | undefined>;
  private ws: WebSocket | undefined;
  private readonly upgrade: WsServerUpgrade | undefined;
  private closedFlag = false;
  private attached = false;
  private reason: SPError | undefined;
  private resolveClosed!: (r: SPError | undefined) => void;
  private readonly host: PipeHost;
  private readonly actor;

  constructor(opts: WsPipeOptions) {
    const { host } = opts;
    this.host = host;
    this.sendBoundBytes = sendBound(host.options);
    // SP-WS-7: no SP header; the subprotocol implies the peer is our protocol's peer.
    this.peer = host.identity.peer;
    this.upgrade = opts.server;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const isServer = opts.server !== undefined;
    const expected = isServer
      ? subprotocolName(host.identity.name)
      : subprotocolName(host.identity.peerName);

    const machine = (opts.machine ?? wsPipeMachine).provide({
      actions: {
        refuseUpgrade: ({ event }) => {
          host.count("wsUpgradeRefused");
          this.finish(new SPError("EPROTO", `subprotocol refused: ${JSON.stringify(event.arg)}`));
          if (this.upgrade) {
            // SP-WS-4: refuse without switching protocols, with HTTP 400.
            const s = this.upgrade.socket;
            s.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
            setTimeout(() => s.destroy(), 200).unref();
          } else {
            // SP-WS-6: a client drops a connection whose answer is not the offered name.
            this.ws?.terminate();
          }
        },
        attachPipe: () => {
          if (this.upgrade) {
            // SP-WS-3: complete the upgrade, echoing our own subprotocol name.
            this.upgrade.accept((ws) => this.bind(ws));
          }
          if (!this.ws || this.closedFlag) return;
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
          if (this.ws) this.ws.terminate();
          else this.upgrade?.socket.destroy();
        },
        // SP-WS-9: a TEXT message closes the connection with 1003.
        closeUnsupportedData: () => this.closeWith(WS_CLOSE.unsupportedData, "text message"),
        // SP-WS-11: a message over the receive limit closes with 1009.
        closeTooBig: () => this.closeWith(WS_CLOSE.tooBig, "message too big"),
        // SP-WS-19: a local close uses 1000.
        closeNormal: ({ event }) =>
          this.closeWith(WS_CLOSE.normal, "", event.arg instanceof SPError ? event.arg : undefined),
        detachPipe: () => host.detachPipe(this),
      },
      guards: {
        subprotocolValid: ({ event }) => {
          const arg = event.arg;
          // Server: the offered list must hold our name; client: the answer must be what we offered.
          return Array.isArray(arg) ? arg.includes(expected) : arg === expected;
        },
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

    if (opts.client) {
      const ws = opts.client;
      this.ws = ws;
      this.wire(ws);
      ws.once("upgrade", (res) => {
        const answer = res.headers["sec-websocket-protocol"];
        if (answer !== expected) this.lifecycle({ type: "upgrade", arg: answer ?? null });
      });
      ws.once("open", () => this.lifecycle({ type: "upgrade", arg: ws.protocol }));
    } else if (opts.server) {
      const s = opts.server.socket;
      s.on("error", () => {});
      s.once("close", () => {
        if (!this.ws) this.lifecycle({ type: "disconnect" });
      });
    }
  }

  /** Server side: the offered subprotocols arrived; the machine decides (SP-WS-3, SP-WS-4). */
  offer(offered: string[]): void {
    this.lifecycle({ type: "upgrade", arg: offered });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** False when closed or when `sendBoundBytes` or more wait to be written. */
  get writable(): boolean {
    if (this.closedFlag || !this.ws || this.ws.readyState !== 1) return false;
    // SP-FRAMEWORK-27: a pipe whose unwritten backlog reached the send bound is not ready.
    if (this.ws.bufferedAmount < this.sendBoundBytes) return true;
    this.wantWritable = true;
    return false;
  }

  /** Bytes of the messages received and held while reading is paused. */
  get heldBytes(): number {
    return this.held.bytes;
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

  send(first: Uint8Array, second?: Uint8Array): boolean {
    const ws = this.ws;
    if (this.closedFlag || !ws || ws.readyState !== 1) return false;
    // SP-WS-8: one SP message = one binary WebSocket message, no length prefix.
    const data = second && second.length > 0 ? Buffer.concat([first, second]) : first;
    ws.send(data, BINARY, this.sentBound);
    return true;
  }

  /**
   * SP-FRAMEWORK-22, SP-FRAMEWORK-28: `ws.pause()` stops reading the TCP connection (its
   * window closes on the sender); messages ws already parsed and still emits are held,
   * in order, and never reach `onMessage` until {@link resumeReading}.
   */
  pauseReading(): void {
    if (!this.gate.pause()) return;
    this.held.holding = true;
    this.ws?.pause();
  }

  /**
   * SP-FRAMEWORK-23: delivers the held messages, in order, from a microtask; the
   * connection is read again (`ws.resume()`) only once all went out with no new pause.
   */
  resumeReading(): void {
    this.gate.resume();
  }

  /** A pause (the rest stays held) or a close during delivery stops it before ws reads again. */
  private resumeNow(): void {
    if (this.held.release(this.deliverBound, this.stopBound)) this.ws?.resume();
  }

  close(reason?: SPError): void {
    this.lifecycle({ type: "close", arg: reason });
  }

  private bind(ws: WebSocket): void {
    this.ws = ws;
    this.wire(ws);
  }

  private wire(ws: WebSocket): void {
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (this.closedFlag) return;
      if (!isBinary) {
        this.host.count("rxText");
        this.reason = new SPError("EPROTO", "TEXT WebSocket message");
        this.lifecycle({ type: "textMessage" });
        return;
      }
      // SP-FRAMEWORK-22: paused, or held messages still to go out first.
      if (this.held.holding) {
        this.held.hold(data);
        return;
      }
      this.onMessage?.(data);
    });
    ws.on("error", (e: Error & { code?: string }) => {
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        // ws has already stopped reading and started the 1009 close (SP-WS-11).
        this.host.count("rxOversize");
        this.reason = new SPError("EMSGSIZE", "WebSocket message over the receive limit");
        this.lifecycle({ type: "oversize" });
      } else if (e.code?.startsWith("WS_ERR_")) {
        this.host.count("rxProtocolError");
        this.reason = new SPError("EPROTO", e.message);
      }
    });
    // SP-WS-12: ws answers PING with PONG itself (autoPong) and never delivers control frames.
    ws.on("close", () => this.lifecycle({ type: "disconnect", arg: this.reason }));
  }

  private closeWith(code: number, why: string, reason?: SPError): void {
    if (reason) this.reason = reason;
    this.finish(this.reason);
    const ws = this.ws;
    // SP-WS-18: no more data after CLOSE; the socket is destroyed after the handshake or timeout.
    if (ws && ws.readyState === 1) ws.close(code, why);
  }

  /** Marks the pipe closed (idempotent) and settles `closed`. */
  private finish(reason: SPError | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.held.clear();
    // A paused connection must be read again for the closing handshake (SP-WS-18) to
    // complete; what it still carries is ignored, the pipe being closed.
    if (this.held.holding) {
      this.held.holding = false;
      this.ws?.resume();
    }
    this.reason = reason;
    this.resolveClosed(reason);
  }

  private lifecycle(event: WsPipeEvent): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }
}
