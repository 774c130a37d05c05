/** Where a {@link FrameWriter} writes; a `net.Socket` fits. */
export interface FrameSink {
  write(data: Uint8Array): unknown;
  cork(): void;
  uncork(): void;
}

/** Batches up to this many bytes into one allocation and one `write`. */
const CONCAT_LIMIT = 256 * 1024;

/**
 * Queues outgoing frames and writes them once per tick (write coalescing).
 * Small batches become one buffer and one `write`; large ones go out between
 * `cork()` and `uncork()` so the kernel still sees one `writev`.
 *
 * @example
 * ```ts
 * const w = new FrameWriter(socket);
 * w.push(idWord, body); // framed as u64 length + idWord + body, flushed on nextTick
 * ```
 */
export class FrameWriter {
  private firsts: Uint8Array[] = [];
  private seconds: (Uint8Array | undefined)[] = [];
  private bytes = 0;
  private scheduled = false;
  private dead = false;
  private readonly sink: FrameSink;
  private readonly flushBound = () => this.flush();
  /** Bytes in front of each payload: the length, plus the type byte when there is one. */
  private readonly prefix: number;
  private readonly frameType: number | undefined;

  /** @param frameType when set, each frame starts with this one-byte type (IPC, SP-IPC-5) */
  constructor(sink: FrameSink, frameType?: number) {
    this.sink = sink;
    this.frameType = frameType;
    this.prefix = frameType === undefined ? 8 : 9;
  }

  /** Frames queued and not yet written. */
  get pending(): number {
    return this.firsts.length;
  }

  /** Bytes (framing included) queued and not yet handed to the sink; feeds `Pipe.writable`. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Queues one frame whose payload is `first` followed by `second`. */
  push(first: Uint8Array, second?: Uint8Array): void {
    if (this.dead) return;
    this.firsts.push(first);
    this.seconds.push(second);
    this.bytes += this.prefix + first.length + (second ? second.length : 0);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushBound);
    }
  }

  /** Writes everything queued now. */
  flush(): void {
    this.scheduled = false;
    const count = this.firsts.length;
    if (count === 0 || this.dead) return;
    const firsts = this.firsts;
    const seconds = this.seconds;
    const total = this.bytes;
    this.firsts = [];
    this.seconds = [];
    this.bytes = 0;
    if (total <= CONCAT_LIMIT) {
      const out = Buffer.allocUnsafe(total);
      let off = 0;
      for (let i = 0; i < count; i++) {
        const a = firsts[i] as Uint8Array;
        const b = seconds[i];
        if (this.frameType !== undefined) out[off++] = this.frameType;
        off = writeLength(out, off, a.length + (b ? b.length : 0));
        out.set(a, off);
        off += a.length;
        if (b) {
          out.set(b, off);
          off += b.length;
        }
      }
      this.sink.write(out);
      return;
    }
    this.sink.cork();
    for (let i = 0; i < count; i++) {
      const a = firsts[i] as Uint8Array;
      const b = seconds[i];
      const head = Buffer.allocUnsafe(this.prefix);
      if (this.frameType !== undefined) head[0] = this.frameType;
      writeLength(head, this.prefix - 8, a.length + (b ? b.length : 0));
      this.sink.write(head);
      if (a.length > 0) this.sink.write(a);
      if (b && b.length > 0) this.sink.write(b);
    }
    this.sink.uncork();
  }

  /** Drops queued frames and refuses new ones. */
  discard(): void {
    this.dead = true;
    this.firsts = [];
    this.seconds = [];
    this.bytes = 0;
  }
}

/** SP-TCP-8: writes the 64-bit big-endian payload length; returns the next offset. */
function writeLength(out: Buffer, off: number, length: number): number {
  out.writeUInt32BE(Math.floor(length / 2 ** 32), off);
  out.writeUInt32BE(length >>> 0, off + 4);
  return off + 8;
}
