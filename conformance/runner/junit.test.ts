import { describe, expect, it } from "vitest";
import { junit } from "./report.ts";
import { type Results, summarize } from "./results.ts";

function results(title: string, version: string, requirements: string[]): Results {
  const cases: Results["cases"] = [
    {
      id: "reqrep/some-case",
      title,
      requirements,
      kind: "example",
      results: {
        nng: { verdict: "fail", expected: "pass", durationMs: 12, reason: "no reply\nmore" },
      },
    },
  ];
  return {
    schemaVersion: 1,
    iuts: [{ name: "nng", version }],
    seed: 1,
    cases,
    coverage: {
      requirements: { total: 0, mustTotal: 0, mustCovered: 0, uncovered: [] },
      machines: {},
    },
    durationMs: 12,
    summary: summarize(cases),
  };
}

/** (suite name, classname, name) of every testcase: what CI tools key history on. */
function identities(xml: string): string[] {
  const suite = /<testsuite name="([^"]*)"/.exec(xml)?.[1];
  return [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map(
    (m) => `${suite}|${m[1]}|${m[2]}`,
  );
}

describe("junit.xml", () => {
  it("names a testcase by the case id alone and puts the rest in properties", () => {
    const xml = junit(results("REQ resends", "1.5.2", ["SP-REQREP-3"]));
    expect(identities(xml)).toEqual(["nng|nng|reqrep/some-case"]);
    expect(xml).toContain('<property name="title" value="REQ resends"/>');
    expect(xml).toContain('<property name="requirements" value="SP-REQREP-3"/>');
    expect(xml).toContain('<property name="verdict" value="fail"/>');
    expect(xml).toContain('<property name="reason" value="no reply"/>');
    expect(xml).toContain('<property name="iut.version" value="1.5.2"/>');
    expect(xml).toContain('type="fail"');
  });

  it("keeps suite, classname and name when the title, requirements or version change", () => {
    const before = junit(results("REQ resends", "1.5.2", ["SP-REQREP-3"]));
    const after = junit(results("REQ resends after the resend time", "1.6.0", ["SP-REQREP-4"]));
    expect(after).not.toEqual(before);
    expect(after).toContain('value="REQ resends after the resend time"');
    expect(identities(after)).toEqual(identities(before));
  });
});
