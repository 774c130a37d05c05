import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frame, spHeader } from "../../testing/raw-peer.ts";
import { FrameReader, PREALLOC_MAX } from "./frame-reader.ts";

function collect(limit = 0) {
  const out = { header: null as Buffer | null, frames: [] as Buffer[], oversize: [] as number[] };
  const reader = new FrameReader({
    onHeader: (h) => {
      out.header = h;
    },
    onFrame: (f) => {
      out.frames.push(Buffer.from(f));
    },
    onOversize: (n) => {
      out.oversize.push(n);
    },
    limit: () => limit,
  });
  return { reader, out };
}

describe("frame reader", () => {
  const payloads = [Buffer.from("hello"), Buffer.alloc(0), Buffer.from([0x80, 0, 0, 1, 9])];
  const stream = Buffer.concat([spHeader(0x30), ...payloads.map(frame)]);

  it("handles a frame split at every byte", () => {
    const { reader, out } = collect();
    for (let i = 0; i < stream.length; i++) reader.feed(stream.subarray(i, i + 1));
    expect(out.header).toEqual(spHeader(0x30));
    expect(out.frames).toEqual(payloads);
  });

  it("decodes many frames from one chunk, including zero-length ones", () => {
    const { reader, out } = collect();
    reader.feed(stream);
    expect(out.frames).toEqual(payloads);
  });

  it("reports an oversize length before any payload arrives and then stops", () => {
    const { reader, out } = collect(4);
    const head = frame(Buffer.alloc(5)).subarray(0, 8);
    reader.feed(Buffer.concat([spHeader(0x30), frame(Buffer.from("ok")), head]));
    expect(out.frames).toEqual([Buffer.from("ok")]);
    expect(out.oversize).toEqual([5]);
    expect(reader.stopped).toBe(true);
    reader.feed(Buffer.alloc(5));
    expect(out.frames).toHaveLength(1);
  });

  it("treats a length beyond what a Buffer can hold as oversize even when unlimited", () => {
    const { reader, out } = collect(0);
    reader.feed(Buffer.concat([spHeader(0x30), Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 1])]));
    expect(out.oversize).toHaveLength(1);
  });

  it("stops at once when a handler calls stop, ignoring the rest of the chunk", () => {
    const frames: Buffer[] = [];
    const reader: FrameReader = new FrameReader({
      onHeader: () => reader.stop(),
      onFrame: (f) => frames.push(f),
      onOversize: () => {},
      limit: () => 0,
    });
    reader.feed(stream);
    expect(frames).toEqual([]);
  });

  it("property: any sequence of frames cut at random points decodes to the same messages", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (msgs, cuts) => {
          const bytes = Buffer.concat([spHeader(0x31), ...msgs.map((m) => frame(m))]);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const { reader, out } = collect(1000);
          let prev = 0;
          for (const p of [...points, bytes.length]) {
            reader.feed(bytes.subarray(prev, p));
            prev = p;
          }
          expect(out.header).toEqual(spHeader(0x31));
          expect(out.frames).toEqual(msgs.map((m) => Buffer.from(m)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("with the limit off, memory follows the bytes received, not the announced length", () => {
    const { reader, out } = collect(0);
    const original = Buffer.allocUnsafe;
    let largest = 0;
    Buffer.allocUnsafe = (n: number) => {
      largest = Math.max(largest, n);
      return original(n);
    };
    try {
      // 4 GiB announced, 10 bytes sent: no 4 GiB buffer.
      reader.feed(Buffer.concat([spHeader(0x31), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0])]));
      reader.feed(Buffer.alloc(10));
      expect(largest).toBeLessThanOrEqual(PREALLOC_MAX);
      // A 200 KB frame in 1 KB chunks still decodes exactly, the buffer growing as it fills.
      const { reader: r2, out: o2 } = collect(0);
      const body = Buffer.alloc(200_000, 7);
      const stream = Buffer.concat([spHeader(0x31), frame(body)]);
      for (let i = 0; i < stream.length; i += 1000) r2.feed(stream.subarray(i, i + 1000));
      expect(o2.frames).toEqual([body]);
    } finally {
      Buffer.allocUnsafe = original;
    }
    expect(out.frames).toEqual([]);
  });
});
