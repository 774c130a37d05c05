import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Subscriptions } from "./subscriptions.ts";

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
function keys(seed: number, count: number, length: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const k = new Uint8Array(length);
    for (let j = 0; j < length; j++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      k[j] = x & 0xff;
    }
    out.push(k);
  }
  return out;
}

const withSuffix = (k: Uint8Array, ...tail: number[]) => Uint8Array.from([...k, ...tail]);

describe("Subscriptions (flat arena layout)", () => {
  it("grows its arrays as topics arrive and still finds every one", () => {
    const s = new Subscriptions();
    const start = s.footprint().bytes;
    const all = keys(7, 20_000, 16);
    for (const k of all) s.add(k);
    expect(s.size).toBe(20_000);
    expect(s.footprint().bytes).toBeGreaterThan(start);
    for (const k of all) {
      expect(s.has(k)).toBe(true);
      expect(s.matches(withSuffix(k, 1, 2, 3))).toBe(true);
    }
    // A 15-byte prefix of a held 16-byte key is not itself held.
    expect(s.matches((all[0] as Uint8Array).subarray(0, 15))).toBe(false);
    // 20k random 16-byte keys stay well under 100 bytes each (typed arrays only).
    expect(s.footprint().bytes / s.size).toBeLessThan(100);
  });

  it("subscribe/unsubscribe churn reuses space: the arrays stop growing", () => {
    const s = new Subscriptions();
    const base = keys(11, 2_000, 16);
    for (const k of base) s.add(k);
    const churn = keys(12, 1_000, 16);
    let peak = 0;
    // 1M operations: 500 rounds of 1000 subscribes and 1000 unsubscribes.
    for (let round = 0; round < 500; round++) {
      for (const k of churn) {
        k[15] = round & 0xff; // fresh keys each round, so nodes really come and go
        s.add(k);
      }
      if (round === 5) peak = s.footprint().bytes;
      let removed = 0;
      for (const k of churn) if (s.remove(k)) removed++;
      expect(removed).toBe(churn.length);
    }
    expect(s.size).toBe(2_000);
    const fp = s.footprint();
    expect(fp.bytes).toBeLessThanOrEqual(peak);
    expect(fp.nodes).toBeLessThan(2 * 2_000 + 1);
    for (const k of base) expect(s.has(k)).toBe(true);
  });

  it("long topics churn through the label arena without unbounded growth", () => {
    const s = new Subscriptions("refcount");
    const long = keys(21, 300, 40); // labels over 16 bytes live in the arena
    let cap = 0;
    for (let round = 0; round < 200; round++) {
      for (const k of long) {
        k[39] = round & 0xff;
        k[20] = round & 0x7f; // splits in the middle of arena labels
        s.add(k);
        s.add(k.subarray(0, 30));
      }
      if (round === 3) cap = s.footprint().labelCapacity;
      for (const k of long) {
        expect(s.remove(k)).toBe(true);
        expect(s.remove(k.subarray(0, 30))).toBe(true);
      }
      expect(s.size).toBe(0);
    }
    expect(s.footprint().labelBytes).toBe(0);
    expect(s.footprint().labelCapacity).toBeLessThanOrEqual(3 * cap);
  });

  it("a node with 256 kids switches to a byte table and back, keeping every kid", () => {
    const s = new Subscriptions();
    const topic = (b: number) => Uint8Array.of(0x41, b, 0x42);
    for (let b = 0; b < 256; b++) expect(s.add(topic(b))).toBe(true);
    for (let b = 0; b < 256; b++) {
      expect(s.matches(Uint8Array.of(0x41, b, 0x42, 9))).toBe(true);
      expect(s.matches(Uint8Array.of(0x41, b, 0x43))).toBe(false);
    }
    expect(s.list().length).toBe(256);
    expect(s.list().map((t) => t[1])).toEqual([...Array(256).keys()]);
    // Remove all but a few: the node shrinks back to a listed block.
    for (let b = 0; b < 256; b++) if (b % 64 !== 0) expect(s.remove(topic(b))).toBe(true);
    expect(s.list().map((t) => t[1])).toEqual([0, 64, 128, 192]);
    for (let b = 0; b < 256; b++) expect(s.matches(topic(b))).toBe(b % 64 === 0);
    for (const b of [0, 64, 128, 192]) s.remove(topic(b));
    expect(s.size).toBe(0);
    expect(s.footprint().nodes).toBe(1);
  });

  it("clear() drops every topic and the arrays shrink back", () => {
    const s = new Subscriptions();
    for (const k of keys(3, 5_000, 24)) s.add(k);
    const big = s.footprint().bytes;
    s.clear();
    expect(s.size).toBe(0);
    expect(s.list()).toEqual([]);
    expect(s.footprint().bytes).toBeLessThan(big / 10);
    s.add(Uint8Array.of(1));
    expect(s.matches(Uint8Array.of(1, 2))).toBe(true);
  });

  it("agrees with a naive model on wide fan-out and long labels (property)", () => {
    // Bytes from a wide alphabet (byte tables) mixed with long shared runs (arena labels).
    const topic = fc
      .tuple(fc.constantFrom(0, 10, 20, 40), fc.uint8Array({ maxLength: 3 }))
      .map(([run, tail]) => Uint8Array.from([...new Array(run).fill(7), ...tail]));
    const op = fc.record({ kind: fc.constantFrom("add", "remove", "match"), topic });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const s = new Subscriptions("refcount");
        const model = new Map<string, number>();
        const hex = (t: Uint8Array) => Buffer.from(t).toString("hex");
        for (const o of ops) {
          const k = hex(o.topic);
          if (o.kind === "add") {
            expect(s.add(o.topic)).toBe(!model.has(k));
            model.set(k, (model.get(k) ?? 0) + 1);
          } else if (o.kind === "remove") {
            const n = model.get(k) ?? 0;
            expect(s.remove(o.topic)).toBe(n > 0);
            if (n > 1) model.set(k, n - 1);
            else model.delete(k);
          } else {
            const want = [...model.keys()].some((t) => k.startsWith(t));
            expect(s.matches(o.topic)).toBe(want);
          }
        }
        expect(s.list().map(hex).sort()).toEqual([...model.keys()].sort());
      }),
      { numRuns: 200 },
    );
  });
});
