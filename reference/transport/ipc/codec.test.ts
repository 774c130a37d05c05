import { describe, expect, it } from "vitest";
import { FrameReader } from "../tcp/frame-reader.ts";
import { FrameWriter } from "../tcp/frame-writer.ts";
import { IPC_FRAME_TYPE } from "./listener.ts";

/** Writes `bodies` through an IPC FrameWriter and returns the bytes produced. */
function encode(bodies: Buffer[], big = false): Buffer {
  const out: Uint8Array[] = [];
  const w = new FrameWriter(
    { write: (d) => out.push(Buffer.from(d)), cork: () => {}, uncork: () => {} },
    IPC_FRAME_TYPE,
  );
  for (const b of bodies) w.push(b);
  if (big) w.push(Buffer.alloc(300 * 1024, 7)); // takes the corked path
  w.flush();
  return Buffer.concat(out);
}

describe("ipc frame codec", () => {
  it("writes [0x01][u64 length][payload] per message", () => {
    expect(encode([Buffer.from("hi")])).toEqual(
      Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]),
    );
  });

  it("round-trips through one-byte chunks, empty frames included, on both write paths", () => {
    const bodies = [Buffer.from("a"), Buffer.alloc(0), Buffer.from("hello"), Buffer.alloc(0)];
    for (const big of [false, true]) {
      const bytes = Buffer.concat([
        Buffer.from([0, 0x53, 0x50, 0, 0, 0x31, 0, 0]),
        encode(bodies, big),
      ]);
      const got: Buffer[] = [];
      const r = new FrameReader(
        {
          onHeader: () => {},
          onFrame: (f) => got.push(Buffer.from(f)),
          onOversize: () => {},
          onBadType: () => {
            throw new Error("bad type");
          },
          limit: () => 0,
        },
        true,
        IPC_FRAME_TYPE,
      );
      for (let i = 0; i < bytes.length; i++) r.feed(bytes.subarray(i, i + 1));
      expect(got.slice(0, bodies.length)).toEqual(bodies);
      expect(got.length).toBe(bodies.length + (big ? 1 : 0));
    }
  });

  it("stops at a frame whose type byte is not 0x01", () => {
    let bad: number | undefined;
    const frames: Buffer[] = [];
    const r = new FrameReader(
      {
        onHeader: () => {},
        onFrame: (f) => frames.push(f),
        onOversize: () => {},
        onBadType: (t) => {
          bad = t;
        },
        limit: () => 0,
      },
      false,
      IPC_FRAME_TYPE,
    );
    r.feed(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 1, 0x41, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x42]));
    expect(frames.map((f) => f.toString())).toEqual(["A"]);
    expect(bad).toBe(0);
    expect(r.stopped).toBe(true);
  });
});
