import { describe, expect, test } from "vitest";
import { caseAliases } from "./aliases.ts";
import { allCases } from "./index.ts";

describe("renamed case ids", () => {
  const ids = new Set(allCases.map((c) => c.id));
  test("every alias points at a case that exists, and no old id is still a case", () => {
    for (const [old, now] of Object.entries(caseAliases)) {
      expect(ids.has(now), `${old} → ${now}`).toBe(true);
      expect(ids.has(old), old).toBe(false);
    }
  });
  test("a case's id starts with the name of the folder its family lives in", async () => {
    const { readdirSync } = await import("node:fs");
    const families = new Set(
      readdirSync(new URL(".", import.meta.url), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== "common")
        .map((d) => d.name),
    );
    for (const id of ids) expect(families.has(id.split("/")[0] ?? ""), id).toBe(true);
  });
});
