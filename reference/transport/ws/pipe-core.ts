/**
 * The part of an SP pipe over WebSocket (rfc/draft-sp-websocket.md) that does
 * not depend on the WebSocket at hand: the `ws-pipe` machine's bindings
 * (subprotocol check, attach, close codes, aborts), one binary message per SP
 * message, the send bound, pause/resume with the held messages, and the close
 * bookkeeping. Node's pipe ({@link WsPipe}, on the `ws` package) and the
 * page's ({@link BrowserWsPipe}, on the global `WebSocket`) each add a small
 * adapter: how to send, close, abort and read their socket.
 *
 * Only browser-safe modules may be imported here: the browser build uses it.
 */
import { defaults } from "../../../spec/constants.ts";
import {
  createWsPipeLogic,
  type WsPipeEvent,
  type WsPipeImplementation,
  type wsPipeCompiled,
} from "../../../spec/machines/ws-pipe.ts";
import { SPError } from "../../core/errors.ts";
import { HeldMessages } from "../../core/held-messages.ts";
import { allocatePipeId, type Pipe, sendBound } from "../../core/pipe.ts";
import { ReadGate } from "../../core/read-gate.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { PipeHost } from "../../core/transport.ts";

/** The compiled `ws-pipe` table the reference runs (or one regenerated from an edited draft). */
export type WsPipeMachine = typeof wsPipeCompiled;

/** WebSocket close codes used by the mapping. */
export const WS_CLOSE = {
  normal: 1000,
  protocolError: 1002,
  unsupportedData: 1003,
  tooBig: 1009,
} as const;

/** What each `ws-pipe` event carries in `arg` (the payload map the machine is bound with). */
export interface WsPipeArgs {
  /** Server: the offered subprotocols; client: the server's answer (null when it gave none). */
  upgrade: string | readonly string[] | null;
  textMessage: undefined;
  oversize: undefined;
  /** Why the connection went away, when known. */
  disconnect: SPError | undefined;
  /** The reason given to `close`, if any. */
  close: SPError | undefined;
}

/** What a pipe's owner (a dialer, a listener) hears of it. */
export interface WsPipeEvents<P> {
  onAttach?: (pipe: P) => void;
  onClose?: (pipe: P, attached: boolean) => void;
  machine?: WsPipeMachine;
}

/**
 * One WebSocket connection carrying SP messages, whatever the WebSocket. The
 * `ws-pipe` actor owns the lifecycle; each SP message is one binary WebSocket
 * message and does not pass through the actor. `P` is the concrete pipe class,
 * the one its owner's callbacks get.
 *
 * @example
 * ```ts
 * class MyWsPipe extends WsPipeCore<MyWsPipe> {
 *   protected get open() { return this.socket.readyState === 1; }
 *   // ... the other adapter hooks
 * }
 * ```
 */
export abstract class WsPipeCore<P extends WsPipeCore<P>> implements Pipe {
  readonly id = allocatePipeId();
  readonly peer: number;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  /**
   * SP-FRAMEWORK-27: the write backlog (`bufferedAmount`) at which `writable` turns
   * false; the socket's `sendBufferBytes`, read when the pipe starts.
   */
  readonly sendBoundBytes: number;
  readonly closed: Promise<SPError | undefined>;
  protected readonly host: PipeHost;
  protected closedFlag = false;
  /** Why the pipe closes, once known (a TEXT message, an oversize one, a protocol error). */
  protected reason: SPError | undefined;
  /** Messages that arrived from a pause until all held ones went out. */
  protected readonly held = new HeldMessages();
  private attached = false;
  private resolveClosed!: (r: SPError | undefined) => void;
  /** Pause and resume (SP-FRAMEWORK-22/-23); resumeNow runs from a microtask. */
  private readonly gate = new ReadGate(
    () => this.closedFlag,
    () => this.resumeNow(),
  );
  private readonly deliverBound = (msg: Buffer) => this.onMessage?.(msg);
  private readonly stopBound = () => this.gate.paused || this.closedFlag;
  private readonly actor;

  /**
   * @param expected the subprotocol name the other side must offer (server) or answer (client).
   */
  protected constructor(host: PipeHost, expected: string, events: WsPipeEvents<P>) {
    this.host = host;
    this.sendBoundBytes = sendBound(host.options);
    // SP-WS-7: no SP header; the subprotocol implies the peer is our protocol's peer.
    this.peer = host.identity.peer;
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const impl: WsPipeImplementation<WsPipeArgs> = {
      actions: {
        refuseUpgrade: ({ event }) => {
          host.count("wsUpgradeRefused");
          this.finish(new SPError("EPROTO", `subprotocol refused: ${JSON.stringify(event.arg)}`));
          this.refuseConnection();
        },
        attachPipe: () => {
          if (!this.completeUpgrade() || this.closedFlag) return;
          this.attached = true;
          host.attachPipe(this);
          events.onAttach?.(this.self);
        },
        abortConnection: ({ event }) => {
          if (event.type !== "disconnect" && event.type !== "close") {
            this.finish(new SPError("ETIMEDOUT", "WebSocket handshake or close timed out"));
          } else {
            this.finish(event.arg instanceof SPError ? event.arg : this.reason);
          }
          this.dropConnection();
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
          // SP-WS-3: a server needs our name among those offered; SP-WS-6: a client needs
          // exactly the name it offered as the answer.
          return Array.isArray(arg) ? arg.includes(expected) : arg === expected;
        },
      },
      delays: {
        // SP-WS-17: the upgrade is bounded by the handshake timeout.
        handshakeTimeout: () => host.options.handshakeTimeout,
        // SP-WS-18: the closing handshake is bounded too.
        wsCloseTimeout: defaults.wsCloseTimeoutMs,
      },
    };
    this.actor = createSpecActor(createWsPipeLogic(impl, events.machine));
    this.actor.subscribe({ complete: () => events.onClose?.(this.self, this.attached) });
    this.actor.start();
  }

  // The adapter: what each kind of WebSocket does.

  /** True while the connection is open for data messages. */
  protected abstract get open(): boolean;
  /** Bytes sent but not yet handed to the network (`bufferedAmount`). */
  protected abstract get backlog(): number;
  /** Sends one binary WebSocket message. */
  protected abstract transmit(data: Uint8Array): void;
  /** `writable` turned false: call `onWritable` once the backlog is under the bound again. */
  protected abstract watchDrain(): void;
  /** The other side's subprotocol was refused (SP-WS-4, SP-WS-6): end the connection. */
  protected abstract refuseConnection(): void;
  /** Ends the connection at once (a timeout, a disconnect, an abort). */
  protected abstract dropConnection(): void;
  /** Starts the closing handshake with `code` and `why`, if the connection is open. */
  protected abstract sendClose(code: number, why: string): void;

  /**
   * The upgrade was accepted: complete it where this side is the server. False
   * when there is (still) no connection to attach.
   */
  protected completeUpgrade(): boolean {
    return true;
  }

  /** A pause began: stop reading the connection, where the WebSocket allows it. */
  protected stopReading(): void {}

  /** Read the connection again (the held messages went out, or the pipe closed). */
  protected readAgain(): void {}

  /** Holds one message received while paused (or while held ones still wait). */
  protected hold(msg: Buffer): void {
    this.held.hold(msg);
  }

  // The events the adapter reports.

  /** The upgrade completed with `answer` (client) or offered `answer` (server). */
  protected upgraded(answer: WsPipeArgs["upgrade"]): void {
    this.lifecycle({ type: "upgrade", arg: answer });
  }

  /** A binary message arrived. */
  protected received(msg: Buffer): void {
    // SP-FRAMEWORK-22: paused, or held messages still to go out first.
    if (this.held.holding) this.hold(msg);
    else this.onMessage?.(msg);
  }

  /** A TEXT message arrived: the pipe closes (SP-WS-9). */
  protected receivedText(): void {
    this.host.count("rxText");
    this.reason = new SPError("EPROTO", "TEXT WebSocket message");
    this.lifecycle({ type: "textMessage" });
  }

  /** A message over the receive limit arrived: the pipe closes (SP-WS-11). */
  protected receivedOversize(): void {
    this.host.count("rxOversize");
    this.reason = new SPError("EMSGSIZE", "WebSocket message over the receive limit");
    this.lifecycle({ type: "oversize" });
  }

  /** The connection went away. */
  protected disconnected(): void {
    this.lifecycle({ type: "disconnect", arg: this.reason });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** False when closed or when `sendBoundBytes` or more wait to be sent. */
  get writable(): boolean {
    if (this.closedFlag || !this.open) return false;
    // SP-FRAMEWORK-27: a pipe whose unsent backlog reached the send bound is not ready.
    if (this.backlog < this.sendBoundBytes) return true;
    this.watchDrain();
    return false;
  }

  /** Bytes of the messages received and held while reading is paused. */
  get heldBytes(): number {
    return this.held.bytes;
  }

  send(first: Uint8Array, second?: Uint8Array): boolean {
    if (this.closedFlag || !this.open) return false;
    // SP-WS-8: one SP message = one binary WebSocket message, no length prefix.
    const data = second && second.length > 0 ? Buffer.concat([first, second]) : first;
    this.transmit(data);
    return true;
  }

  /**
   * SP-FRAMEWORK-22: no message reaches `onMessage` until {@link resumeReading};
   * what arrives meanwhile is held, in order (see each pipe for how it stops reading).
   */
  pauseReading(): void {
    if (!this.gate.pause()) return;
    this.held.holding = true;
    this.stopReading();
  }

  /**
   * SP-FRAMEWORK-23: delivers the held messages, in order, from a microtask; the
   * connection is read again only once all went out with no new pause.
   */
  resumeReading(): void {
    this.gate.resume();
  }

  close(reason?: SPError): void {
    this.lifecycle({ type: "close", arg: reason });
  }

  /** This pipe as its owner knows it. */
  private get self(): P {
    return this as unknown as P;
  }

  /** A pause (the rest stays held) or a close during delivery stops it before reading again. */
  private resumeNow(): void {
    if (this.held.release(this.deliverBound, this.stopBound)) this.readAgain();
  }

  private closeWith(code: number, why: string, reason?: SPError): void {
    if (reason) this.reason = reason;
    this.finish(this.reason);
    // SP-WS-27: no more data after CLOSE.
    this.sendClose(code, why);
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
      this.readAgain();
    }
    this.reason = reason;
    this.resolveClosed(reason);
  }

  protected lifecycle(event: WsPipeEvent<WsPipeArgs>): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }
}
