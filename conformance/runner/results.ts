/**
 * The results document (results.json, schema conformance/schema/results-1.json)
 * and the verdict arithmetic shared by the runner, the console, junit.xml and
 * the HTML page. It imports no writer, so both conformance/runner/report.ts
 * and conformance/report/html.ts can depend on it without depending on each
 * other.
 */
import type { CaseKind, Verdict } from "../cases/types.ts";
import type { TranscriptEntry } from "../harness/transcript.ts";
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
  /** From the IUT's expectations file; `pass` when not listed. */
  expected: Verdict;
  /** The expectations file's written reason, when the case is listed there. */
  expectedReason?: string;
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
  iuts: {
    name: string;
    version: string;
    /** The IUT's host and the suite's host the run used (`--iut-host`, `--suite-host`). */
    hosts?: { iut: string; suite: string };
  }[];
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
  /**
   * Set when the run stopped early (an IUT could not be restarted; exit 3):
   * why. The cases that did not run have no results.
   */
  incomplete?: string;
}

/** Counts over every (case, IUT) result. */
export interface Summary {
  /** Results that passed as expected (warn, info and expected non-passes are not counted). */
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

/** Does this result fail the run (unexpected fail, flaky, unexpected pass)? */
export function failsRun(r: CaseResult, kind?: CaseKind): boolean {
  return isUnexpectedFail(r) || r.verdict === "flaky" || isUnexpectedPass(r, kind);
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
      else if (r.verdict === "pass") passed++;
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

/**
 * The last console line of a run or a merge. Its first five fields are
 * always there, in this order; `, K expected fail` follows only when some
 * failures are listed in the expectations. Parse it with
 * `/^conformance: (\d+) passed, (\d+) failed, (\d+) warn, (\d+) info, (\d+) unsupported/`.
 *
 * @example
 * lastLine(summarize(rows)); // "conformance: 200 passed, 0 failed, 3 warn, 5 info, 2 unsupported"
 */
export function lastLine(s: Summary): string {
  const v = s.byVerdict;
  const knownFail = v.fail - s.unexpectedFail;
  return (
    `conformance: ${s.passed} passed, ${s.failed} failed, ${v.warn} warn, ${v.info} info, ${v.unsupported} unsupported` +
    (knownFail > 0 ? `, ${knownFail} expected fail` : "")
  );
}
