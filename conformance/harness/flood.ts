/**
 * A raw SP peer that writes numbered frames into the IUT as fast as its
 * kernel takes them and notices when its writes stall (framework draft,
 * "Flow Control"). Bulk data is counted, never copied into the transcript;
 * only events and the first frame go there.
 */
import type { Socket } from "node:net";
import { fmt } from "./flow-bounds.ts";
import type { Endpoint } from "./hosts.ts";
import { frame } from "./sp.ts";
import type { SpListener } from "./sp-listener.ts";
import { connectSp } from "./stall.ts";
import type { Transcript } from "./transcript.ts";
import { watchEnd } from "./watch-end.ts";

/** What {@link FloodPeer.flood} ended with. */
export interface FloodResult {
  /** True when no write completed for `stallMs` while writes were pending. */
  stalled: boolean;
  /** True when the IUT closed or reset the connection during the flood. */
  closed: boolean;
  /** Bytes (frame headers included) the kernel accepted from this peer so far. */
  accepted: number;
  /** Frames written so far (some may still wait in node's queue). */
  frames: number;
  ms: number;
}

/** Node-side queue kept short so that `accepted` tracks the kernel closely. */
export const QUEUE_BYTES = 256 * 1024;

/** Incoming frames kept for {@link FloodPeer.nextFrame}; later ones are discarded unparsed. */
export const KEPT_FRAMES = 16;
/** A kept incoming frame may not be larger than this (bytes of payload). */
const KEPT_FRAME_MAX = 64 * 1024;

/**
 * A raw SP peer that floods the IUT with numbered frames. Every frame passed
 * to the socket counts as written; its bytes count as accepted once the
 * kernel took all of them (the write callback). Incoming data is read, so a
 * close by the IUT is seen; the first {@link KEPT_FRAMES} frames it carries
 * are kept for {@link FloodPeer.nextFrame} (a SURVEYOR's survey, whose id the
 * flood must answer), the rest discarded.
 *
 * @example
 * ```ts
 * const a = await FloodPeer.connect(ctx.iutEndpoint(url), 0x51, "flood", transcript, (n) =>
 *   numberedBody(n),
 * );
 * const r = await a.flood({ limit: bound.bytes + 4 * 1024 * 1024 });
 * if (!r.stalled) ctx.fail(`accepted ${r.accepted} bytes with no backpressure`);
 * ```
 */
export class FloodPeer {
  /** Frames handed to the socket. */
  frames = 0;
  /** Bytes the kernel accepted (whole frames). */
  accepted = 0;
  /** Bytes of one frame, header included (every payload has the size of the first). */
  readonly frameBytes: number;
  private lastProgress = performance.now();
  private closedFlag = false;
  private wake: (() => void) | null = null;
  /** Incoming bytes not yet parsed into a frame (only while fewer than KEPT_FRAMES were kept). */
  private pending: Buffer = Buffer.alloc(0);
  private readonly inbox: Buffer[] = [];
  private kept = 0;
  private inboxWaiter: (() => void) | null = null;

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
    private readonly payload: (seq: number) => Uint8Array,
  ) {
    this.frameBytes = 8 + payload(0).length;
    sock.setNoDelay(true);
    sock.on("data", (d: Buffer) => this.onData(d));
    watchEnd(
      sock,
      label,
      transcript,
      () => this.closedFlag,
      () => {
        this.closedFlag = true;
        this.wake?.();
        this.inboxWaiter?.();
      },
    );
  }

  /**
   * Connects to `to`, exchanges SP headers as `protocol`; frame `seq` will
   * carry `payload(seq)`.
   */
  static async connect(
    to: Endpoint,
    protocol: number,
    label: string,
    transcript: Transcript,
    payload: (seq: number) => Uint8Array,
  ): Promise<FloodPeer> {
    return new FloodPeer(
      await connectSp(to, protocol, label, transcript),
      label,
      transcript,
      payload,
    );
  }

  /** Like {@link connect}, for the next connection the IUT dials to `listener`. */
  static async accept(
    listener: SpListener,
    protocol: number,
    label: string,
    transcript: Transcript,
    payload: (seq: number) => Uint8Array,
  ): Promise<FloodPeer> {
    return new FloodPeer(await listener.accept(protocol), label, transcript, payload);
  }

  private onData(d: Buffer): void {
    if (this.kept >= KEPT_FRAMES) return;
    this.pending = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    while (this.kept < KEPT_FRAMES && this.pending.length >= 8) {
      const size = this.pending.readBigUInt64BE(0);
      if (size > BigInt(KEPT_FRAME_MAX)) {
        this.kept = KEPT_FRAMES; // too large to keep: stop parsing, only count the close
        break;
      }
      const end = 8 + Number(size);
      if (this.pending.length < end) break;
      this.inbox.push(Buffer.from(this.pending.subarray(8, end)));
      this.kept++;
      this.pending = this.pending.subarray(end);
      this.inboxWaiter?.();
    }
    if (this.kept >= KEPT_FRAMES) this.pending = Buffer.alloc(0);
  }

  /**
   * The next frame the IUT sent (payload only), among the first
   * {@link KEPT_FRAMES}; undefined when none arrives within `ms` or the
   * connection closed.
   */
  async nextFrame(ms: number): Promise<Buffer | undefined> {
    const end = performance.now() + ms;
    while (this.inbox.length === 0 && !this.closedFlag && performance.now() < end) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, end - performance.now()));
        this.inboxWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.inboxWaiter = null;
    }
    return this.inbox.shift();
  }

  /** True once the IUT closed or reset the connection (or we did). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Writes the next numbered frame (no wait); returns its number. */
  writeNext(): number {
    const seq = this.frames++;
    this.put(frame(this.payload(seq)), seq === 0);
    return seq;
  }

  /** Writes one frame with `payload` outside the numbering (recorded in the transcript). */
  writeFrame(payload: Uint8Array): void {
    this.put(frame(payload), true);
  }

  private put(bytes: Uint8Array, record: boolean): void {
    if (record) this.transcript.out(this.label, bytes);
    this.sock.write(bytes, (err) => {
      if (err) return;
      this.accepted += bytes.length;
      this.lastProgress = performance.now();
      this.wake?.();
    });
  }

  /**
   * Writes numbered frames as fast as the kernel takes them until either no
   * write completed for `stallMs` (stalled), the kernel accepted `limit` bytes,
   * the connection closed, or `maxMs` passed. Writes left in node's queue stay
   * there and go out once the IUT reads again.
   */
  async flood(opts: { limit: number; stallMs?: number; maxMs?: number }): Promise<FloodResult> {
    const stallMs = opts.stallMs ?? 500;
    const maxMs = opts.maxMs ?? 8000;
    const start = performance.now();
    this.lastProgress = start;
    this.transcript.event(this.label, `floods (up to ${fmt(opts.limit)} accepted)`);
    let stalled = false;
    for (;;) {
      while (
        !this.closedFlag &&
        this.frames * this.frameBytes < opts.limit + QUEUE_BYTES &&
        this.sock.writableLength < QUEUE_BYTES
      ) {
        this.writeNext();
      }
      const now = performance.now();
      if (this.closedFlag || this.accepted >= opts.limit || now - start >= maxMs) break;
      if (this.sock.writableLength > 0 && now - this.lastProgress >= stallMs) {
        stalled = true;
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const ms = performance.now() - start;
    this.transcript.event(
      this.label,
      `${stalled ? "stalled" : "stopped"}: ${this.frames} frames written, ${fmt(this.accepted)} accepted by the kernel in ${ms.toFixed(0)} ms`,
    );
    return { stalled, closed: this.closedFlag, accepted: this.accepted, frames: this.frames, ms };
  }

  /** Waits until every written frame left node's queue (the IUT read them), or `ms` pass. */
  async drained(ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (this.sock.writableLength > 0 && !this.closedFlag && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.sock.writableLength === 0;
  }

  /** Resets the connection (RST), dropping what our kernel still holds. */
  reset(): void {
    this.transcript.event(this.label, "resets the connection (unsent data dropped)");
    this.closedFlag = true;
    this.sock.resetAndDestroy();
  }

  close(): void {
    this.closedFlag = true;
    this.sock.destroy();
  }
}
