/** Per-requirement fault kill counts and their cell in the requirement appendix. */
import { describe, expect, it } from "vitest";
import { killsByRequirement, killsCell } from "./fault-kills.ts";
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
