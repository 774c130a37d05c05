/**
 * The latest verdict of every case for every implementation, merged over all
 * `<reportsDir>/<dir>/results.json`. A run of a few cases (`--filter`, the
 * matrix of one family) must not hide the verdicts of a full run made
 * before it, so the merge is per case: for each implementation and case the
 * newest file that reports that case wins.
 *
 * @example
 * const v = loadVerdicts("reports/conformance", { order: ["reference", "nng", "nanomsg"] });
 * v.byCase.get("reqrep/req-resend-after-timer")?.nng; // "pass"
 *
 * A report older than a case's rename names the case by its old id; with
 * `aliases` (old id → new id, conformance/cases/aliases.ts) such a verdict
 * counts for the new id, and `reportedAs` keeps the old one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { type ImplementationRun, parseResults, type Verdict } from "../status/results.ts";

/** An implementation seen in the reports. */
export interface ReportedImplementation {
  readonly name: string;
  /** Version in the newest file that reports it. */
  readonly version: string;
  /** The newest file that reports it, relative to `root`. */
  readonly file: string;
  /** Every file that gave it at least one verdict, newest first, relative to `root`. */
  readonly files: readonly string[];
}

/** Merged verdicts. */
export interface Verdicts {
  /** Case id → implementation → verdict. */
  readonly byCase: ReadonlyMap<string, Readonly<Record<string, Verdict>>>;
  /** Case id → implementation → the old id under which the report named the case. */
  readonly reportedAs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly implementations: readonly ReportedImplementation[];
}

/** Options of {@link loadVerdicts}. */
export interface VerdictOptions {
  /** Implementations named here come first, in this order; the rest by name. */
  readonly order?: readonly string[];
  /** Paths in the result are relative to this folder (default: the working directory). */
  readonly root?: string;
  /** Renamed cases, old id → new id. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/**
 * Reads every results.json under `reportsDir` and merges them per case.
 * Unreadable files are skipped.
 */
export function loadVerdicts(reportsDir: string, opts: VerdictOptions = {}): Verdicts {
  const { order = [], root = ".", aliases = {} } = opts;
  const runs: ImplementationRun[] = [];
  if (existsSync(reportsDir)) {
    for (const dir of readdirSync(reportsDir).sort()) {
      const file = join(reportsDir, dir, "results.json");
      if (!existsSync(file)) continue;
      try {
        runs.push(...parseResults(readFileSync(file, "utf8"), file, statSync(file).mtimeMs));
      } catch {
        // A half-written or foreign file: leave it out.
      }
    }
  }
  // Oldest first, so that newer verdicts overwrite older ones. On equal
  // times, a file in the implementation's own folder counts as newer.
  const own = (r: ImplementationRun) => r.file.endsWith(join(r.name, "results.json"));
  runs.sort((a, b) => a.mtimeMs - b.mtimeMs || Number(own(a)) - Number(own(b)));
  const rel = (f: string) => relative(root, f).split("\\").join("/");

  const byCase = new Map<string, Record<string, Verdict>>();
  const reportedAs = new Map<string, Record<string, string>>();
  const latest = new Map<string, ImplementationRun>();
  /** Implementation → case id → the file its verdict came from. */
  const source = new Map<string, Map<string, string>>();
  for (const run of runs) {
    latest.set(run.name, run);
    const from = source.get(run.name) ?? new Map<string, string>();
    source.set(run.name, from);
    // A file may name a case by both ids (a run between two renames): the current id wins.
    const current = new Set(run.cases.map((c) => c.id));
    for (const c of run.cases) {
      const renamed = Object.hasOwn(aliases, c.id) ? aliases[c.id] : undefined;
      if (renamed !== undefined && current.has(renamed)) continue;
      const id = renamed ?? c.id;
      const v = byCase.get(id) ?? {};
      v[run.name] = c.verdict;
      byCase.set(id, v);
      const as = reportedAs.get(id) ?? {};
      if (renamed !== undefined) as[run.name] = c.id;
      else delete as[run.name];
      reportedAs.set(id, as);
      from.set(id, run.file);
    }
  }
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const names = [...latest.keys()].sort(
    (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const mtime = new Map(runs.map((r) => [r.file, r.mtimeMs]));
  const implementations = names.map((name) => {
    const run = latest.get(name) as ImplementationRun;
    const used = new Set(source.get(name)?.values() ?? []);
    const files = [...used].sort((a, b) => (mtime.get(b) ?? 0) - (mtime.get(a) ?? 0));
    return { name, version: run.version, file: rel(run.file), files: files.map(rel) };
  });
  for (const [id, as] of reportedAs) if (Object.keys(as).length === 0) reportedAs.delete(id);
  return { byCase, reportedAs, implementations };
}
