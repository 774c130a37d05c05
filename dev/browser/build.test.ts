import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { buildBrowserBundle } from "./build.ts";

test("the browser bundle builds without Node built-ins or the ws package", async () => {
  const info = await buildBrowserBundle();
  const text = await readFile(info.path, "utf8");
  expect(info.bytes).toBeGreaterThan(10_000);
  expect(text).not.toMatch(/["']node:/);
  expect(info.inputs.some((p) => p.includes("node_modules/ws/"))).toBe(false);
  expect(info.inputs).toContain("reference/browser/transports.ts");
  expect(info.inputs).not.toContain("reference/transports.ts");
  expect(text).toMatch(/export\s*\{[^}]*\breq0\b/);
});
