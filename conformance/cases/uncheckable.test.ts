/**
 * The list of MUSTs no case checks stays honest: every entry names a MUST of
 * spec/requirements.json, gives a reason, and no case claims to check it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../adapters/build.ts";
import { allCases } from "./index.ts";
import { uncheckableRequirements } from "./unobservable.ts";

const rows = (
  JSON.parse(readFileSync(join(projectRoot, "spec", "requirements.json"), "utf8")) as {
    requirements: { id: string; text: string }[];
  }
).requirements;

describe("uncheckable MUSTs", () => {
  test("each entry is a MUST of the spec, listed once, with a reason", () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const seen = new Set<string>();
    for (const u of uncheckableRequirements) {
      expect(byId.get(u.requirement)?.text, u.requirement).toMatch(/\b(MUST|SHALL|REQUIRED)\b/);
      expect(u.reason.length, u.requirement).toBeGreaterThan(20);
      expect(seen.has(u.requirement), `${u.requirement} listed twice`).toBe(false);
      seen.add(u.requirement);
    }
  });

  test("no case claims to check a requirement listed as uncheckable", () => {
    const listed = new Set(uncheckableRequirements.map((u) => u.requirement));
    const claimed = allCases.flatMap((c) =>
      c.requirements.filter((id) => listed.has(id)).map((id) => `${c.id} ${id}`),
    );
    expect(claimed).toEqual([]);
  });
});
