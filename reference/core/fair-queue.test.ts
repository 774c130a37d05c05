import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FairQueue } from "./fair-queue.ts";

describe("FairQueue", () => {
  it("a lone message from a quiet pipe is served right after the current turn", () => {
    const busy = {};
    const quiet = {};
    const q = new FairQueue<string>(128);
    for (let i = 0; i < 100; i++) q.push(busy, `busy ${i}`);
    q.push(quiet, "quiet");
    expect([q.shift(), q.shift(), q.shift()]).toEqual(["busy 0", "quiet", "busy 1"]);
  });

  it("bounds each source separately: a full share refuses, another source still queues", () => {
    const a = {};
    const b = {};
    const q = new FairQueue<number>(2);
    expect([q.push(a, 1), q.push(a, 2), q.push(a, 3)]).toEqual([true, true, false]);
    expect(q.push(b, 9)).toBe(true);
    expect(q.length).toBe(3);
    expect(q.drain()).toEqual([1, 9, 2]);
    expect(q.length).toBe(0);
  });

  it("keeps each source's order and loses nothing (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(4), { maxLength: 200 }), (sources) => {
        const keys = [{}, {}, {}, {}, {}];
        const q = new FairQueue<[number, number]>();
        for (const [i, s] of sources.entries()) q.push(keys[s] as object, [s, i]);
        const out = q.drain();
        expect(out.length).toBe(sources.length);
        for (const s of new Set(sources)) {
          const seq = out.filter(([k]) => k === s).map(([, i]) => i);
          expect(seq).toEqual([...seq].sort((x, y) => x - y));
        }
      }),
    );
  });
});
