import { describe, expect, it } from "vitest";
import { FrameReader } from "./frame-reader.ts";
import { FrameWriter } from "./frame-writer.ts";

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

  it("writes nothing after discard", async () => {
    const s = sink();
    const w = new FrameWriter(s);
    w.push(Buffer.from("a"));
    w.discard();
    w.push(Buffer.from("b"));
    await new Promise((r) => process.nextTick(r));
    expect(s.writes).toHaveLength(0);
  });
});
