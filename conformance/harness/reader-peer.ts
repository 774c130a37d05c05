/**
 * A raw SP peer that reads frames only while resumed and keeps their numbers,
 * so that a flow-control case can stall an IUT's sends and then check what it
 * was given.
 */
import type { Socket } from "node:net";
import type { Endpoint } from "./hosts.ts";
import { frame } from "./sp.ts";
import { connectSp } from "./stall.ts";
import type { Transcript } from "./transcript.ts";
import { watchEnd } from "./watch-end.ts";

/**
 * A raw SP peer that reads frames only while resumed, and keeps for each the
 * number `decode` finds in it (or the error it reports). Starts paused when
 * asked, right after the SP header: then it reads nothing more, so the IUT's
 * writes back up once the buffers between them are full.
 */
export class FrameReader {
  /** Numbers of the frames read, in arrival order. */
  readonly seqs: number[] = [];
  /** First frame that did not decode, if any. */
  bad: string | undefined;
  /** Payload bytes read (frame headers excluded). */
  bytes = 0;
  private pending = Buffer.alloc(0);
  private need = -1;
  private closedFlag = false;
  private waiters: (() => void)[] = [];
  private sent = 0;

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
    private readonly decode: (payload: Uint8Array) => number | string,
    paused: boolean,
  ) {
    sock.on("data", (d: Buffer) => this.onData(d));
    if (paused) {
      sock.pause();
      transcript.event(label, "reads nothing (paused)");
    }
    watchEnd(
      sock,
      label,
      transcript,
      () => this.closedFlag,
      () => {
        this.closedFlag = true;
        this.notify();
      },
    );
  }

  /** Connects to `to` and exchanges SP headers as `protocol`. */
  static async connect(
    to: Endpoint,
    protocol: number,
    label: string,
    transcript: Transcript,
    decode: (payload: Uint8Array) => number | string,
    opts: { paused?: boolean } = {},
  ): Promise<FrameReader> {
    const sock = await connectSp(to, protocol, label, transcript);
    return new FrameReader(sock, label, transcript, decode, opts.paused === true);
  }

  /** What node may hold above the kernel for a paused reader (high-water mark plus one read). */
  get nodeBuffered(): number {
    return this.sock.readableHighWaterMark + 64 * 1024;
  }

  private notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private onData(d: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, d]) : d;
    for (;;) {
      if (this.need < 0) {
        if (buf.length < 8) break;
        this.need = Number(buf.readBigUInt64BE(0));
        buf = buf.subarray(8);
      }
      if (buf.length < this.need) break;
      const payload = new Uint8Array(buf.subarray(0, this.need));
      buf = buf.subarray(this.need);
      this.need = -1;
      this.bytes += payload.length;
      if (this.seqs.length === 0 && this.bad === undefined) this.transcript.in(this.label, payload);
      const r = this.decode(payload);
      if (typeof r === "number") this.seqs.push(r);
      else this.bad ??= r;
    }
    this.pending = Buffer.from(buf);
    this.notify();
  }

  /**
   * Sends one frame to the IUT (a request or a survey that the IUT answers while
   * this peer does not read its answers). Only the first is recorded in the transcript.
   */
  sendFrame(payload: Uint8Array): void {
    if (this.sent++ === 0) this.transcript.out(this.label, frame(payload));
    this.sock.write(frame(payload));
  }

  /** Stops reading. */
  pause(): void {
    this.transcript.event(this.label, "stops reading");
    this.sock.pause();
  }

  /** Reads again. */
  resume(): void {
    this.transcript.event(this.label, `reads again (${this.seqs.length} frames read so far)`);
    this.sock.resume();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Waits until `pred` holds or `ms` pass; returns whether it held. */
  async until(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!pred()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /**
   * After {@link resume}: waits for the first frame (or a damaged one, or the
   * close), then until no frame arrived for `quietMs`; all within `maxMs`.
   * Plain {@link settle} would stop at once when the first frame is slow to
   * come (a sender whose event loop is busy writing a large backlog, the case
   * the caller checks), and a count of zero would pass as "nothing queued".
   */
  async drain(quietMs: number, maxMs: number): Promise<number> {
    const start = performance.now();
    await this.until(
      () => this.seqs.length > 0 || this.bad !== undefined || this.closedFlag,
      maxMs,
    );
    return this.settle(quietMs, Math.max(0, maxMs - (performance.now() - start)));
  }

  /** Waits until no frame arrived for `quietMs` (or `maxMs` passed); returns the frame count. */
  async settle(quietMs: number, maxMs: number): Promise<number> {
    const end = performance.now() + maxMs;
    for (;;) {
      const before = this.seqs.length + (this.bad ? 1 : 0);
      const left = end - performance.now();
      if (left <= 0) return this.seqs.length;
      await new Promise((r) => setTimeout(r, Math.min(quietMs, left)));
      if (this.seqs.length + (this.bad ? 1 : 0) === before) return this.seqs.length;
    }
  }

  close(): void {
    this.closedFlag = true;
    this.sock.destroy();
  }
}
