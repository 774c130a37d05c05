/** The equivalents list: matching by source text, scores with and without it, wrong entries reported. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { type EquivalentEntry, matchEquivalents, parseEquivalents } from "./equivalents.ts";
import {
  type MutationReport,
  openSurvivors,
  type ReportMutant,
  scoreAside,
  survivorsMarkdown,
  tallies,
} from "./report.ts";

const FILE = "reference/protocol/x/x.ts";
const source = [
  "export function f(id: number): number {", // 1
  "  if (id === -1) return 0;", // 2
  "  return id + 1;", // 3
  "}", // 4
].join("\n");

function mutant(
  id: string,
  status: string,
  line: number,
  text: string,
  repl: string,
): ReportMutant {
  const col = (source.split("\n")[line - 1] ?? "").indexOf(text) + 1;
  return {
    id,
    status,
    mutatorName: "UnaryOperator",
    replacement: repl,
    location: { start: { line, column: col }, end: { line, column: col + text.length } },
  };
}

function reportWith(...mutants: ReportMutant[]): MutationReport {
  return { files: { [FILE]: { source, mutants } } };
}

const entry: EquivalentEntry = {
  file: FILE,
  line: 2,
  mutator: "UnaryOperator",
  original: "-1",
  replacement: "+1",
  source: "if (id === -1) return 0;",
  reason: "ids are never +1 or -1, so the test never holds either way",
};

describe("equivalent mutants", () => {
  test("a listed survivor is matched by its source line, not its line number", () => {
    const moved = { files: { [FILE]: { source: `// a new first line\n${source}`, mutants: [] } } };
    const m = mutant("1", "Survived", 2, "-1", "+1");
    m.location.start.line = 3;
    m.location.end.line = 3;
    moved.files[FILE].mutants = [m] as never[];
    const match = matchEquivalents(moved, [entry]);
    expect([...match.equivalent]).toEqual(["1"]);
    expect(match.stale).toEqual([]);
  });

  test("the score aside leaves listed survivors out; the plain score keeps them", () => {
    const report = reportWith(
      mutant("1", "Survived", 2, "-1", "+1"),
      mutant("2", "Killed", 3, "+", "-"),
      mutant("3", "Survived", 3, "1", "0"),
    );
    const match = matchEquivalents(report, [entry]);
    const { total } = tallies(report);
    expect(scoreAside(total, match.equivalent.size)).toBeCloseTo(50);
    const eq = { list: [entry], match, path: "equivalent.json" };
    expect(openSurvivors(report, eq).map((s) => s.id)).toEqual(["3"]);
    const md = survivorsMarkdown(report, { scope: "test", top: 3 }, eq);
    expect(md).toContain("Score 33.3 %");
    expect(md).toContain("Equivalents aside: 50.0 %");
    expect(md).toContain("## Listed as equivalent (1)");
    expect(md).toContain(entry.reason);
  });

  test("an entry whose mutant was killed, or that matches nothing, is reported", () => {
    const killed = matchEquivalents(reportWith(mutant("1", "Killed", 2, "-1", "+1")), [entry]);
    expect(killed.detected).toEqual([entry]);
    expect(killed.equivalent.size).toBe(0);
    const gone = matchEquivalents(reportWith(mutant("1", "Survived", 3, "1", "0")), [entry]);
    expect(gone.stale).toEqual([entry]);
    const md = survivorsMarkdown(
      reportWith(mutant("1", "Killed", 2, "-1", "+1")),
      { scope: "t", top: 1 },
      { list: [entry], match: killed, path: "e.json" },
    );
    expect(md).toContain("Listed as equivalent, yet detected");
  });

  test("files not mutated in the run are neither matched nor stale", () => {
    const other = { ...entry, file: "reference/protocol/y/y.ts" };
    const match = matchEquivalents(reportWith(), [other]);
    expect(match.stale).toEqual([]);
  });

  test("the checked-in list parses, and every entry gives a reason", () => {
    const list = parseEquivalents(
      JSON.parse(readFileSync(new URL("./equivalent.json", import.meta.url), "utf8")),
    );
    expect(list.length).toBeGreaterThan(0);
    for (const e of list) expect(e.reason.length).toBeGreaterThanOrEqual(20);
    expect(() => parseEquivalents([{ ...entry, reason: "same" }])).toThrow(/reason/);
  });
});
