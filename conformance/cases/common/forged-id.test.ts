/** Forged ids of the model cases never name a later request or survey of the same run. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forgedId } from "./forged-id.ts";

describe("forgedId", () => {
  it("differs from the current id in exactly one bit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x80000000, max: 0xffffffff }),
        fc.nat({ max: 31 }),
        (id, b) => {
          const diff = (forgedId(id, b) ^ id) >>> 0;
          expect(diff).not.toBe(0);
          expect(diff & (diff - 1)).toBe(0);
        },
      ),
    );
  });

  it("is never one of the next 255 ids (ids counted up one by one)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x80000000, max: 0xfffffe00 }),
        fc.nat({ max: 31 }),
        (id, b) => {
          const ahead = forgedId(id, b) - id;
          expect(ahead <= 0 || ahead >= 256).toBe(true);
        },
      ),
    );
  });

  it("keeps the chosen bit where flipping it cannot name a later one", () => {
    expect(forgedId(0x80000001, 0)).toBe(0x80000000);
    expect(forgedId(0x80000000, 31)).toBe(0);
    expect(forgedId(0x80000000, 0)).toBe(0x80000100);
  });
});
