/** Per-requirement fault kill counts and their cell in the requirement appendix. */
import { describe, expect, it } from "vitest";
import { type FaultKills, killsByRequirement, killsCell, mergeKills } from "./fault-kills.ts";
import { requirementIndex, requirementsAppendix } from "./requirements.ts";

describe("fault kills", () => {
  it("counts, per requirement, the listed faults and those some case caught", () => {
    const k = killsByRequirement([
      { id: "reqrep/a", requirements: ["SP-REQREP-8"], caught: true },
      { id: "reqrep/b", requirements: ["SP-REQREP-8", "SP-REQREP-6"], caught: false },
    ]);
    expect(k).toEqual({
      "SP-REQREP-8": { listed: 2, caught: 1, uncaught: ["reqrep/b"] },
      "SP-REQREP-6": { listed: 1, caught: 0, uncaught: ["reqrep/b"] },
    });
  });

  it("keeps a ledger: a run replaces the outcomes of its faults and keeps the others", () => {
    const known = [
      { id: "x/a", requirements: ["SP-X-1"] },
      { id: "x/b", requirements: ["SP-X-1", "SP-X-2"] },
      { id: "x/c", requirements: ["SP-X-2"] },
      { id: "x/legal", requirements: ["SP-X-2"], conforming: true },
    ];
    const first = mergeKills(
      { generatedAt: null, byRequirement: {} },
      [
        { id: "x/a", caught: true, catching: ["x/case1"] },
        { id: "x/legal", caught: false, catching: [] },
      ],
      known,
      "2026-12-01T00:00:00.000Z",
    );
    expect(Object.keys(first.faults ?? {})).toEqual(["x/a"]);
    expect(first.byRequirement["SP-X-1"]).toEqual({
      listed: 2,
      caught: 1,
      uncaught: [],
      unmeasured: ["x/b"],
    });
    const second = mergeKills(
      first,
      [{ id: "x/b", caught: false, catching: [] }],
      known.filter((f) => f.id !== "x/c"),
      "2026-12-02T00:00:00.000Z",
    );
    expect(second.faults?.["x/a"]?.measuredAt).toBe("2026-12-01T00:00:00.000Z");
    expect(second.faults?.["x/b"]).toEqual({
      caught: false,
      catching: [],
      measuredAt: "2026-12-02T00:00:00.000Z",
    });
    expect(second.byRequirement["SP-X-1"]).toEqual({ listed: 2, caught: 1, uncaught: ["x/b"] });
    // x/c is not in today's fault set: its requirement counts only x/b.
    expect(second.byRequirement["SP-X-2"]).toEqual({ listed: 1, caught: 0, uncaught: ["x/b"] });
    expect(second.generatedAt).toBe("2026-12-02T00:00:00.000Z");
  });

  it("keeps entries of faults it does not know, and drops them when pruning (a full run)", () => {
    const old: FaultKills = {
      generatedAt: "t",
      byRequirement: {},
      faults: { "x/other": { caught: true, measuredAt: "t" } },
    };
    const kept = mergeKills(old, [], [], "u");
    expect(kept.faults).toEqual(old.faults);
    expect(kept.byRequirement).toEqual({});
    expect(mergeKills(old, [], [], "u", true).faults).toEqual({});
  });

  it("counts faults not run yet apart from survivors", () => {
    const cell = killsCell({ listed: 3, caught: 2, uncaught: [], unmeasured: ["x/b"] });
    expect(cell).toContain('class="fk"');
    expect(cell).toContain("2/3 faults killed (1 not run)");
    expect(cell).toContain("not run yet: x/b");
  });

  it("shows k/n in the appendix, marked when a fault survives", () => {
    expect(killsCell(undefined)).toBe("");
    expect(killsCell({ listed: 2, caught: 2, uncaught: [] })).toBe(
      '<span class="fk">2/2 faults killed</span>',
    );
    expect(killsCell({ listed: 2, caught: 1, uncaught: ["reqrep/b"] })).toContain(
      'class="fk miss" title="not killed: reqrep/b"',
    );
    const html = requirementsAppendix(
      new Map([["SP-REQREP-8", ["reqrep/x"]]]),
      requirementIndex(),
      (c) => `#${c}`,
      undefined,
      { "SP-REQREP-8": { listed: 3, caught: 2, uncaught: ["reqrep/b"] } },
    );
    expect(html).toContain("2/3 faults killed");
  });
});
