/** Scores, survivor extraction and ranking from a small hand-made Stryker JSON report. */
import { describe, expect, test } from "vitest";
import {
  coveredScore,
  type MutationReport,
  type ReportMutant,
  score,
  scoreTable,
  survivors,
  survivorsMarkdown,
  tallies,
  topSurvivors,
} from "./report.ts";

const source = [
  "export function f(msg: Buffer): number {", // 1
  "  // SP-PAIR-12: a message shorter than the header is dropped.", // 2
  "  if (msg.length < 4) return -1;", // 3
  '  if (msg[0] !== 0) throw new SPError("EPROTO", "bad header");', // 4
  '  count("rxOk");', // 5
  "  return msg.length;", // 6
  "}", // 7
].join("\n");

/** 1-based start and end columns of `text` on `line`. */
function cols(line: number, text: string): [number, number] {
  const at = (source.split("\n")[line - 1] ?? "").indexOf(text) + 1;
  return [at, at + text.length];
}

function m(
  id: string,
  status: string,
  mutatorName: string,
  line: number,
  col: number,
  endCol: number,
  replacement: string,
): ReportMutant {
  return {
    id,
    status,
    mutatorName,
    replacement,
    location: { start: { line, column: col }, end: { line, column: endCol } },
    coveredBy: status === "NoCoverage" ? [] : ["t1", "t2"],
  };
}

const report: MutationReport = {
  files: {
    "reference/protocol/x/x.ts": {
      source,
      mutants: [
        m("1", "Killed", "ConditionalExpression", 3, 7, 21, "false"),
        m("2", "Survived", "EqualityOperator", 3, 7, 21, "msg.length <= 4"),
        m("3", "Survived", "ConditionalExpression", 3, 7, 21, "true"),
        m("4", "Timeout", "BlockStatement", 1, 41, 42, "{}"),
        m("5", "Survived", "StringLiteral", 4, ...cols(4, '"bad header"'), '""'),
        m("6", "NoCoverage", "StringLiteral", 5, ...cols(5, '"rxOk"'), '""'),
        m("7", "Ignored", "StringLiteral", 4, ...cols(4, '"EPROTO"'), '""'),
        m("8", "RuntimeError", "ArithmeticOperator", 6, 10, 20, "msg.length - 1"),
      ],
    },
  },
};

describe("mutation report", () => {
  test("scores count killed and timed-out mutants over the valid ones", () => {
    const { total, files } = tallies(report);
    expect(total).toEqual({ killed: 1, timeout: 1, survived: 3, noCoverage: 1, invalid: 2 });
    expect(files).toHaveLength(1);
    expect(score(total)).toBeCloseTo((100 * 2) / 6);
    expect(coveredScore(total)).toBeCloseTo((100 * 2) / 5);
    expect(scoreTable(report)).toMatch(/all files\s+33\.3 %\s+40\.0 %/);
  });

  test("survivors carry the replaced text, the replacement and nearby requirement ids", () => {
    const all = survivors(report);
    expect(all.map((s) => s.line)).toEqual([3, 3, 4, 5]);
    const first = all[0];
    expect(first?.original).toBe("msg.length < 4");
    expect(first?.replacement).toBe("msg.length <= 4");
    expect(first?.requirements).toEqual(["SP-PAIR-12"]);
    expect(all[3]?.status).toBe("NoCoverage");
  });

  test("the shortlist prefers logic changes, keeps one per line and drops message texts", () => {
    const top = topSurvivors(survivors(report), 10);
    expect(top.map((s) => `${s.line}:${s.mutator}`)).toEqual([
      "3:EqualityOperator",
      "5:StringLiteral",
    ]);
    expect(topSurvivors(survivors(report), 10, 1)).toHaveLength(1);
  });

  test("the Markdown lists the score, the shortlist and every survivor", () => {
    const md = survivorsMarkdown(report, { scope: "test", durationS: 12, top: 5 });
    expect(md).toContain("Score 33.3 %");
    expect(md).toContain("| reference/protocol/x/x.ts:3:7 | EqualityOperator (Survived) |");
    expect(md).toContain("## All 4 survivors");
  });
});
