import { describe, expect, it } from "vitest";
import { frameReader } from "./framing.ts";

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(p.length, 4);
      return [head, p];
    }),
  );
}

describe("raw baseline framing", () => {
  const payloads = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from("last")];

  it("reads every frame of one chunk in order, including empty ones", () => {
    const got: string[] = [];
    frameReader((m) => got.push(m.toString("hex")))(framed(payloads));
    expect(got).toEqual(payloads.map((p) => p.toString("hex")));
  });

  it("reassembles frames split at every possible byte boundary", () => {
    const wire = framed(payloads);
    for (let size = 1; size <= 17; size++) {
      const got: string[] = [];
      const feed = frameReader((m) => got.push(Buffer.from(m).toString("hex")));
      for (let off = 0; off < wire.length; off += size) feed(wire.subarray(off, off + size));
      expect(got).toEqual(payloads.map((p) => p.toString("hex")));
    }
  });
});
