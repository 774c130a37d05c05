/**
 * A raw PAIR peer that stops reading on demand and, unlike
 * conformance/harness/stall.ts, parses what it reads into SP frames, so a case
 * can tell which of the IUT's sends reached it once it reads again. Large
 * frames (the filler that backs the connection up) are only counted; small
 * ones are kept. Plus {@link backUp}, which fills the connection until the
 * IUT's sends wait.
 */
import type { Socket } from "node:net";
import type { IutSocket } from "../../adapters/iut.ts";
import type { Endpoint } from "../../harness/hosts.ts";
import { utf8 } from "../../harness/sp.ts";
import { connectSp } from "../../harness/stall.ts";
import type { Transcript } from "../../harness/transcript.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext } from "../types.ts";

/** Frames up to this size are kept; larger ones are only counted. */
const KEEP_MAX = 1024;
/** Size of the filler messages. */
const CHUNK = 512 * 1024;
/** Upper bound on what one fill sends (bytes). */
const MAX_FILL = 64 * 1024 * 1024;

/** A connected peer that reads SP frames only while resumed. */
export class FramedStallPeer {
  /** Small frames received, in order. */
  readonly small: Uint8Array[] = [];
  /** Large frames received. */
  largeCount = 0;
  private pending = Buffer.alloc(0);
  /** Bytes of the large frame being skipped that are still to come. */
  private skip = 0;
  private closedFlag = false;

  private constructor(
    private readonly sock: Socket,
    readonly label: string,
    private readonly transcript: Transcript,
  ) {
    sock.on("data", (d: Buffer) => this.onData(d));
    const onClose = () => {
      if (!this.closedFlag) transcript.event(label, "connection closed");
      this.closedFlag = true;
    };
    sock.on("close", onClose);
    sock.on("error", onClose);
  }

  /** Connects to `to` (the IUT), exchanges SP headers for `protocol`, and reads. */
  static async connect(
    to: Endpoint,
    protocol: number,
    label: string,
    transcript: Transcript,
  ): Promise<FramedStallPeer> {
    return new FramedStallPeer(await connectSp(to, protocol, label, transcript), label, transcript);
  }

  private onData(d: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, d]) : d;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length);
        this.skip -= n;
        buf = buf.subarray(n);
        if (this.skip > 0) break;
        continue;
      }
      if (buf.length < 8) break;
      const len = Number(buf.readBigUInt64BE(0));
      if (len > KEEP_MAX) {
        this.largeCount++;
        this.skip = len;
        buf = buf.subarray(8);
        continue;
      }
      if (buf.length < 8 + len) break;
      const frame = new Uint8Array(buf.subarray(8, 8 + len));
      this.small.push(frame);
      this.transcript.in(this.label, frame);
      buf = buf.subarray(8 + len);
    }
    this.pending = Buffer.from(buf);
  }

  /** Stops reading. */
  pause(): void {
    this.transcript.event(this.label, "stops reading");
    this.sock.pause();
  }

  /** Reads again. */
  resume(): void {
    this.transcript.event(this.label, "reads again");
    this.sock.resume();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.closedFlag = true;
    this.sock.destroy();
  }
}

/**
 * Sends large messages (each waiting at most `probeMs`) until one times out,
 * then confirms with a small send that also waits `confirmMs`: on a loaded
 * machine a short timeout may only mean the IUT was slow to move bytes. A
 * send that fails with anything but ETIMEDOUT fails the case. Returns the
 * texts of the small probes that were sent (the peer gets them when it reads
 * again), or undefined when the IUT took `MAX_FILL` bytes without waiting.
 * A send that fails under another name than ETIMEDOUT warns (SP-FRAMEWORK-20).
 */
export async function backUp(
  ctx: CaseContext,
  sock: IutSocket,
  probeMs = 300,
  confirmMs = 1500,
): Promise<string[] | undefined> {
  const big = new Uint8Array(CHUNK).fill(0x5a);
  const probes: string[] = [];
  for (let sent = 0; sent < MAX_FILL; sent += CHUNK) {
    const r = await sock.trySend(big, { timeoutMs: probeMs });
    if (r.ok) continue;
    expectErrorName(ctx, r.code, "ETIMEDOUT", "a send to a peer that stopped reading");
    const text = `probe ${probes.length + 1}`;
    const check = await sock.trySend(utf8(text), { timeoutMs: confirmMs });
    if (check.ok) {
      probes.push(text);
      continue;
    }
    expectErrorName(ctx, check.code, "ETIMEDOUT", "a send to a peer that stopped reading");
    ctx.note(`backed up after ${(sent / 1048576).toFixed(1)} MiB`);
    return probes;
  }
  return undefined;
}
