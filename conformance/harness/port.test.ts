import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, portRange } from "./port.ts";

describe("freePort", () => {
  it("stays below the kernel's ephemeral range, where outgoing connections take their ports", async () => {
    const { low, high } = portRange();
    expect(low).toBeLessThan(high);
    expect(high).toBeLessThan(32768);
    for (let i = 0; i < 20; i++) {
      const p = await freePort();
      expect(p).toBeGreaterThanOrEqual(low);
      expect(p).toBeLessThanOrEqual(high);
    }
  });

  it("hands out a port that can be bound, and skips one that is held", async () => {
    const a = await freePort();
    const held = createServer();
    await new Promise<void>((r) => held.listen(a + 1, "127.0.0.1", () => r()));
    try {
      const b = await freePort();
      expect(b).not.toBe(a);
      expect(b).not.toBe(a + 1);
      const s = createServer();
      await new Promise<void>((r, j) => {
        s.once("error", j);
        s.listen(b, "127.0.0.1", () => r());
      });
      s.close();
    } finally {
      held.close();
    }
  });
});
