/** The console lines, summary line and markdown of a fault run; the worker output's reading. */
import { describe, expect, test } from "vitest";
import { parseArgs } from "./cli.ts";
import { consoleLines, type FaultResult, markdown, summaryLine } from "./report.ts";
import { catches, familyOf, parseLines } from "./verdicts.ts";

const result = (over: Partial<FaultResult>): FaultResult => ({
  id: "reqrep/a",
  requirements: ["SP-REQREP-8"],
  description: "a bug",
  observe: "the resend gap",
  families: ["reqrep"],
  caught: false,
  catching: [],
  intermittent: [],
  casesRun: 45,
  durationMs: 20400,
  ...over,
});

const caught = result({
  id: "pubsub/b",
  requirements: ["SP-PUBSUB-3"],
  caught: true,
  catching: [{ id: "pubsub/x", expected: "pass", verdict: "fail", reason: "a | b" }],
});

describe("report", () => {
  test("summary line", () => {
    expect(summaryLine([caught, result({})])).toBe("faults: 1 caught, 1 uncaught of 2");
  });

  test("a legal variant passes when nothing caught it and fails when a case did", () => {
    const legal = result({ id: "pair/legal-x", conforming: true });
    const falsely = { ...caught, id: "pair/legal-y", conforming: true };
    expect(summaryLine([caught, legal, falsely])).toBe(
      "faults: 1 caught, 0 uncaught of 1; legal variants: 1 passed, 1 falsely failed of 2",
    );
    expect(consoleLines(legal)[0]).toMatch(/^legal ok pair\/legal-x/);
    expect(consoleLines(falsely)[0]).toMatch(/^FALSE FAIL pair\/legal-y/);
    expect(markdown({ generatedAt: "t", durationMs: 1, jobs: 1, results: [falsely] })).toContain(
      "## Legal variants failed by the suite",
    );
  });

  test("console lines name the fault, its requirements and the catching cases", () => {
    expect(consoleLines(caught)).toEqual([
      "caught   pubsub/b [SP-PUBSUB-3] (45 cases, 20 s)",
      "    by pubsub/x",
    ]);
    const lines = consoleLines(result({ intermittent: ["reqrep/y"] }));
    expect(lines[0]).toBe("UNCAUGHT reqrep/a [SP-REQREP-8] (45 cases, 20 s)");
    expect(lines).toContain("    once only: reqrep/y");
    expect(lines).toContain("    would need: the resend gap");
  });

  test("long lists of catching cases are cut", () => {
    const many = Array.from({ length: 9 }, (_, i) => ({
      id: `c/${i}`,
      expected: "pass" as const,
      verdict: "fail" as const,
    }));
    expect(consoleLines(result({ caught: true, catching: many }))[1]).toMatch(/c\/5 \+3 more$/);
  });

  test("markdown lists uncaught faults first and escapes table cells", () => {
    const md = markdown({
      generatedAt: "t",
      durationMs: 61000,
      jobs: 2,
      results: [caught, result({})],
    });
    expect(md).toContain("faults: 1 caught, 1 uncaught of 2; run took 61 s with 2 job(s)");
    expect(md.indexOf("### reqrep/a")).toBeLessThan(md.indexOf("## All faults"));
    expect(md).not.toContain("### pubsub/b");
    expect(md).toContain("| reqrep/a | SP-REQREP-8 | **no** | - | 20 s |");
    expect(md).toContain("| pubsub/b | SP-PUBSUB-3 | yes | pubsub/x | 20 s |");
  });
});

describe("verdicts", () => {
  test("a case catches only when its rerun deviates too", () => {
    const lines = parseLines(
      [
        '{"id":"a/1","expected":"pass","verdict":"pass"}',
        '{"id":"a/2","expected":"pass","verdict":"fail","rerun":"fail","reason":"r"}',
        '{"id":"a/3","expected":"pass","verdict":"fail","rerun":"pass"}',
        '{"id":"a/4","expected":"pass","verd', // torn by a kill
      ].join("\n"),
    );
    expect(lines.map((l) => l.id)).toEqual(["a/1", "a/2", "a/3"]);
    const c = catches(lines);
    expect(c.caught).toEqual([{ id: "a/2", expected: "pass", verdict: "fail", reason: "r" }]);
    expect(c.intermittent).toEqual(["a/3"]);
    expect(familyOf("reqrep/x")).toBe("reqrep");
  });

  test("a case the in-process IUT cannot run (unsupported) catches nothing", () => {
    const lines = parseLines(
      '{"id":"inproc/two-iuts","expected":"pass","verdict":"unsupported","rerun":"unsupported"}',
    );
    expect(catches(lines)).toEqual({ caught: [], intermittent: [] });
  });
});

describe("cli", () => {
  test("options", () => {
    const a = parseArgs(["--fault", "a/b", "--fault", "c/d", "--jobs", "1", "--allow-uncaught"]);
    expect(a).toMatchObject({ faults: ["a/b", "c/d"], jobs: 1, allowUncaught: true, list: false });
    expect(parseArgs([]).jobs).toBe(2);
    expect(() => parseArgs(["--jobs", "0"])).toThrow(/--jobs/);
    expect(() => parseArgs(["--nope"])).toThrow(/unknown argument/);
    expect(() => parseArgs(["--fault"])).toThrow(/needs a value/);
  });
});
