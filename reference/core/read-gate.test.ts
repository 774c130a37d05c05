import { describe, expect, it } from "vitest";
import { HeldMessages } from "./held-messages.ts";
import { ReadGate } from "./read-gate.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("ReadGate", () => {
  it("resumes from a microtask, once, however often resume was asked for", async () => {
    let runs = 0;
    const gate = new ReadGate(
      () => false,
      () => runs++,
    );
    expect(gate.pause()).toBe(true);
    expect(gate.pause()).toBe(false);
    gate.resume();
    gate.resume();
    expect(runs).toBe(0); // never within the caller's call
    await tick();
    expect(runs).toBe(1);
  });

  it("does not resume when paused again, or closed, before the microtask ran", async () => {
    let runs = 0;
    let closed = false;
    const gate = new ReadGate(
      () => closed,
      () => runs++,
    );
    gate.pause();
    gate.resume();
    gate.pause();
    await tick();
    expect(runs).toBe(0);
    gate.resume();
    closed = true;
    await tick();
    expect(runs).toBe(0);
    expect(gate.pause()).toBe(false); // closed: a no-op
  });
});

describe("HeldMessages", () => {
  it("hands over in order, stops where asked and goes on from there", () => {
    const held = new HeldMessages();
    held.holding = true;
    for (const s of ["a", "bb", "ccc"]) held.hold(Buffer.from(s));
    expect(held.bytes).toBe(6);
    const got: string[] = [];
    let stopAfter = 2;
    expect(
      held.release(
        (m) => got.push(m.toString()),
        () => got.length >= stopAfter,
      ),
    ).toBe(false);
    expect(got).toEqual(["a", "bb"]);
    expect(held.holding).toBe(true);
    expect(held.bytes).toBe(3);
    stopAfter = 99;
    expect(
      held.release(
        (m) => got.push(m.toString()),
        () => false,
      ),
    ).toBe(true);
    expect(got).toEqual(["a", "bb", "ccc"]);
    expect(held.holding).toBe(false);
    expect(held.bytes).toBe(0);
  });

  it("clear forgets everything held", () => {
    const held = new HeldMessages();
    held.hold(Buffer.from("x"));
    held.clear();
    expect(held.bytes).toBe(0);
    const got: Buffer[] = [];
    expect(
      held.release(
        (m) => got.push(m),
        () => false,
      ),
    ).toBe(true);
    expect(got).toEqual([]);
  });
});
