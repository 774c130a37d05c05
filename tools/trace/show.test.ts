import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collectTrace } from "./collect.ts";
import { idPattern, renderId, selectIds, verdictSources, wrap } from "./show.ts";

const tree = fileURLToPath(new URL("./fixtures/tree", import.meta.url));
const fixture = () => collectTrace({ root: tree, reportsDir: `${tree}/results` });

describe("selecting ids", () => {
  it("takes plain ids and globs, in order, without repeats", async () => {
    const trace = await fixture();
    expect(selectIds(trace, ["sp-fix-3", "SP-FIX-*"])).toEqual({
      ids: ["SP-FIX-3", "SP-FIX-1", "SP-FIX-2", "SP-FIX-4", "SP-FIX-7", "SP-FIX-9"],
      unmatched: [],
    });
    expect(selectIds(trace, ["SP-FIX-1?", "SP-NONE-1"])).toEqual({
      ids: [],
      unmatched: ["SP-FIX-1?", "SP-NONE-1"],
    });
    expect(idPattern("SP-FIX-1").test("SP-FIX-10")).toBe(false);
  });
});

describe("renderId", () => {
  it("shows sentence, table rows, transitions, code, cases and verdicts", async () => {
    const lines = renderId(await fixture(), "SP-FIX-1", { width: 120 });
    expect(lines).toEqual([
      "SP-FIX-1  MUST  draft-sp-fix § Behaviour",
      "  draft       rfc/draft-sp-fix.md:23",
      "                A lamp MUST light when switched on.",
      "  tables (2)  rfc/draft-sp-fix.md:30  machine lamp  | off | press |  | light | on |",
      "                → lamp:off:press  spec/machines/lamp.ts:4",
      "              rfc/draft-sp-fix.md:31  machine lamp  | on | press | quiet |  | off |",
      "                → lamp:on:press[quiet]  spec/machines/lamp.ts:8",
      "  code (3)    reference/proto/lamp.ts:1",
      "                A lamp (SP-FIX-1).",
      "              reference/proto/lamp.ts:7",
      "                SP-FIX-1..2 are about the lamp itself.",
      "              reference/proto/switch.ts:5",
      "                SP-FIX-1: on",
      "  cases (2)   lamp/lights  conformance/cases/index.ts:4",
      "                The lamp lights when switched on",
      "                other: fail · ref: pass",
      "              lamp/dims  conformance/cases/index.ts:9",
      "                The lamp dims",
      "                other: no report · ref: warn",
    ]);
  });

  it("says none for what is missing, and which ids are cited but undefined", async () => {
    const trace = await fixture();
    const two = renderId(trace, "SP-FIX-2");
    expect(two).toContain("  tables (0)  none");
    expect(two).toContain("  cases (0)   none");
    const three = renderId(trace, "SP-FIX-3");
    expect(three).toContain("  tables (1)  rfc/draft-sp-fix.md:36  defaults  dimMs = 250");
    expect(renderId(trace, "SP-FIX-7").slice(0, 3)).toEqual([
      "SP-FIX-7  cited, but retired in draft-sp-fix",
      "  code (0)    none",
      "  cases (1)   lamp/ghost  conformance/cases/index.ts:10",
    ]);
    expect(renderId(trace, "SP-FIX-9")[0]).toBe("SP-FIX-9  cited, but no draft defines it");
  });

  it("says no report when there are no results at all", async () => {
    const trace = await collectTrace({ root: tree, reportsDir: `${tree}/absent` });
    expect(renderId(trace, "SP-FIX-3")).toContain("                verdicts: no report");
    expect(verdictSources(trace)).toEqual(["verdicts: no results.json found (no report)"]);
  });

  it("names the old id of a renamed case its verdict was reported under", async () => {
    const trace = await fixture();
    const rows = trace.rows.map((r) =>
      r.id !== "SP-FIX-3"
        ? r
        : { ...r, cases: r.cases.map((c) => ({ ...c, reportedAs: { ref: "old/dims" } })) },
    );
    expect(renderId({ ...trace, rows }, "SP-FIX-3")).toContain(
      "                other: no report · ref: warn (as old/dims)",
    );
  });

  it("highlights key words only when asked", async () => {
    const trace = await fixture();
    const plain = renderId(trace, "SP-FIX-2").join("\n");
    const color = renderId(trace, "SP-FIX-2", { color: true }).join("\n");
    expect(plain).not.toContain("\x1b[");
    expect(color).toContain("\x1b[1;33mMUST NOT\x1b[0m");
  });

  it("wraps at word boundaries", () => {
    expect(wrap("aaa bbb ccc dddddddddd e", 7)).toEqual(["aaa bbb", "ccc", "dddddddddd", "e"]);
  });
});
