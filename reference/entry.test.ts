import { describe, expect, it } from "vitest";
import * as index from "./index.ts";

describe("package entry", () => {
  it("reference/entry.js re-exports exactly the runtime names of reference/index.ts", async () => {
    const entry = (await import("./entry.js")) as Record<string, unknown>;
    const named = Object.keys(entry)
      .filter((k) => k !== "default")
      .sort();
    expect(named).toEqual(Object.keys(index).sort());
    expect(entry.req0).toBe(index.req0);
  });
});
