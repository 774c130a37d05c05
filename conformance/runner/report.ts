/**
 * The results document (results.json, schema conformance/schema/results-1.json)
 * and the report writers: results.json, junit.xml (one testsuite per IUT) and
 * index.html (conformance/report/html.ts).
 *
 * junit mapping: fail → failure; flaky → failure of type `flaky`; a pass where
 * the expectations file says otherwise → failure of type `unexpected-pass`;
 * warn/info → passed testcase with system-out; unsupported and expected
 * failures → skipped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "xmlbuilder2";
import type { CaseKind, Verdict } from "../cases/types.ts";
import type { TranscriptEntry } from "../harness/transcript.ts";
import { renderHtml } from "../report/html.ts";
import type { Coverage } from "./coverage.ts";

/**
 * A verdict as reported: the IUT's verdict, or `flaky` when the suite itself
 * was not deterministic (a failure that passed when re-run alone, or a
 * verdict that changed between `--repeat` runs). `flaky` is a suite problem.
 */
export type ReportVerdict = Verdict | "flaky";

/** One case's result for one IUT. */
export interface CaseResult {
  verdict: ReportVerdict;
  /** From conformance/expectations/<iut>.json; `pass` when not listed. */
  expected: Verdict;
  durationMs: number;
  reason?: string;
  notes?: string[];
  /** Text transcript (non-pass verdicts, or every verdict with --keep-transcripts). */
  transcript?: string;
  /** The same transcript as entries, for the HTML report. */
  events?: TranscriptEntry[];
  stderr?: string;
  /** Verdict of each run, in order, when there was more than one (re-run or --repeat). */
  runs?: Verdict[];
}

/** One case row of results.json. */
export interface CaseRow {
  id: string;
  title: string;
  requirements: string[];
  kind: CaseKind;
  /** Machine transitions the case drives (for coverage after `merge`). */
  covers?: string[];
  /** One entry per IUT that ran (or skipped) the case, keyed by IUT name. */
  results: Record<string, CaseResult>;
}

/** The results.json document. */
export interface Results {
  schemaVersion: 1;
  iuts: { name: string; version: string }[];
  seed: number;
  cases: CaseRow[];
  coverage: Coverage;
  durationMs: number;
  /** How the run was made. */
  run?: {
    jobs: number;
    repeat: number;
    shard?: { index: number; count: number };
    /** Set by `merge`: the report directories that were merged. */
    mergedFrom?: string[];
    /** Every seed used (several after merging runs with different seeds). */
    seeds?: number[];
  };
  /** Totals, as printed on the last line. */
  summary?: Summary;
}

/** Counts over every (case, IUT) result. */
export interface Summary {
  passed: number;
  /** Unexpected fails + flaky + unexpected passes: anything that fails the run. */
  failed: number;
  unexpectedFail: number;
  flaky: number;
  unexpectedPass: number;
  byVerdict: Record<ReportVerdict, number>;
  /** Non-pass verdicts that match the expectations file. */
  expectedNonPass: number;
}

/**
 * Is this result a pass where the expectations file expects something else?
 * Property cases are exempt: they draw random inputs, so a pass does not
 * show that a known deviation is gone (the input that shows it may simply
 * not have come up).
 */
export function isUnexpectedPass(r: CaseResult, kind?: CaseKind): boolean {
  return (
    kind !== "property" &&
    r.verdict === "pass" &&
    r.expected !== "pass" &&
    r.expected !== "unsupported"
  );
}

/** Is this result an IUT failure the expectations file does not list? */
export function isUnexpectedFail(r: CaseResult): boolean {
  return r.verdict === "fail" && r.expected !== "fail";
}

/** Computes the totals of a results document. */
export function summarize(cases: readonly CaseRow[]): Summary {
  const byVerdict: Record<ReportVerdict, number> = {
    pass: 0,
    fail: 0,
    warn: 0,
    info: 0,
    unsupported: 0,
    flaky: 0,
  };
  let passed = 0;
  let unexpectedFail = 0;
  let unexpectedPass = 0;
  let expectedNonPass = 0;
  for (const row of cases) {
    for (const r of Object.values(row.results)) {
      byVerdict[r.verdict]++;
      if (r.verdict !== "pass" && r.verdict === r.expected) expectedNonPass++;
      if (isUnexpectedFail(r)) unexpectedFail++;
      else if (isUnexpectedPass(r, row.kind)) unexpectedPass++;
      else if (r.verdict === "flaky") {
        /* counted in byVerdict.flaky */
      } else if (r.verdict !== "unsupported" || r.expected === "unsupported") passed++;
    }
  }
  return {
    passed,
    failed: unexpectedFail + byVerdict.flaky + unexpectedPass,
    unexpectedFail,
    flaky: byVerdict.flaky,
    unexpectedPass,
    byVerdict,
    expectedNonPass,
  };
}

/** Writes results.json, junit.xml and index.html into `dir`. */
export function writeReports(dir: string, results: Results): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, "junit.xml"), junit(results));
  let html: string;
  try {
    html = renderHtml(results);
  } catch (e) {
    // A report bug must not hide the verdicts: results.json and junit.xml are written.
    const why = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(`could not render index.html: ${why}`);
    html = `<!doctype html><meta charset="utf-8"><title>SP conformance</title><p>The HTML report could not be rendered; see results.json.</p><pre>${why.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
  }
  writeFileSync(join(dir, "index.html"), html);
}

function details(r: CaseResult): string {
  const parts: string[] = [];
  if (r.reason) parts.push(r.reason);
  if (r.runs && r.runs.length > 1) parts.push(`verdicts of the runs: ${r.runs.join(", ")}`);
  if (r.notes?.length) parts.push(`notes:\n  ${r.notes.join("\n  ")}`);
  if (r.transcript) parts.push(`transcript:\n${r.transcript}`);
  if (r.stderr) parts.push(`IUT stderr:\n${r.stderr}`);
  return parts.join("\n\n");
}

/** Renders junit.xml: one testsuite per IUT. */
export function junit(results: Results): string {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", {
    name: "sp-conformance",
    time: (results.durationMs / 1000).toFixed(3),
  });
  for (const iut of results.iuts) {
    const rows = results.cases.flatMap((c) => {
      const r = c.results[iut.name];
      return r ? [{ c, r }] : [];
    });
    const failing = (r: CaseResult, kind: CaseKind) =>
      isUnexpectedFail(r) || r.verdict === "flaky" || isUnexpectedPass(r, kind);
    const failed = rows.filter(({ c, r }) => failing(r, c.kind));
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
      if (isUnexpectedFail(r)) {
        tc.ele("failure", { message: r.reason ?? "failed", type: "fail" }).txt(text);
      } else if (r.verdict === "flaky") {
        tc.ele("failure", {
          message: `flaky (a suite problem, not an IUT failure): ${r.reason ?? ""}`,
          type: "flaky",
        }).txt(text);
      } else if (isUnexpectedPass(r, c.kind)) {
        tc.ele("failure", {
          message: `passed, but expectations/${iut.name}.json expects ${r.expected}: update it`,
          type: "unexpected-pass",
        }).txt(text);
      } else if (r.verdict === "unsupported") {
        tc.ele("skipped", { message: `unsupported: ${r.reason ?? ""}` });
      } else if (r.verdict === "fail") {
        tc.ele("skipped", { message: `known failure (expectations): ${r.reason ?? ""}` });
        if (text) tc.ele("system-out").txt(text);
      } else if (r.verdict !== "pass" || r.expected !== "pass") {
        const head = r.verdict === r.expected ? r.verdict : `${r.verdict} (expected ${r.expected})`;
        tc.ele("system-out").txt(`${head}\n${text}`);
      }
    }
  }
  return root.end({ prettyPrint: true });
}
