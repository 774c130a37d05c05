import { defaults } from "../../spec/constants.ts";
import type { SPError } from "./errors.ts";

/**
 * What a transport hands to a protocol: one established connection whose SP
 * header has been validated (SP-FRAMEWORK-15; SP-TCP-2). Messages are whole SP payloads
 * (protocol header + body); framing is the transport's business.
 *
 * @example
 * ```ts
 * pipe.onMessage = (msg) => console.log(pipe.id, msg.length);
 * pipe.send(header, body); // queued; the transport flushes once per tick
 * if (!pipe.writable) pipe.onWritable = () => resume(); // backpressure
 * ```
 */
export interface Pipe {
  /** Socket-unique id in [1, 0x7fffffff]. */
  readonly id: number;
  /** The peer's 16-bit SP protocol number from its header (SP-TCP-4). */
  readonly peer: number;
  /** True once the pipe is closed; sends are then dropped. */
  readonly isClosed: boolean;
  /** Resolves with the reason (undefined for a clean close) when the pipe is gone. */
  readonly closed: Promise<SPError | undefined>;
  /**
   * Queues one message made of `first` followed by `second` (if given), e.g. a
   * protocol header and a body, without concatenating them. Writes are coalesced.
   * Returns false when the pipe is closed (the message is dropped).
   */
  send(first: Uint8Array, second?: Uint8Array): boolean;
  /**
   * `send` copies a payload (both parts together) of up to this many bytes
   * before it returns, so the caller may reuse its buffers at once; larger
   * payloads, or any payload when this is absent, are kept by reference until
   * written and must not change meanwhile.
   */
  readonly copyLimit?: number;
  /** Called once per received message; set by the protocol. */
  onMessage: ((msg: Buffer) => void) | null;
  /**
   * Write backpressure. False when the pipe is closed, or when the bytes it has
   * queued but not yet accepted by the operating system reach its send bound
   * ({@link sendBound}, the socket's `sendBufferBytes`, SP-FRAMEWORK-27).
   * `send` still queues while false: the protocol decides whether to skip the
   * pipe (PUB, SP-PUBSUB-9), pick another (PUSH, SP-PIPELINE-4) or queue anyway.
   * A transport without flow control may always return true while open.
   */
  readonly writable: boolean;
  /**
   * Called when the pipe becomes writable again after a read of `writable`
   * returned false (once per such episode); set by the protocol. Never called
   * after close.
   */
  onWritable: (() => void) | null;
  /**
   * Receive flow control (SP-FRAMEWORK-22, SP-FRAMEWORK-28): stop handing messages to
   * `onMessage` and stop reading the connection, so that its flow control reaches the
   * sender. Takes effect at once, also when called from within `onMessage`: no further
   * message is delivered until {@link resumeReading}. Messages the transport already
   * holds are kept, not dropped. Idempotent.
   */
  pauseReading(): void;
  /**
   * Undoes {@link pauseReading} (SP-FRAMEWORK-23): the messages the transport held are
   * delivered first, in order, then reading goes on. Delivery starts after this call
   * returns (in a microtask), never within it. Idempotent.
   */
  resumeReading(): void;
  /** Closes the connection; only this pipe is affected (SP-FRAMEWORK-16). */
  close(reason?: SPError): void;
  /**
   * Once the pipe is closed: the messages it accepted with `send` but never
   * handed to the connection (or, inproc, never delivered), oldest first, each
   * returned once. PUSH routes them to another pipe (SP-PIPELINE-18). Optional:
   * a transport without it loses such messages with the pipe.
   */
  takeUnsent?(): Buffer[];
}

/**
 * The send bound of a pipe, in bytes (SP-FRAMEWORK-27): past this backlog a pipe
 * reports `writable === false`. From the socket's `sendBufferBytes` option.
 */
export function sendBound(options: { readonly sendBufferBytes: number }): number {
  return options.sendBufferBytes > 0 ? options.sendBufferBytes : defaults.sendBufferBytes;
}

let nextId = 1 + Math.floor(Math.random() * 0x7ffffffe);

/**
 * Allocates a pipe id: random start, then sequential, wrapping within [1, 0x7fffffff].
 *
 * @example
 * ```ts
 * const id = allocatePipeId();
 * ```
 */
export function allocatePipeId(): number {
  const id = nextId;
  nextId = nextId >= 0x7fffffff ? 1 : nextId + 1;
  return id;
}
