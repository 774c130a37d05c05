/**
 * Flow-control helpers (framework draft, "Flow Control"): a raw SP peer
 * that writes numbered frames as fast as its kernel takes them and notices
 * when its writes stall ({@link FloodPeer}); a raw peer that reads frames
 * only while resumed and keeps their numbers ({@link FrameReader}); the
 * numbered message bodies both use; and the bounds a case compares the
 * bytes that went through with, derived from the Linux TCP buffer limits
 * read at run time ({@link tcpLimits}, {@link receiverBound},
 * {@link senderBound}). Bulk data is counted, never copied into the
 * transcript; only events and the first frame go there.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { frame, hex, spHeader } from "./sp.ts";
import { connectSp } from "./stall.ts";
import type { Transcript } from "./transcript.ts";

const MiB = 1024 * 1024;

/** Size of the numbered messages the flow-control cases use (bytes of body). */
export const FLOOD_BODY = 64 * 1024;

/** Slack for one transport read in flight and rounding, added to every bound. */
export const BOUND_SLACK = MiB;

/** Fallback for a sysctl that cannot be read (not Linux, or /proc hidden). */
export const SYSCTL_FALLBACK = 16 * MiB;

/** The Linux TCP buffer limits that bound what can sit between two sockets. */
export interface TcpLimits {
  /** tcp_wmem[2]: the largest send buffer autotuning gives a TCP socket. */
  wmemMax: number;
  /** tcp_rmem[1]: the receive buffer a TCP socket starts with. */
  rmemInitial: number;
  /** tcp_rmem[2]: the largest receive buffer autotuning gives a TCP socket. */
  rmemMax: number;
  /** net.core.wmem_max: the largest SO_SNDBUF an application may set (Linux doubles it). */
  coreWmemMax: number;
  /** net.core.rmem_max: the largest SO_RCVBUF an application may set (Linux doubles it). */
  coreRmemMax: number;
  /** Where the values came from, for the case's note. */
  source: string;
}

/**
 * Reads the limits from /proc/sys at run time; a value that cannot be read
 * becomes {@link SYSCTL_FALLBACK} (16 MiB). `read` is injectable for tests.
 */
export function tcpLimits(
  read: (path: string) => string = (p) => readFileSync(p, "latin1"),
): TcpLimits {
  const missing: string[] = [];
  const field = (path: string, index: number): number => {
    try {
      const v = Number(read(path).trim().split(/\s+/)[index]);
      if (Number.isFinite(v) && v > 0) return v;
    } catch {
      // fall through to the fallback
    }
    missing.push(`${path.replace("/proc/sys/net/", "")}[${index}]`);
    return SYSCTL_FALLBACK;
  };
  const limits = {
    wmemMax: field("/proc/sys/net/ipv4/tcp_wmem", 2),
    rmemInitial: field("/proc/sys/net/ipv4/tcp_rmem", 1),
    rmemMax: field("/proc/sys/net/ipv4/tcp_rmem", 2),
    coreWmemMax: field("/proc/sys/net/core/wmem_max", 0),
    coreRmemMax: field("/proc/sys/net/core/rmem_max", 0),
  };
  const source =
    missing.length === 0
      ? "/proc/sys/net"
      : `/proc/sys/net, with ${fmt(SYSCTL_FALLBACK)} for unreadable ${missing.join(", ")}`;
  return { ...limits, source };
}

/** What an IUT may hold in user space on top of the kernels' buffers, and why. */
export interface Allowance {
  bytes: number;
  why: string;
}

/** A derived upper bound in bytes, with its derivation for a note. */
export interface Bound {
  bytes: number;
  derivation: string;
}

/** `1.5 MiB` / `96 KiB` / `12 B`. */
export function fmt(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} B`;
}

/**
 * Bound on what a raw peer can get accepted by an IUT that stopped reading its
 * pipe: the largest send buffer Linux may give the peer's socket (tcp_wmem[2];
 * the suite sets no SO_SNDBUF), the largest receive buffer the IUT's kernel may
 * hold for the connection (tcp_rmem[2] by autotuning, or twice rmem_max if the
 * IUT sets SO_RCVBUF, whichever is larger), the IUT's user-space allowance, and
 * {@link BOUND_SLACK}.
 */
export function receiverBound(l: TcpLimits, allowance: Allowance): Bound {
  const iutKernel = Math.max(l.rmemMax, 2 * l.coreRmemMax);
  const bytes = l.wmemMax + iutKernel + allowance.bytes + BOUND_SLACK;
  const derivation =
    `bound ${fmt(bytes)} = peer send buffer ≤ tcp_wmem[2] ${fmt(l.wmemMax)}` +
    ` + IUT kernel receive buffer ≤ max(tcp_rmem[2], 2×rmem_max) ${fmt(iutKernel)}` +
    ` + IUT allowance ${fmt(allowance.bytes)} (${allowance.why})` +
    ` + slack ${fmt(BOUND_SLACK)} (limits from ${l.source})`;
  return { bytes, derivation };
}

/**
 * Bound on what an IUT can hand to a raw peer that read only the SP header and
 * then nothing: the IUT's kernel send buffer (tcp_wmem[2] by autotuning, or
 * twice wmem_max if the IUT sets SO_SNDBUF, whichever is larger), the peer's
 * kernel receive buffer (it starts at tcp_rmem[1] and grows only while the
 * application reads, which the peer does not: twice tcp_rmem[1] leaves room for
 * the kernel's accounting), what node buffers above that socket
 * (`nodeBuffered`), the IUT's user-space allowance, and {@link BOUND_SLACK}.
 */
export function senderBound(l: TcpLimits, allowance: Allowance, nodeBuffered: number): Bound {
  const iutKernel = Math.max(l.wmemMax, 2 * l.coreWmemMax);
  const peerKernel = 2 * l.rmemInitial;
  const bytes = iutKernel + peerKernel + nodeBuffered + allowance.bytes + BOUND_SLACK;
  const derivation =
    `bound ${fmt(bytes)} = IUT kernel send buffer ≤ max(tcp_wmem[2], 2×wmem_max) ${fmt(iutKernel)}` +
    ` + peer kernel receive buffer ≤ 2×tcp_rmem[1] ${fmt(peerKernel)} (it never reads, so it does not grow)` +
    ` + node's buffer above it ${fmt(nodeBuffered)}` +
    ` + IUT allowance ${fmt(allowance.bytes)} (${allowance.why})` +
    ` + slack ${fmt(BOUND_SLACK)} (limits from ${l.source})`;
  return { bytes, derivation };
}

/**
 * A numbered body of `size` bytes (at least 8): the number as a u32 big-endian
 * word at both ends and its low byte everywhere between, so a body that was
 * cut, spliced or mixed with another one is told apart.
 */
export function numberedBody(seq: number, size = FLOOD_BODY): Uint8Array {
  const b = new Uint8Array(size).fill(seq & 0xff);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, seq >>> 0);
  dv.setUint32(size - 4, seq >>> 0);
  return b;
}

/**
 * The number of a body made by {@link numberedBody}, or a string saying what
 * is wrong with it (length, ends that disagree, a filler byte that differs).
 */
export function bodySeq(b: Uint8Array, size = FLOOD_BODY): number | string {
  if (b.length !== size) return `a body of ${b.length} bytes, expected ${size}: ${hex(b, 32)}`;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const seq = dv.getUint32(0);
  const tail = dv.getUint32(size - 4);
  if (seq !== tail) return `a body that starts as #${seq} and ends as #${tail}`;
  const fill = seq & 0xff;
  for (let i = 4; i < size - 4; i += 509) {
    if (b[i] !== fill) return `body #${seq} has byte ${b[i]} at offset ${i}, expected ${fill}`;
  }
  return seq;
}

/**
 * Checks that `got` is exactly 0..n-1 in order; returns a description of the
 * first difference, or undefined.
 */
export function describeSequenceError(got: readonly number[], n: number): string | undefined {
  for (let i = 0; i < got.length; i++) {
    const v = got[i] as number;
    if (v === i) continue;
    if (got.indexOf(v) < i) return `#${v} arrived twice (again at position ${i})`;
    if (v > i) return `#${i} is missing: position ${i} holds #${v}`;
    return `#${v} arrived out of order at position ${i}`;
  }
  if (got.length < n) return `only ${got.length} of ${n} arrived (next missing: #${got.length})`;
  if (got.length > n) return `${got.length} messages arrived, only ${n} were sent`;
  return undefined;
}

/**
 * A raw TCP listener on 127.0.0.1 for an IUT that dials; {@link accept}
 * takes the next connection and exchanges SP headers on it. (Cases whose
 * `covers` name per-pipe transitions let the IUT dial: the reference's
 * transition recorder attributes a pipe's actors by the async context its
 * socket was made in, which a dialed socket has and an accepted one lacks.)
 */
export class SpListener {
  private readonly queue: Socket[] = [];
  private wake: (() => void) | null = null;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {
    server.on("connection", (s) => {
      s.on("error", () => {});
      this.queue.push(s);
      this.wake?.();
    });
  }

  /** Listens on a fresh port of 127.0.0.1. */
  static async listen(label: string, transcript: Transcript): Promise<SpListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    transcript.event(label, `listening on 127.0.0.1:${port}`);
    return new SpListener(server, port, label, transcript);
  }

  /** The URL the IUT dials. */
  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  /**
   * Waits up to `ms` for the IUT to connect, sends our header for `protocol`
   * and reads the IUT's; resolves with the socket, positioned after it.
   */
  async accept(protocol: number, ms = 3000): Promise<Socket> {
    const deadline = performance.now() + ms;
    while (this.queue.length === 0) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.label}: the IUT did not connect within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    const s = this.queue.shift() as Socket;
    this.transcript.event(this.label, `accepted a connection from port ${s.remotePort}`);
    const h = spHeader({ protocol });
    this.transcript.out(this.label, h);
    s.write(h);
    const head = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), Math.max(1, deadline - performance.now()));
      const onReadable = () => {
        const b = s.read(8) as Buffer | null;
        if (!b) return;
        clearTimeout(timer);
        s.off("readable", onReadable);
        resolve(b);
      };
      s.on("readable", onReadable);
      onReadable();
    });
    if (!head) {
      s.destroy();
      throw new Error(`${this.label}: no SP header from the IUT within ${ms} ms`);
    }
    this.transcript.in(this.label, head);
    return s;
  }

  /** Stops listening; connections already accepted stay open. */
  close(): void {
    for (const s of this.queue) s.destroy();
    this.queue.length = 0;
    this.server.close();
  }
}

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
const QUEUE_BYTES = 256 * 1024;

/**
 * A raw SP peer that floods the IUT with numbered frames. Every frame passed
 * to the socket counts as written; its bytes count as accepted once the
 * kernel took all of them (the write callback). Incoming data is read and
 * discarded, so a close by the IUT is seen.
 *
 * @example
 * ```ts
 * const a = await FloodPeer.connect(port, 0x51, "flood", transcript, (n) => numberedBody(n));
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

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
    private readonly payload: (seq: number) => Uint8Array,
  ) {
    this.frameBytes = 8 + payload(0).length;
    sock.setNoDelay(true);
    sock.on("data", () => {});
    const onClose = (why: string) => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      transcript.event(label, why);
      this.wake?.();
    };
    sock.on("end", () => onClose("connection closed by the IUT (FIN)"));
    sock.on("error", (e) => onClose(`connection error: ${e.message}`));
    sock.on("close", () => onClose("connection closed"));
  }

  /**
   * Connects to 127.0.0.1:port, exchanges SP headers as `protocol`; frame
   * `seq` will carry `payload(seq)`.
   */
  static async connect(
    port: number,
    protocol: number,
    label: string,
    transcript: Transcript,
    payload: (seq: number) => Uint8Array,
  ): Promise<FloodPeer> {
    return new FloodPeer(
      await connectSp(port, protocol, label, transcript),
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
    const onClose = (why: string) => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      transcript.event(label, why);
      this.notify();
    };
    sock.on("end", () => onClose("connection closed by the IUT (FIN)"));
    sock.on("error", (e) => onClose(`connection error: ${e.message}`));
    sock.on("close", () => onClose("connection closed"));
  }

  /** Connects to 127.0.0.1:port and exchanges SP headers as `protocol`. */
  static async connect(
    port: number,
    protocol: number,
    label: string,
    transcript: Transcript,
    decode: (payload: Uint8Array) => number | string,
    opts: { paused?: boolean } = {},
  ): Promise<FrameReader> {
    const sock = await connectSp(port, protocol, label, transcript);
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
