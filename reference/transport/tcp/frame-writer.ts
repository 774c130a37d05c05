/** Where a {@link FrameWriter} writes; a `net.Socket` fits. */
export interface FrameSink {
  /** Takes `data`; calls `done` (when given) once the data left the sink's own buffer. */
  write(data: Uint8Array, done?: (err?: Error | null) => void): unknown;
  cork(): void;
  uncork(): void;
  /**
   * Bytes the sink still holds (a `net.Socket`'s `writableLength`). When present
   * and 0, everything written so far is in the kernel, and the writer reuses its
   * batch buffer instead of allocating a fresh one; absent, it never reuses.
   */
  readonly writableLength?: number;
  /**
   * True once the sink can no longer write (a destroyed socket). The writer then keeps
   * what it has queued, so that {@link FrameWriter.discard} can give it back.
   */
  readonly destroyed?: boolean;
}

/**
 * Payloads up to this size are copied into the batch buffer; larger ones are written as they
 * are. 64 KiB: a sender that copied each such message into a fresh buffer of its own churns the
 * allocator (glibc gives the memory back and faults it in again once few messages are in
 * flight, as under a small send bound), which cost a third of the 64 KiB push/pull rate.
 */
export const COPY_LIMIT = 64 * 1024;
/** Smallest and largest batch buffer (chunk) a writer allocates. */
const MIN_CHUNK = 4 * 1024;
const MAX_CHUNK = 256 * 1024;
/** Once this many bytes are queued the writer flushes at once instead of waiting for the tick. */
const FLUSH_AT = 256 * 1024;

/** Options of a {@link FrameWriter}. */
export interface FrameWriterOptions {
  /** When set, each frame starts with this one-byte type (IPC, SP-IPC-5). */
  frameType?: number;
  /**
   * Flush at once when this many bytes are queued (default and maximum 256 KiB). A pipe
   * with a send bound uses half of it, so that its queue never alone reaches the bound.
   */
  flushAt?: number;
  /**
   * Called when the sink finished a flush: passed as the callback of the last write of
   * each flush (one per flush, whatever the number of frames in it), so a pipe can
   * re-check its backlog against its send bound (SP-FRAMEWORK-27).
   */
  onWritten?: (err?: Error | null) => void;
}
/**
 * Queues outgoing frames and writes them once per tick (write coalescing), or
 * as soon as {@link FLUSH_AT} bytes (or the `flushAt` option, if lower) are
 * queued, so a burst streams out in large writes instead of piling up until
 * the tick ends.
 *
 * Frames are encoded as they are pushed: the length prefix and every payload
 * of up to 64 KiB are copied into a batch buffer (one allocation per chunk,
 * no per-frame objects), so one flush of small frames is one `write`. Larger
 * payloads are not copied: they are queued by reference after their prefix,
 * and a flush with several parts goes out between `cork()` and `uncork()` so
 * the kernel still sees one `writev`.
 *
 * @example
 * ```ts
 * const w = new FrameWriter(socket);
 * w.push(idWord, body); // framed as u64 length + idWord + body, flushed on nextTick
 * ```
 */
export class FrameWriter {
  /** Buffers ready for the sink, in order. */
  private parts: Uint8Array[] = [];
  /** Batch buffer being filled; bytes [start, fill) are encoded and not yet in `parts`. */
  private chunk: Buffer | null = null;
  private start = 0;
  private fill = 0;
  /** Size of the next chunk; adapts to the bytes one tick carries. */
  private chunkSize = MIN_CHUNK;
  /** Bytes pushed since the last end-of-tick flush (sizes the next chunk). */
  private tickBytes = 0;
  private frames = 0;
  private bytes = 0;
  private scheduled = false;
  private dead = false;
  private readonly sink: FrameSink;
  private readonly tickBound = () => this.onTick();
  /** Bytes in front of each payload: the length, plus the type byte when there is one. */
  private readonly prefix: number;
  private readonly frameType: number | undefined;
  private readonly flushAt: number;
  private readonly onWritten: ((err?: Error | null) => void) | undefined;

  /** @param options a frame type byte (or the options) */
  constructor(sink: FrameSink, options?: number | FrameWriterOptions) {
    const o: FrameWriterOptions =
      typeof options === "number" ? { frameType: options } : (options ?? {});
    this.sink = sink;
    this.frameType = o.frameType;
    this.prefix = o.frameType === undefined ? 8 : 9;
    this.flushAt = Math.max(1, Math.min(FLUSH_AT, o.flushAt ?? FLUSH_AT));
    this.onWritten = o.onWritten;
  }

  /** Frames queued and not yet written. */
  get pending(): number {
    return this.frames;
  }

  /** Bytes (framing included) queued and not yet handed to the sink; feeds `Pipe.writable`. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Queues one frame whose payload is `first` followed by `second`. Payloads
   * of up to 64 KiB are copied now; larger ones must not change until written.
   */
  push(first: Uint8Array, second?: Uint8Array): void {
    if (this.dead) return;
    const a = first.length;
    const b = second === undefined ? 0 : second.length;
    const len = a + b;
    const size = this.prefix + len;
    // room() may flush a full batch first, so this frame is counted after it.
    const out = this.room(len <= COPY_LIMIT ? size : this.prefix);
    this.frames++;
    this.bytes += size;
    this.tickBytes += size;
    if (len <= COPY_LIMIT) {
      let off = this.header(out, this.fill, len);
      if (a > 0) {
        out.set(first, off);
        off += a;
      }
      if (b > 0) {
        out.set(second as Uint8Array, off);
        off += b;
      }
      this.fill = off;
    } else {
      this.fill = this.header(out, this.fill, len);
      this.seal();
      if (a > 0) this.parts.push(first);
      if (b > 0) this.parts.push(second as Uint8Array);
    }
    if (this.bytes >= this.flushAt) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.tickBound);
    }
  }

  /** Writes everything queued now. */
  flush(): void {
    // A sink that broke would drop what it is given: keep it for discard() (SP-PIPELINE-18).
    if (this.dead || this.sink.destroyed === true) return;
    this.seal();
    const parts = this.parts;
    if (parts.length === 0) return;
    this.parts = [];
    this.frames = 0;
    this.bytes = 0;
    // The callback rides on the last write only: the sink completes writes in order.
    const last = parts.length - 1;
    if (last === 0) {
      this.sink.write(parts[0] as Uint8Array, this.onWritten);
      return;
    }
    this.sink.cork();
    for (let i = 0; i < last; i++) this.sink.write(parts[i] as Uint8Array);
    this.sink.write(parts[last] as Uint8Array, this.onWritten);
    this.sink.uncork();
  }

  /**
   * Refuses new frames and returns the payloads queued and never handed to the
   * sink, oldest first (two-part payloads joined), so that a protocol can route
   * them elsewhere (SP-PIPELINE-18).
   */
  discard(): Buffer[] {
    if (this.dead) return [];
    this.seal();
    const queued = Buffer.concat(this.parts);
    this.dead = true;
    this.parts = [];
    this.chunk = null;
    this.frames = 0;
    this.bytes = 0;
    const out: Buffer[] = [];
    let off = 0;
    while (off < queued.length) {
      if (this.frameType !== undefined) off++;
      const len = queued.readUInt32BE(off) * 2 ** 32 + queued.readUInt32BE(off + 4);
      off += 8;
      out.push(queued.subarray(off, off + len));
      off += len;
    }
    return out;
  }

  /** End of the tick: flush, then size the next chunk after this tick's traffic. */
  private onTick(): void {
    this.scheduled = false;
    this.flush();
    let size = MIN_CHUNK;
    while (size < this.tickBytes && size < MAX_CHUNK) size <<= 1;
    this.tickBytes = 0;
    this.chunkSize = size;
    // An idle pipe keeps no big buffer: a large chunk is let go once written.
    if (this.chunk !== null && this.chunk.length > MIN_CHUNK) this.dropChunk();
  }

  private dropChunk(): void {
    this.chunk = null;
    this.start = 0;
    this.fill = 0;
  }

  /** The chunk, with room for `n` more bytes at `fill`. */
  private room(n: number): Buffer {
    const c = this.chunk;
    if (c !== null && c.length - this.fill >= n) return c;
    // A full batch buffer goes out now, so that it can be refilled below.
    if (c !== null && c.length >= MAX_CHUNK) this.flush();
    this.seal();
    if (c !== null && this.parts.length === 0 && c.length >= n && this.sink.writableLength === 0) {
      // Every byte of the chunk went to the sink, and the sink holds none of them any
      // more (a socket write that completed at once): refill it from the start. A fresh
      // 256 KiB buffer per batch costs page faults on every first touch.
      this.start = 0;
      this.fill = 0;
      return c;
    }
    if (c !== null && this.chunkSize < MAX_CHUNK) this.chunkSize <<= 1;
    const next = Buffer.allocUnsafe(Math.max(n, this.chunkSize));
    this.chunk = next;
    this.start = 0;
    this.fill = 0;
    return next;
  }

  /** Moves the encoded bytes of the chunk into `parts`. */
  private seal(): void {
    if (this.fill > this.start) {
      this.parts.push((this.chunk as Buffer).subarray(this.start, this.fill));
      this.start = this.fill;
    }
  }

  /** Writes the type byte (if any) and the length; returns the offset after them. */
  private header(out: Buffer, off: number, length: number): number {
    if (this.frameType !== undefined) out[off++] = this.frameType;
    // SP-TCP-8: the 64-bit big-endian payload length.
    out.writeUInt32BE(Math.floor(length / 2 ** 32), off);
    out.writeUInt32BE(length >>> 0, off + 4);
    return off + 8;
  }
}
