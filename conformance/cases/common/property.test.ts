/** A failed property names its cause and seed on the first line, which console recaps show. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CaseContext } from "../types.ts";
import { checkProperty } from "./property.ts";

class Failed extends Error {}

function context(): CaseContext {
  const fail = (message: string): never => {
    throw new Failed(message);
  };
  return {
    seed: 42,
    replayPath: undefined,
    caseId: "x/y",
    iut: { name: "reference" },
    fail,
  } as unknown as CaseContext;
}

describe("checkProperty", () => {
  it("puts the first line of the error and the seed and path in the headline", async () => {
    const ctx = context();
    const p = fc.asyncProperty(fc.nat(), async (n) => {
      if (n > 5) throw new Error(`step 2 of 3: got ${n}\nwalk 4: a → b`);
    });
    const e = await checkProperty(ctx, p, { numRuns: 200 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Failed);
    const [headline, ...rest] = (e as Failed).message.split("\n");
    expect(headline).toMatch(/^property failed \(seed 42, path [\d:]+\): step 2 of 3: got 6$/);
    expect(rest.join("\n")).toContain("walk 4: a → b");
    expect(rest.join("\n")).toMatch(/--filter x\/y --seed 42 --replay/);
  });

  it("returns the runs and the seed when the property holds", async () => {
    const r = await checkProperty(
      context(),
      fc.asyncProperty(fc.nat(), async () => {}),
      {
        numRuns: 7,
      },
    );
    expect(r).toEqual({ numRuns: 7, seed: 42 });
  });
});
