import { constants as bufferConstants } from "node:buffer";

/** Reader states. Plain numbers: this is the per-byte data path. */
const EXPECT_HEADER = 0;
const EXPECT_LENGTH = 1;
const EXPECT_PAYLOAD = 2;
const STOPPED = 3;
/** IPC only: expecting the one-byte message type in front of a length. */
const EXPECT_TYPE = 4;
/** Paused by {@link FrameReader.pause}: input is held; the decoding state waits in `resumeState`. */
const PAUSED = 5;

const TWO_POW_32 = 2 ** 32;

/**
 * Largest payload buffer allocated before its bytes arrive. A longer payload
 * grows its buffer (doubling, capped at the announced length) as bytes come
 * in, so memory follows what the peer actually sent, never only what it
 * announced: with the limit off, 9 bytes announcing 4 GiB must not cost 4 GiB.
 */
export const PREALLOC_MAX = 64 * 1024;

/** Callbacks of a {@link FrameReader}. */
export interface FrameReaderHandlers {
  /** The peer's 8-byte SP header arrived (a private copy). */
  onHeader(header: Buffer): void;
  /** One complete frame payload. May be a view into the received chunk. */
  onFrame(payload: Buffer): void;
  /** A frame announced `length` bytes, over the limit; the reader has stopped. */
  onOversize(length: number): void;
  /** Current receive limit in bytes; 0 = unlimited. Read once per frame. */
  limit(): number;
  /** With a `frameType`: a frame began with another type byte; the reader has stopped. */
  onBadType?(type: number): void;
}

/**
 * Decodes a TCP byte stream into the SP header followed by frames
 * (`u64 BE length` + payload), across arbitrary chunk boundaries.
 * It is a small hand-written state machine over numeric states; it never
 * raises one event per frame to an actor.
 *
 * @example
 * ```ts
 * const r = new FrameReader({ onHeader, onFrame, onOversize, limit: () => 1 << 20 });
 * socket.on("data", (chunk) => r.feed(chunk));
 * ```
 */
export class FrameReader {
  private state: number;
  /** Assembles a header or a length field that arrived in pieces. */
  private readonly small = Buffer.alloc(8);
  private smallFill = 0;
  /** Payload being assembled across chunks, or null when none. */
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private need = 0;
  private readonly h: FrameReaderHandlers;
  /** The state that starts each frame: EXPECT_LENGTH, or EXPECT_TYPE when frames carry a type byte. */
  private readonly frameStart: number;
  private readonly frameType: number;
  /** The decoding state to go back to on {@link resume}; meaningful while PAUSED. */
  private resumeState = 0;
  /** Input that arrived, or was left over in a chunk, while paused: oldest first. */
  private held: Buffer[] = [];
  private heldTotal = 0;

  /**
   * @param expectHeader start by reading the 8-byte SP header (default true)
   * @param frameType when set, each frame starts with this one-byte type (IPC, SP-IPC-5)
   */
  constructor(handlers: FrameReaderHandlers, expectHeader = true, frameType?: number) {
    this.h = handlers;
    this.frameType = frameType ?? -1;
    this.frameStart = frameType === undefined ? EXPECT_LENGTH : EXPECT_TYPE;
    this.state = expectHeader ? EXPECT_HEADER : this.frameStart;
  }

  /** True after {@link stop} or an oversize frame. */
  get stopped(): boolean {
    return this.state === STOPPED;
  }

  /** True between {@link pause} and {@link resume} (and not stopped). */
  get paused(): boolean {
    return this.state === PAUSED;
  }

  /** Bytes received and held, undecoded, while paused. */
  get heldBytes(): number {
    return this.heldTotal;
  }

  /** Stops decoding; later input (even the rest of the current chunk) is ignored. */
  stop(): void {
    this.state = STOPPED;
    this.payload = null;
    this.held = [];
    this.heldTotal = 0;
  }

  /**
   * SP-FRAMEWORK-22: stops handing out frames. Called from a handler, it takes effect
   * right after that handler returns: the rest of the chunk being decoded, and every
   * chunk fed from then on, is held in order, undecoded, until {@link resume}. Pausing
   * is a state of its own, so decoding pays nothing for it beyond the state dispatch
   * it already does. Idempotent; no-op once stopped.
   */
  pause(): void {
    const state = this.state;
    if (state === PAUSED || state === STOPPED) return;
    this.resumeState = state;
    this.state = PAUSED;
  }

  /**
   * SP-FRAMEWORK-23: decodes what was held, in order, exactly where {@link pause} left
   * off. A handler may pause again (the rest stays held) or stop the reader. Returns
   * true when nothing is held any more and the reader is neither paused nor stopped,
   * i.e. when the connection may be read again. Called when not paused, it only
   * reports that.
   */
  resume(): boolean {
    if (this.state !== PAUSED) return this.state !== STOPPED;
    this.state = this.resumeState;
    const held = this.held;
    if (held.length === 0) return true;
    this.held = [];
    this.heldTotal = 0;
    for (let i = 0; i < held.length; i++) {
      this.feed(held[i] as Buffer);
      if (this.state === PAUSED) {
        // Paused again: feed() held the rest of held[i]; the later chunks go behind it.
        for (let j = i + 1; j < held.length; j++) this.hold(held[j] as Buffer);
        return false;
      }
      if (this.state === STOPPED) return false;
    }
    return true;
  }

  /** Consumes one received chunk. Handlers may call {@link stop} or {@link pause} at any time. */
  feed(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      const state = this.state;
      if (state === EXPECT_PAYLOAD) {
        const avail = n - off;
        if (this.payload === null && avail >= this.need) {
          // Whole payload inside this chunk: hand out a view, no copy.
          const frame = chunk.subarray(off, off + this.need);
          off += this.need;
          this.state = this.frameStart;
          this.h.onFrame(frame);
          continue;
        }
        if (this.payload === null) {
          this.payload = Buffer.allocUnsafe(Math.min(this.need, Math.max(PREALLOC_MAX, avail)));
          this.payloadFill = 0;
        } else if (
          this.payload.length < this.need &&
          this.payloadFill + avail > this.payload.length
        ) {
          // Grow with what has arrived (at least double), never past the announced length.
          const size = Math.min(
            this.need,
            Math.max(2 * this.payload.length, this.payloadFill + avail),
          );
          const grown = Buffer.allocUnsafe(size);
          this.payload.copy(grown, 0, 0, this.payloadFill);
          this.payload = grown;
        }
        const take = Math.min(this.need - this.payloadFill, avail);
        chunk.copy(this.payload, this.payloadFill, off, off + take);
        this.payloadFill += take;
        off += take;
        if (this.payloadFill === this.need) {
          const frame = this.payload;
          this.payload = null;
          this.state = this.frameStart;
          this.h.onFrame(frame);
        }
      } else if (state === EXPECT_LENGTH || state === EXPECT_HEADER) {
        let field: Buffer;
        if (this.smallFill === 0 && n - off >= 8) {
          field = chunk.subarray(off, off + 8);
          off += 8;
        } else {
          const take = Math.min(8 - this.smallFill, n - off);
          chunk.copy(this.small, this.smallFill, off, off + take);
          this.smallFill += take;
          off += take;
          if (this.smallFill < 8) return;
          this.smallFill = 0;
          field = this.small;
        }
        if (state === EXPECT_HEADER) {
          this.state = this.frameStart;
          this.h.onHeader(Buffer.from(field));
        } else {
          this.gotLength(field);
        }
      } else if (state === EXPECT_TYPE) {
        const type = chunk[off++] as number;
        if (type !== this.frameType) {
          this.stop();
          this.h.onBadType?.(type);
          return;
        }
        this.state = EXPECT_LENGTH;
      } else {
        // PAUSED: keep the rest of the chunk, in order, for resume(). STOPPED: drop it.
        if (state === PAUSED) this.hold(off === 0 ? chunk : chunk.subarray(off));
        return;
      }
    }
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldTotal += chunk.length;
  }

  private gotLength(field: Buffer): void {
    // SP-TCP-8: a frame is a 64-bit big-endian length followed by the payload.
    const hi = field.readUInt32BE(0);
    const lo = field.readUInt32BE(4);
    const length = hi * TWO_POW_32 + lo;
    const limit = this.h.limit();
    // SP-TCP-11: an announced length over the limit closes the connection
    // before any of the payload is read or buffered. Lengths this process
    // cannot hold in one Buffer are refused even when the limit is off (SP-TCP-10).
    if ((limit > 0 && length > limit) || length > bufferConstants.MAX_LENGTH) {
      this.stop();
      this.h.onOversize(length);
      return;
    }
    if (length === 0) {
      // SP-TCP-9: a zero-length frame is a valid, empty message.
      this.state = this.frameStart;
      this.h.onFrame(Buffer.alloc(0));
      return;
    }
    this.need = length;
    this.state = EXPECT_PAYLOAD;
  }
}
