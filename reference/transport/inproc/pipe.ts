import {
  createInprocPipeLogic,
  type InprocPipeAnyEvent,
  type InprocPipeEvent,
  type InprocPipeImplementation,
  type inprocPipeCompiled,
} from "../../../spec/machines/inproc-pipe.ts";
import { SPError } from "../../core/errors.ts";
import { allocatePipeId, type Pipe, sendBound } from "../../core/pipe.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { PipeHost } from "../../core/transport.ts";

/** The compiled `inproc-pipe` table the reference runs (or one regenerated from an edited draft). */
export type InprocPipeMachine = typeof inprocPipeCompiled;

/** What each `inproc-pipe` event carries in `arg` (the payload map the machine is bound with). */
export interface InprocPipeArgs {
  /** The other end's protocol number. */
  connect: number;
  disconnect: undefined;
  /** The reason given to `close`, if any. */
  close: SPError | undefined;
  /** Why the message was refused (EMSGSIZE). */
  oversize: SPError;
}

/** Construction options of an {@link InprocPipe}. */
export interface InprocPipeOptions {
  /** The SP socket this endpoint belongs to. */
  host: PipeHost;
  /** Called once the endpoint was attached to its socket. */
  onAttach?: (pipe: InprocPipe) => void;
  /** Called once the endpoint is closed; `attached` tells whether it ever was. */
  onClose?: (pipe: InprocPipe, attached: boolean) => void;
  /** Alternate machine (tests, other drafts). */
  machine?: InprocPipeMachine;
}

/** Views `data` as a Buffer without copying it (SP-INPROC-13). */
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * One end of an in-process pipe. Messages are handed to the other end
 * without copying and delivered in a microtask, batched per tick
 * (SP-INPROC-13, SP-INPROC-8). The `inproc-pipe` actor owns the lifecycle
 * (join with the peer check, oversize, disconnect, close); messages never
 * reach the actor.
 *
 * Flow control (SP-INPROC-12): an end counts the bytes it sent that the other
 * end has not delivered yet, and is not writable once they reach its socket's
 * send bound. An end whose socket stopped reading it (`pauseReading`) keeps
 * what it was sent in its inbox, undelivered, so that count stays up.
 *
 * @example
 * ```ts
 * const [a, b] = joinPipes(dialerSocket, listenerSocket);
 * a.send(Buffer.from("hi")); // b.onMessage receives the same Buffer
 * ```
 */
export class InprocPipe implements Pipe {
  readonly id = allocatePipeId();
  peer = -1;
  onMessage: ((msg: Buffer) => void) | null = null;
  onWritable: (() => void) | null = null;
  readonly closed: Promise<SPError | undefined>;
  /** The other end; set by {@link joinPipes}. */
  other: InprocPipe | undefined;
  private closedFlag = false;
  private attached = false;
  private reason: SPError | undefined;
  private resolveClosed!: (r: SPError | undefined) => void;
  /** Messages for this end, not yet delivered. */
  private inbox: Buffer[] = [];
  /** What was still in the inbox when this end closed; the sender takes it back. */
  private orphans: Buffer[] = [];
  /** Bytes this end has sent that the other end has not yet delivered. */
  private inFlight = 0;
  /** SP-INPROC-12: `inFlight` at which this end is not writable; its socket's send bound. */
  readonly sendBoundBytes: number;
  private wantWritable = false;
  private scheduled = false;
  /** The socket asked to stop reading this end (pauseReading without resumeReading since). */
  private readPaused = false;
  /** The other end closed while this end still held messages from it: disconnect once delivered. */
  private otherGone = false;
  private readonly host: PipeHost;
  private readonly actor;
  private readonly drainBound = () => this.drain();

  constructor(opts: InprocPipeOptions) {
    const { host } = opts;
    this.host = host;
    this.sendBoundBytes = sendBound(host.options);
    this.closed = new Promise((r) => {
      this.resolveClosed = r;
    });
    const impl: InprocPipeImplementation<InprocPipeArgs> = {
      actions: {
        attachPipe: ({ event }) => {
          this.peer = event.arg;
          this.attached = true;
          host.attachPipe(this);
          opts.onAttach?.(this);
        },
        detachPipe: () => host.detachPipe(this),
        closeConnection: ({ event }) => this.closeConnection(event),
      },
      guards: {
        // SP-INPROC-4: join only sockets whose protocols are peers of each other.
        peerCompatible: ({ event }) => {
          if (host.isPeerCompatible(event.arg)) return true;
          host.count("rxBadPeer");
          this.reason = new SPError("EPROTO", "incompatible peer protocol");
          return false;
        },
      },
      delays: {},
    };
    this.actor = createSpecActor(createInprocPipeLogic(impl, opts.machine));
    this.actor.subscribe({ complete: () => opts.onClose?.(this, this.attached) });
    this.actor.start();
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  get writable(): boolean {
    if (this.closedFlag) return false;
    // SP-INPROC-12: not ready while what the other end has not delivered reaches the bound.
    if (this.inFlight < this.sendBoundBytes) return true;
    this.wantWritable = true;
    return false;
  }

  /** The protocol number of this end's own socket, which the other end checks. */
  get hostProtocol(): number {
    return this.host.identity.self;
  }

  /** Joins this end with the other end's protocol number (the `connect` event). */
  join(peerProtocol: number): void {
    this.lifecycle({ type: "connect", arg: peerProtocol });
  }

  send(first: Uint8Array, second?: Uint8Array): boolean {
    const other = this.other;
    if (this.closedFlag || !other || other.closedFlag) return false;
    // SP-INPROC-3: one send is one whole message, queued in order behind the earlier ones.
    // SP-INPROC-13: a single part changes hands as is; two parts need one copy.
    let msg: Buffer;
    if (second === undefined) msg = asBuffer(first);
    else if (first.length === 0) msg = asBuffer(second);
    else msg = Buffer.concat([first, second]);
    this.inFlight += msg.length;
    other.enqueue(msg);
    return true;
  }

  close(reason?: SPError): void {
    this.lifecycle({ type: "close", arg: reason });
  }

  /**
   * SP-FRAMEWORK-22, SP-FRAMEWORK-28: delivers nothing more until {@link resumeReading};
   * what the other end sends waits in this end's inbox, in order, and keeps counting
   * against the other end's send bound (SP-INPROC-12).
   */
  pauseReading(): void {
    if (this.closedFlag) return;
    this.readPaused = true;
  }

  /** SP-FRAMEWORK-23: delivers what waited, in order, from a microtask (never within this call). */
  resumeReading(): void {
    if (!this.readPaused || this.closedFlag) return;
    this.readPaused = false;
    if (this.inbox.length > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drainBound);
    }
  }

  /**
   * After close: messages this end sent that the other end never delivered
   * because it closed first, oldest first; each returned once (SP-PIPELINE-18).
   */
  takeUnsent(): Buffer[] {
    const other = this.other;
    if (!other || other.orphans.length === 0) return [];
    const out = other.orphans;
    other.orphans = [];
    return out;
  }

  /** Hands a lifecycle event to the actor unless it has finished. */
  lifecycle(event: InprocPipeEvent<InprocPipeArgs>): void {
    if (this.actor.getSnapshot().status !== "active") return;
    this.actor.send(event);
  }

  private enqueue(msg: Buffer): void {
    this.inbox.push(msg);
    if (!this.scheduled && !this.readPaused) {
      this.scheduled = true;
      // SP-INPROC-8: never deliver within the sender's call; one microtask per batch.
      queueMicrotask(this.drainBound);
    }
  }

  private drain(): void {
    this.scheduled = false;
    if (this.readPaused || this.closedFlag) return;
    const batch = this.inbox;
    this.inbox = [];
    const sender = this.other;
    let delivered = 0;
    let i = 0;
    while (i < batch.length) {
      if (this.closedFlag || this.readPaused) break;
      const msg = batch[i++] as Buffer;
      delivered += msg.length;
      const limit = this.host.options.recvMaxSize;
      if (limit > 0 && msg.length > limit) {
        // SP-INPROC-14: the receive limit applies; SP-INPROC-9: only this pipe closes
        // (SP-INPROC-11).
        this.host.count("rxOversize");
        this.lifecycle({
          type: "oversize",
          arg: new SPError("EMSGSIZE", `message of ${msg.length} bytes over the receive limit`),
        });
        break;
      }
      this.onMessage?.(msg);
    }
    if (i < batch.length) {
      const rest = batch.slice(i);
      if (this.closedFlag) {
        // Closed while delivering: the rest goes back to the sender (SP-PIPELINE-18).
        this.orphans = rest.concat(this.orphans);
      } else {
        // SP-FRAMEWORK-22: paused by the socket; the rest waits, in order, ahead of what
        // was sent meanwhile, and still counts against the sender's bound (SP-INPROC-12).
        this.inbox = rest.concat(this.inbox);
      }
    }
    if (sender) sender.delivered(delivered);
    if (this.otherGone && this.inbox.length === 0) this.lifecycle({ type: "disconnect" });
  }

  /**
   * SP-INPROC-10: the other end closed. This end closes too, but only after what it was
   * sent before: like a TCP peer's data before its FIN, messages still in the inbox (held
   * while paused, or waiting for a drain queued by resumeReading) are delivered first.
   */
  private otherClosed(): void {
    if (this.closedFlag) return;
    if (this.inbox.length > 0) this.otherGone = true;
    else this.lifecycle({ type: "disconnect" });
  }

  /** The other end delivered `bytes` of ours: maybe report writable again. */
  private delivered(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
    if (this.wantWritable && !this.closedFlag && this.inFlight < this.sendBoundBytes) {
      this.wantWritable = false;
      this.onWritable?.();
    }
  }

  private closeConnection(event: InprocPipeAnyEvent<InprocPipeArgs>): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.orphans = this.inbox;
    this.inbox = [];
    if ((event.type === "close" || event.type === "oversize") && event.arg instanceof SPError) {
      this.reason = event.arg;
    }
    this.resolveClosed(this.reason);
    // SP-INPROC-10: the other end closes too, after what it already has queued.
    const other = this.other;
    if (other) queueMicrotask(() => other.otherClosed());
  }
}

/**
 * Joins a dialing end, created when its dialer started the attempt and still
 * `joining`, with a new end for the listening socket (SP-INPROC-4): each end
 * checks the other's protocol. The listening end checks first; when it
 * refuses, the dialing end learns it as `disconnect` while still joining.
 * Returns the listening end (already closed when refused, as is `d`).
 *
 * @example
 * ```ts
 * const d = new InprocPipe({ host: dialer }); // joining until a listener takes it
 * const l = joinEnd(d, { host: listener });
 * d.isClosed; // true when the protocols are not peers
 * ```
 */
export function joinEnd(d: InprocPipe, listening: InprocPipeOptions): InprocPipe {
  const l = new InprocPipe(listening);
  d.other = l;
  l.other = d;
  l.join(d.hostProtocol);
  // SP-INPROC-10: the refusing end closed first, so the dialing end sees the other end gone.
  if (!l.isClosed) d.join(listening.host.identity.self);
  else d.lifecycle({ type: "disconnect" });
  return l;
}

/**
 * Creates the two ends of a pipe between a dialing and a listening socket and
 * joins them at once (SP-INPROC-4). Returns the ends; a refused end is
 * already closed.
 *
 * @example
 * ```ts
 * const [d, l] = joinPipes({ host: dialer }, { host: listener });
 * d.isClosed; // true when the protocols are not peers
 * ```
 */
export function joinPipes(
  dialing: InprocPipeOptions,
  listening: InprocPipeOptions,
): [InprocPipe, InprocPipe] {
  const d = new InprocPipe(dialing);
  return [d, joinEnd(d, listening)];
}
