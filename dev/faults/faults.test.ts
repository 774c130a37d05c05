/** The fault set fits today's sources: every patch applies once, ids and requirements are sound. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { allCases } from "../../conformance/cases/index.ts";
import { allFaults } from "./faults.ts";
import { patchedFiles } from "./patch.ts";
import { familyOf } from "./verdicts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const requirementIds = new Set(
  (
    JSON.parse(readFileSync(join(root, "spec", "requirements.json"), "utf8")) as {
      requirements: { id: string }[];
    }
  ).requirements.map((r) => r.id),
);
const families = new Set(allCases.map((c) => familyOf(c.id)));

describe("fault set", () => {
  test("ids are unique and well formed", () => {
    const ids = allFaults.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+\/[a-z0-9-]+$/);
  });

  test("every requirement id exists in spec/requirements.json", () => {
    for (const f of allFaults) {
      expect(f.requirements.length, f.id).toBeGreaterThan(0);
      for (const r of f.requirements) expect(requirementIds.has(r), `${f.id}: ${r}`).toBe(true);
    }
  });

  test("every fault names existing case families and says what would catch it", () => {
    for (const f of allFaults) {
      expect(f.families.length, f.id).toBeGreaterThan(0);
      for (const fam of f.families) expect(families.has(fam), `${f.id}: ${fam}`).toBe(true);
      expect(f.description.length, f.id).toBeGreaterThan(20);
      expect(f.observe.length, f.id).toBeGreaterThan(20);
    }
  });

  test.each(allFaults.map((f) => [f.id, f] as const))("%s applies exactly once", (_id, f) => {
    const files = patchedFiles(root, f);
    expect(files.size).toBeGreaterThan(0);
  });
});
