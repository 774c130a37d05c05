import { describe, expect, it } from "vitest";
import { FrameReader } from "./frame-reader.ts";
import { COPY_LIMIT, FrameWriter } from "./frame-writer.ts";

function sink() {
  const writes: Buffer[] = [];
  let corks = 0;
  return {
    writes,
    get corks() {
      return corks;
    },
    write: (d: Uint8Array) => writes.push(Buffer.from(d)),
    cork: () => {
      corks++;
    },
    uncork: () => {},
  };
}

function decode(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const r = new FrameReader(
    {
      onHeader: () => {},
      onFrame: (f) => frames.push(Buffer.from(f)),
      onOversize: () => {},
      limit: () => 0,
    },
    false,
  );
  r.feed(bytes);
  return frames;
}

describe("frame writer", () => {
  it("coalesces the frames queued in one tick into a single write", async () => {
    const s = sink();
    const w = new FrameWriter(s);
    w.push(Buffer.from([0x80, 0, 0, 1]), Buffer.from("a"));
    w.push(Buffer.from("bc"));
    w.push(Buffer.alloc(0));
    expect(s.writes).toHaveLength(0);
    await new Promise((r) => process.nextTick(r));
    expect(s.writes).toHaveLength(1);
    expect(decode(s.writes[0] as Buffer)).toEqual([
      Buffer.from([0x80, 0, 0, 1, 0x61]),
      Buffer.from("bc"),
      Buffer.alloc(0),
    ]);
  });

  it("corks large batches and keeps the byte stream identical", async () => {
    const s = sink();
    const w = new FrameWriter(s);
    const big = Buffer.alloc(300 * 1024, 7);
    w.push(Buffer.from("hd"), big);
    w.push(Buffer.from("x"));
    await new Promise((r) => process.nextTick(r));
    expect(s.corks).toBe(1);
    const frames = decode(Buffer.concat(s.writes));
    expect(frames).toHaveLength(2);
    expect(frames[0]?.equals(Buffer.concat([Buffer.from("hd"), big]))).toBe(true);
    expect(frames[1]?.toString()).toBe("x");
  });

  it("copies small payloads as they are queued, so the caller may reuse its buffer", async () => {
    const s = sink();
    const w = new FrameWriter(s);
    const reused = Buffer.from("one");
    w.push(reused);
    reused.write("two");
    w.push(reused);
    await new Promise((r) => process.nextTick(r));
    expect(decode(Buffer.concat(s.writes)).map(String)).toEqual(["one", "two"]);
  });

  it("a burst is written in 256 KiB batches before the tick ends", () => {
    const s = sink();
    const w = new FrameWriter(s);
    const body = Buffer.alloc(1000, 1);
    for (let i = 0; i < 1000; i++) w.push(body);
    // About 1 MB queued in one tick: most of it is already written, in a few large
    // writes (not one per frame), while the chunk size grows to 256 KiB.
    expect(s.writes.length).toBeGreaterThanOrEqual(3);
    expect(s.writes.length).toBeLessThanOrEqual(16);
    expect(w.queuedBytes).toBeLessThan(256 * 1024);
    w.flush();
    expect(decode(Buffer.concat(s.writes))).toHaveLength(1000);
  });

  it("refills its batch buffer once the sink holds none of its bytes, else allocates", () => {
    for (const held of [0, 1]) {
      const buffers = new Set<ArrayBufferLike>();
      const copies: Buffer[] = [];
      const w = new FrameWriter({
        write: (d: Uint8Array) => {
          buffers.add(d.buffer);
          copies.push(Buffer.from(d)); // the bytes as they were at write time
        },
        cork: () => {},
        uncork: () => {},
        writableLength: held,
      });
      const body = Buffer.alloc(1000, 3);
      for (let i = 0; i < 3000; i++) w.push(body);
      w.flush();
      // About 3 MB in 256 KiB batches: reused, only the growing chunks of the first batches
      // are distinct; with bytes still held by the sink, every batch has its own buffer.
      if (held === 0) expect(buffers.size).toBeLessThanOrEqual(8);
      else expect(buffers.size).toBeGreaterThan(10);
      expect(decode(Buffer.concat(copies))).toHaveLength(3000);
    }
  });

  it("discard gives back the frames never written, oldest first, parts joined", () => {
    const s = sink();
    const w = new FrameWriter(s, 0x01);
    const big = Buffer.alloc(20 * 1024, 9);
    w.push(Buffer.from([0x80, 0, 0, 7]), Buffer.from("ab"));
    w.push(big);
    w.push(Buffer.alloc(0));
    const back = w.discard();
    expect(back.map((b) => b.length)).toEqual([6, big.length, 0]);
    expect(back[0]).toEqual(Buffer.from([0x80, 0, 0, 7, 0x61, 0x62]));
    expect(back[1]?.equals(big)).toBe(true);
    expect(s.writes).toHaveLength(0);
    expect(w.discard()).toEqual([]);
  });

  it("writes nothing after discard", async () => {
    const s = sink();
    const w = new FrameWriter(s);
    w.push(Buffer.from("a"));
    w.discard();
    w.push(Buffer.from("b"));
    await new Promise((r) => process.nextTick(r));
    expect(s.writes).toHaveLength(0);
  });
  it("flushes at the flushAt option and calls onWritten once per flush, on its last write", () => {
    const calls: string[] = [];
    let written = 0;
    const onWritten = () => {
      written++;
    };
    const w = new FrameWriter(
      {
        write: (d: Uint8Array, done?: () => void) => {
          calls.push(`${d.length}${done === onWritten ? "+cb" : ""}`);
          done?.();
        },
        cork: () => calls.push("cork"),
        uncork: () => calls.push("uncork"),
      },
      { flushAt: 32 * 1024, onWritten },
    );
    const body = Buffer.alloc(1000, 1);
    for (let i = 0; i < 100; i++) w.push(body);
    // 100 KB queued within one tick: three 32 KiB flushes already went out, one write each.
    expect(written).toBe(3);
    expect(calls.filter((c) => c.endsWith("+cb"))).toHaveLength(3);
    // Each flush is one write, or one corked batch whose last write carries the callback.
    calls.forEach((c, i) => {
      if (c.endsWith("+cb")) expect(calls[i + 1] ?? "uncork").toMatch(/^(uncork|cork|\d+\+cb)$/);
    });
    expect(w.queuedBytes).toBeLessThan(32 * 1024);
    // A flush of several parts: corked, with the callback only on its last write.
    calls.length = 0;
    w.push(Buffer.from("small"));
    w.push(Buffer.alloc(COPY_LIMIT + 1, 2)); // over the copy limit: a part of its own
    expect(calls[0]).toBe("cork");
    expect(calls.at(-1)).toBe("uncork");
    expect(calls.filter((c) => c.endsWith("+cb"))).toHaveLength(1);
    expect(calls.at(-2)).toBe(`${COPY_LIMIT + 1}+cb`);
    expect(written).toBe(4);
  });

  it("a flushAt of 0 or below still flushes (each frame at once)", () => {
    const s = sink();
    const w = new FrameWriter(s, { flushAt: 0 });
    w.push(Buffer.from("a"));
    w.push(Buffer.from("b"));
    expect(s.writes).toHaveLength(2);
    expect(w.queuedBytes).toBe(0);
  });

  it("never refills a batch buffer whose bytes the sink still holds", () => {
    // A sink that keeps references, like a socket whose kernel buffer is full, then lets go.
    let held: Uint8Array[] = [];
    const snapshot: Buffer[] = [];
    const sinkState = { writableLength: 0 };
    const w = new FrameWriter(
      {
        write: (d: Uint8Array) => {
          held.push(d);
          snapshot.push(Buffer.from(d));
          sinkState.writableLength += d.length;
        },
        cork: () => {},
        uncork: () => {},
        get writableLength() {
          return sinkState.writableLength;
        },
      },
      { flushAt: 4096 },
    );
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 40; i++) w.push(Buffer.alloc(500, (round * 40 + i) & 0xff));
      // Every other round the sink finishes its writes: the chunk may then be reused.
      if (round % 2 === 1) {
        const base = snapshot.length - held.length;
        const intact = held.every((d, i) => Buffer.from(d).equals(snapshot[base + i] as Buffer));
        expect(intact).toBe(true);
        held = [];
        sinkState.writableLength = 0;
      }
    }
    w.flush();
    const frames = decode(Buffer.concat(snapshot));
    expect(frames).toHaveLength(2000);
    expect(frames.every((f, i) => f.equals(Buffer.alloc(500, i & 0xff)))).toBe(true);
  });
});
