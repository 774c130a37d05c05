import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frame, spHeader } from "../../../testkit/raw-peer.ts";
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
  describe("pause and resume (SP-FRAMEWORK-22/-23)", () => {
    /** A reader whose onFrame records frames and calls `onEach(index)` after each. */
    function pausable(onEach: (index: number, reader: FrameReader) => void, frameType?: number) {
      const frames: Buffer[] = [];
      const reader: FrameReader = new FrameReader(
        {
          onHeader: () => {},
          onFrame: (f) => {
            frames.push(Buffer.from(f));
            onEach(frames.length - 1, reader);
          },
          onOversize: () => {},
          limit: () => 0,
        },
        true,
        frameType,
      );
      return { reader, frames };
    }

    const many = Array.from({ length: 50 }, (_, i) => Buffer.from(`message ${i}`));
    const manyStream = Buffer.concat([spHeader(0x30), ...many.map(frame)]);

    it("a pause from onFrame stops at that frame and holds the rest of the chunk", () => {
      const { reader, frames } = pausable((i, r) => {
        if (i === 2) r.pause();
      });
      reader.feed(manyStream);
      expect(frames).toEqual(many.slice(0, 3));
      expect(reader.paused).toBe(true);
      const delivered = 8 + many.slice(0, 3).reduce((n, m) => n + 8 + m.length, 0);
      expect(reader.heldBytes).toBe(manyStream.length - delivered);
      // More input while paused is held too, behind the remainder.
      const later = frame(Buffer.from("later"));
      reader.feed(later);
      expect(frames).toHaveLength(3);
      expect(reader.heldBytes).toBe(manyStream.length - delivered + later.length);
      expect(reader.resume()).toBe(true);
      expect(frames).toEqual([...many, Buffer.from("later")]);
      expect(reader.heldBytes).toBe(0);
      expect(reader.paused).toBe(false);
    });

    it("resume picks up a frame split across chunks, and a pause during resume holds the rest", () => {
      const { reader, frames } = pausable((i, r) => {
        if (i % 10 === 9) r.pause();
      });
      // Cut in the middle of a length field and in the middle of a payload.
      const cuts = [5, 27, 100, 131, 300, manyStream.length];
      let prev = 0;
      for (const c of cuts) {
        reader.feed(manyStream.subarray(prev, c));
        prev = c;
      }
      expect(frames).toHaveLength(10);
      let rounds = 0;
      while (!reader.resume()) rounds++;
      expect(rounds).toBe(4); // paused again after frames 20, 30, 40 and 50
      expect(frames).toEqual(many);
    });

    it("pausing twice, or resuming when not paused, changes nothing", () => {
      const { reader, frames } = pausable(() => {});
      expect(reader.resume()).toBe(true);
      reader.pause();
      reader.pause();
      reader.feed(manyStream);
      expect(frames).toEqual([]);
      expect(reader.resume()).toBe(true);
      expect(reader.resume()).toBe(true);
      expect(frames).toEqual(many);
    });

    it("stop discards what a paused reader holds, and pause after stop is a no-op", () => {
      const { reader, frames } = pausable((i, r) => {
        if (i === 0) r.pause();
      });
      reader.feed(manyStream);
      expect(reader.heldBytes).toBeGreaterThan(0);
      reader.stop();
      expect(reader.heldBytes).toBe(0);
      expect(reader.stopped).toBe(true);
      reader.pause();
      expect(reader.paused).toBe(false);
      expect(reader.resume()).toBe(false);
      expect(frames).toHaveLength(1);
    });

    it("keeps the IPC type byte state across a pause", () => {
      const typed = Buffer.concat([
        spHeader(0x30),
        ...many.slice(0, 5).map((m) => Buffer.concat([Buffer.from([1]), frame(m)])),
      ]);
      const { reader, frames } = pausable((_i, r) => r.pause(), 1);
      for (let i = 0; i < typed.length; i += 7) reader.feed(typed.subarray(i, i + 7));
      while (!reader.resume()) {}
      expect(frames).toEqual(many.slice(0, 5));
    });

    it("property: pausing after any frames and resuming at any points loses, duplicates and reorders nothing", () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          fc.array(fc.boolean(), { maxLength: 40 }),
          fc.array(fc.boolean(), { maxLength: 40 }),
          (msgs, cuts, pauseAfter, resumeBetween) => {
            const bytes = Buffer.concat([spHeader(0x31), ...msgs.map((m) => frame(m))]);
            const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
              (a, b) => a - b,
            );
            let pausedAt = -1;
            const { reader, frames } = pausable((i, r) => {
              if (pauseAfter[i % Math.max(1, pauseAfter.length)]) {
                // Nothing more may come out of the reader while it is paused.
                pausedAt = frames.length;
                r.pause();
              }
            });
            let prev = 0;
            let k = 0;
            for (const p of [...points, bytes.length]) {
              reader.feed(bytes.subarray(prev, p));
              prev = p;
              if (reader.paused) expect(frames.length).toBe(pausedAt);
              if (resumeBetween[k++ % Math.max(1, resumeBetween.length)]) reader.resume();
            }
            while (!reader.resume()) {}
            expect(reader.heldBytes).toBe(0);
            expect(frames).toEqual(msgs.map((m) => Buffer.from(m)));
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
