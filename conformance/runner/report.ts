/**
 * Report writers: results.json (versioned, see {@link Results}) and
 * junit.xml (fail → failure with message and transcript, warn/info → passed
 * testcase with system-out, unsupported and expected failures → skipped).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "xmlbuilder2";
import type { CaseKind, Verdict } from "../cases/types.ts";
import type { Coverage } from "./coverage.ts";

/** One case's result for one IUT. */
export interface CaseResult {
  verdict: Verdict;
  expected: Verdict;
  durationMs: number;
  reason?: string;
  notes?: string[];
  transcript?: string;
  stderr?: string;
}

/** The results.json document. */
export interface Results {
  schemaVersion: 1;
  iuts: { name: string; version: string }[];
  seed: number;
  cases: {
    id: string;
    title: string;
    requirements: string[];
    kind: CaseKind;
    results: Record<string, CaseResult>;
  }[];
  coverage: Coverage;
  durationMs: number;
}

/** Writes results.json and junit.xml into `dir`. */
export function writeReports(dir: string, results: Results): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junit(results));
}

function details(r: CaseResult): string {
  const parts: string[] = [];
  if (r.reason) parts.push(r.reason);
  if (r.notes?.length) parts.push(`notes:\n  ${r.notes.join("\n  ")}`);
  if (r.transcript) parts.push(`transcript:\n${r.transcript}`);
  if (r.stderr) parts.push(`IUT stderr:\n${r.stderr}`);
  return parts.join("\n\n");
}

function junit(results: Results): string {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: "sp-conformance",
    time: (results.durationMs / 1000).toFixed(3),
  });
  for (const iut of results.iuts) {
    const rows = results.cases.flatMap((c) => {
      const r = c.results[iut.name];
      return r ? [{ c, r }] : [];
    });
    const failed = rows.filter(({ r }) => r.verdict === "fail" && r.expected !== "fail");
    const skipped = rows.filter(
      ({ r }) => r.verdict === "unsupported" || (r.verdict === "fail" && r.expected === "fail"),
    );
    const suite = root.ele("testsuite", {
      name: `${iut.name} ${iut.version}`,
      tests: rows.length,
      failures: failed.length,
      errors: 0,
      skipped: skipped.length,
      time: (rows.reduce((n, { r }) => n + r.durationMs, 0) / 1000).toFixed(3),
    });
    for (const { c, r } of rows) {
      const tc = suite.ele("testcase", {
        classname: `${iut.name}.${c.id.split("/")[0]}`,
        name: `${c.id}: ${c.title} [${c.requirements.join(", ")}]`,
        time: (r.durationMs / 1000).toFixed(3),
      });
      const text = details(r);
      if (r.verdict === "fail" && r.expected !== "fail") {
        tc.ele("failure", { message: r.reason ?? "failed", type: "fail" }).txt(text);
      } else if (r.verdict === "unsupported") {
        tc.ele("skipped", { message: `unsupported: ${r.reason ?? ""}` });
      } else if (r.verdict === "fail") {
        tc.ele("skipped", { message: `known failure (expectations): ${r.reason ?? ""}` });
        if (text) tc.ele("system-out").txt(text);
      } else if (r.verdict !== "pass" || r.expected !== "pass") {
        // warn/info, or an unexpected pass: passed, with the story in system-out.
        const head = r.verdict === r.expected ? r.verdict : `${r.verdict} (expected ${r.expected})`;
        tc.ele("system-out").txt(`${head}\n${text}`);
      }
    }
  }
  return root.end({ prettyPrint: true });
}
