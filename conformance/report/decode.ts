/**
 * Decodes the raw bytes of a transcript into SP units for the HTML report:
 * per connection and direction, the 8-byte connection header first, then
 * frames (u64 big-endian length + payload). Transcript chunks longer than the
 * harness keeps are elided in the middle; their bytes are unknown, so the
 * decoder tracks unknown bytes and still follows frame boundaries when the
 * length prefixes themselves are known.
 */
import type { TranscriptEntry } from "../harness/transcript.ts";

/** Names of the protocol numbers the suite knows. */
const PROTOCOLS: Record<number, string> = {
  16: "pair0",
  17: "pair1",
  32: "pub0",
  33: "sub0",
  48: "req0",
  49: "rep0",
  80: "push0",
  81: "pull0",
  98: "surveyor0",
  99: "respondent0",
  112: "bus0",
};

/** One transcript chunk: known bytes, then `unknown` elided bytes, then known tail bytes. */
export interface Chunk {
  head: number[];
  unknown: number;
  tail: number[];
}

/** Parses a transcript chunk written by the harness's `hex()`, or null when it is not hex. */
export function parseChunk(text: string): Chunk | null {
  const m = /^([0-9a-f ]*?)(?: … ([0-9a-f ]+) \((\d+) bytes\))?$/.exec(text.trim());
  if (!m) return null;
  const bytes = (t: string | undefined) => (t ?? "").split(" ").filter(Boolean);
  const head = bytes(m[1]);
  const tail = bytes(m[2]);
  if (![...head, ...tail].every((h) => /^[0-9a-f]{2}$/.test(h))) return null;
  const total = m[3] !== undefined ? Number(m[3]) : head.length;
  return {
    head: head.map((h) => Number.parseInt(h, 16)),
    unknown: Math.max(0, total - head.length - tail.length),
    tail: tail.map((h) => Number.parseInt(h, 16)),
  };
}

const SHOWN = 48;

function hexOf(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

function describeHeader(h: readonly number[]): string {
  const [m0, m1, m2, m3, p0, p1, r0, r1] = h;
  const magicOk = m0 === 0 && m1 === 0x53 && m2 === 0x50 && m3 === 0;
  const proto = ((p0 ?? 0) << 8) | (p1 ?? 0);
  const reserved = ((r0 ?? 0) << 8) | (r1 ?? 0);
  const name = PROTOCOLS[proto] ?? "unknown";
  return `SP header${magicOk ? "" : " (BAD MAGIC)"} protocol 0x${proto.toString(16)} (${name})${reserved ? ` reserved 0x${reserved.toString(16).padStart(4, "0")}` : ""}`;
}

/** Streaming decoder of one connection direction. */
class Stream {
  private phase: "header" | "length" | "payload" | "lost" = "header";
  private collected: number[] = [];
  private remaining = 0;
  private frameLen = 0;
  private shown: number[] = [];
  /** Set after elided bytes: later bytes of the frame are not shown (they would look adjacent). */
  private gap = false;

  /** Feeds one chunk; returns the units it completed. */
  feed(c: Chunk): string[] {
    const out: string[] = [];
    this.known(c.head, out);
    this.skip(c.unknown, out);
    this.known(c.tail, out);
    return out;
  }

  private known(bytes: readonly number[], out: string[]): void {
    let i = 0;
    while (i < bytes.length && this.phase !== "lost") {
      if (this.phase === "payload") {
        const n = Math.min(this.remaining, bytes.length - i);
        for (let k = 0; k < n && !this.gap && this.shown.length < SHOWN; k++) {
          this.shown.push(bytes[i + k] as number);
        }
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.endFrame(out);
        continue;
      }
      this.collected.push(bytes[i++] as number);
      if (this.collected.length < 8) continue;
      const got = this.collected;
      this.collected = [];
      if (this.phase === "header") {
        out.push(describeHeader(got));
        this.phase = "length";
      } else {
        const len = got.reduce((n, b) => n * 256 + b, 0);
        if (len > Number.MAX_SAFE_INTEGER) {
          out.push(`frame announcing more than 2^53 bytes (${hexOf(got)})`);
          this.phase = "lost";
          return;
        }
        this.frameLen = len;
        this.remaining = len;
        this.shown = [];
        this.gap = false;
        this.phase = "payload";
        if (len === 0) this.endFrame(out);
      }
    }
  }

  private skip(n: number, out: string[]): void {
    if (n === 0 || this.phase === "lost") return;
    if (this.phase === "payload" && n <= this.remaining) {
      this.gap = true;
      this.remaining -= n;
      if (this.remaining === 0) this.endFrame(out);
      return;
    }
    out.push("(bytes elided in the transcript; decoding of this stream stops)");
    this.phase = "lost";
  }

  private endFrame(out: string[]): void {
    const more = this.frameLen > this.shown.length ? ` … (${this.frameLen} bytes)` : "";
    out.push(`frame ${this.frameLen} bytes: ${hexOf(this.shown)}${more}`.trimEnd());
    this.phase = "length";
  }
}

/**
 * Returns, for each entry, the SP units completed by that entry's bytes
 * (empty for events and for bytes that only start a unit).
 *
 * @example
 * decodeTranscript([{ t: 0, who: "p", dir: ">>", text: "00 53 50 00 00 30 00 00" }]);
 * // [["SP header protocol 0x30 (req0)"]]
 */
export function decodeTranscript(entries: readonly TranscriptEntry[]): string[][] {
  const streams = new Map<string, Stream | null>();
  return entries.map((e) => {
    if (e.dir === "--") return [];
    const key = `${e.who}${e.dir}`;
    if (streams.get(key) === null) return [];
    const s = streams.get(key) ?? new Stream();
    streams.set(key, s);
    const chunk = parseChunk(e.text);
    if (chunk === null) {
      streams.set(key, null);
      return ["(not hex; decoding of this stream stops)"];
    }
    return s.feed(chunk);
  });
}
