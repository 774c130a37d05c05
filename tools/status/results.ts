/**
 * Reads conformance results (`<reportsDir>/<dir>/results.json`, as written by
 * `npm run conformance`) into one row per implementation under test.
 *
 * @example
 * const runs = loadResults("reports/conformance");
 * for (const r of runs) console.log(r.name, r.version, r.cases.length);
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Verdicts a case can get (conformance/cases/types.ts). */
export type Verdict = "pass" | "fail" | "warn" | "info" | "unsupported";

/** One case's outcome for one implementation. */
export interface CaseOutcome {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  readonly verdict: Verdict;
  /** What the expectations file predicted (`pass` unless a deviation is recorded). */
  readonly expected: string;
  /** The case's own account of its verdict. */
  readonly reason: string | null;
  /** Why the expectations file lists the case for this implementation (prose by a person). */
  readonly expectedReason: string | null;
}

/** The results of one implementation, from one results.json. */
export interface ImplementationRun {
  readonly name: string;
  readonly version: string;
  /** The results.json it came from. */
  readonly file: string;
  readonly mtimeMs: number;
  readonly cases: readonly CaseOutcome[];
}

interface RawResults {
  iuts?: { name?: string; version?: string }[];
  cases?: {
    id?: string;
    title?: string;
    requirements?: string[];
    results?: Record<
      string,
      { verdict?: string; expected?: string; reason?: string; expectedReason?: string }
    >;
  }[];
}

const VERDICTS = new Set(["pass", "fail", "warn", "info", "unsupported"]);

/** Parses one results.json text; one run per IUT it names. */
export function parseResults(text: string, file: string, mtimeMs = 0): ImplementationRun[] {
  const raw = JSON.parse(text) as RawResults;
  const runs: ImplementationRun[] = [];
  for (const iut of raw.iuts ?? []) {
    const name = iut.name ?? "";
    if (name === "") continue;
    const cases: CaseOutcome[] = [];
    for (const c of raw.cases ?? []) {
      const r = c.results?.[name];
      if (!c.id || !r || !VERDICTS.has(r.verdict ?? "")) continue;
      cases.push({
        id: c.id,
        title: c.title ?? "",
        requirements: c.requirements ?? [],
        verdict: r.verdict as Verdict,
        expected: r.expected ?? "pass",
        reason: r.reason?.trim() ? r.reason.trim() : null,
        expectedReason: r.expectedReason?.trim() ? r.expectedReason.trim() : null,
      });
    }
    runs.push({ name, version: iut.version ?? "unknown", file, mtimeMs, cases });
  }
  return runs;
}

/**
 * Loads every `<reportsDir>/<dir>/results.json`. When several files report
 * the same implementation, the newest file wins. Runs are sorted by `order`
 * (names listed there first, in that order), then by name. With `only`, other
 * implementations are left out.
 */
export function loadResults(
  reportsDir: string,
  opts: { order?: readonly string[]; only?: readonly string[] } = {},
): ImplementationRun[] {
  if (!existsSync(reportsDir)) return [];
  const byName = new Map<string, ImplementationRun>();
  for (const dir of readdirSync(reportsDir).sort()) {
    const file = join(reportsDir, dir, "results.json");
    if (!existsSync(file)) continue;
    let runs: ImplementationRun[];
    try {
      runs = parseResults(readFileSync(file, "utf8"), file, statSync(file).mtimeMs);
    } catch {
      continue;
    }
    for (const run of runs) {
      if (opts.only && !opts.only.includes(run.name)) continue;
      const prev = byName.get(run.name);
      if (!prev || run.mtimeMs > prev.mtimeMs) byName.set(run.name, run);
    }
  }
  const order = opts.order ?? [];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  return [...byName.values()].sort(
    (a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/**
 * Takes the reasons of known deviations from the expectations files as they
 * are now (`<dir>/<implementation>.json`, `{ cases: { id: { verdict, reason } } }`),
 * so that a reworded reason reaches the drafts without a new conformance run.
 * A case keeps the reason of its run when the file no longer lists it with
 * the verdict the run expected.
 *
 * @example
 * const runs = withCurrentReasons(loadResults("reports/conformance"), "conformance/expectations");
 */
export function withCurrentReasons(
  runs: readonly ImplementationRun[],
  dir: string,
): ImplementationRun[] {
  return runs.map((run) => {
    const file = join(dir, `${run.name}.json`);
    if (!existsSync(file)) return run;
    const listed =
      (
        JSON.parse(readFileSync(file, "utf8")) as {
          cases?: Record<string, { verdict?: string; reason?: string }>;
        }
      ).cases ?? {};
    const cases = run.cases.map((c) => {
      const e = listed[c.id];
      const reason = e?.reason?.trim();
      return e?.verdict === c.expected && reason ? { ...c, expectedReason: reason } : c;
    });
    return { ...run, cases };
  });
}
