/**
 * CLI of the conformance suite.
 *
 *   npm run conformance -- [--iut NAME|CMD]… [--iut-cat CLI]… [--jobs N]
 *     [--shard i/n] [--repeat N] [--report-dir DIR] [--seed N] [--replay PATH]
 *     [--filter GLOB] [--keep-transcripts] [--list]
 *   npm run conformance -- merge DIR… [--report-dir DIR]
 *
 * Runs the cases against every IUT, prints one line per (case, IUT), writes
 * results.json, junit.xml and index.html, and exits non-zero when a case
 * failed where the expectations file does not say so, when a case was flaky,
 * or when a case passed that the expectations file expects not to. The last
 * line printed is `conformance: N passed, M failed`.
 */
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../adapters/build.ts";
import { CatIut } from "../adapters/cat/cat.ts";
import { AdapterClient } from "../adapters/client.ts";
import { allCases } from "../cases/index.ts";
import type { ConformanceCase } from "../cases/types.ts";
import { computeCoverage } from "./coverage.ts";
import { type ExpectationsFile, expectedVerdict, loadExpectations } from "./expectations.ts";
import { resolveIut } from "./iuts.ts";
import { type IutSource, runMatrix, startIuts } from "./matrix.ts";
import { mergeResults, readResults } from "./merge.ts";
import { type CaseRow, type Results, type Summary, summarize, writeReports } from "./report.ts";
import { inShard, parseShard, type Shard } from "./shard.ts";

/**
 * Cases at once by default. Most cases spend their time waiting on timers and
 * peers, not on the CPU, so twice the cores (at most 4) keeps a 2-core box busy
 * without starving the IUT; a failed case is re-run alone anyway.
 */
const DEFAULT_JOBS = Math.min(4, 2 * availableParallelism());

const USAGE = `usage: npm run conformance -- [options]
       npm run conformance -- merge DIR... [--report-dir DIR]
  --iut NAME|CMD       reference (default), nng, nanomsg, or an adapter command line; repeatable
  --iut-cat CLI        an nngcat-compatible CLI driven in cat mode (e.g. nngcat); repeatable
  --jobs N             run N cases at once (default ${DEFAULT_JOBS}; 1 for the strictest timing)
  --shard i/n          run only the i-th of n deterministic slices of the cases (by case id)
  --repeat N           run everything N times; a verdict that changes is reported as flaky
  --report-dir DIR     where results.json, junit.xml and index.html go
                       (default reports/conformance/<iut>/, or reports/conformance/matrix/)
  --seed N             seed for generated inputs (default: random, printed)
  --replay PATH        fast-check counterexample path to replay (with --seed)
  --filter GLOB        run cases whose id matches (* within a segment, ** across; plain text = substring)
  --keep-transcripts   keep transcripts of passing cases too (for the HTML report)
  --list               list the cases and exit`;

/** Turns a --filter value into a predicate on case ids. */
function idMatcher(filter: string | undefined): (id: string) => boolean {
  if (!filter) return () => true;
  if (!/[*?]/.test(filter)) return (id) => id.includes(filter);
  const rx = filter
    .split(/(\*\*|\*|\?)/)
    .map((part) =>
      part === "**"
        ? ".*"
        : part === "*"
          ? "[^/]*"
          : part === "?"
            ? "."
            : part.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  const re = new RegExp(`^${rx}$`);
  return (id) => re.test(id);
}

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} wants a positive integer, got ${text}`);
  return n;
}

/** Prints coverage, totals and the last line; returns the exit status. */
function finish(results: Results, reportDir: string, summary: Summary): number {
  const { coverage } = results;
  for (const id of coverage.unknownTransitions ?? []) {
    console.log(`note: a case covers ${id}, which no machine in spec/machines defines`);
  }
  for (const id of coverage.requirements.unknown ?? []) {
    console.log(`note: a case names ${id}, which spec/requirements.json does not define`);
  }
  const rq = coverage.requirements;
  console.log(
    rq.note ??
      `requirements: ${rq.mustCovered}/${rq.mustTotal} MUST covered, ${rq.total - rq.uncovered.length}/${rq.total} in all`,
  );
  console.log(`reports: ${reportDir} (index.html, results.json, junit.xml)`);
  const v = summary.byVerdict;
  console.log(
    `warn: ${v.warn}, info: ${v.info}, unsupported: ${v.unsupported}, expected non-pass: ${summary.expectedNonPass}` +
      `, unexpected fail: ${summary.unexpectedFail}, flaky: ${summary.flaky}, unexpected pass: ${summary.unexpectedPass}`,
  );
  if (summary.flaky > 0) {
    for (const row of results.cases) {
      for (const [iut, r] of Object.entries(row.results)) {
        if (r.verdict === "flaky")
          console.log(`flaky: ${iut} ${row.id} (${(r.runs ?? []).join(", ")})`);
      }
    }
    console.log("flaky cases are a problem of the suite (timing, shared state), not of the IUT");
  }
  if (summary.unexpectedPass > 0) {
    console.log("unexpected passes: remove or update the entries in conformance/expectations/");
  }
  console.log(`conformance: ${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed > 0 ? 1 : 0;
}

async function merge(dirs: string[], reportDir: string | undefined): Promise<number> {
  if (dirs.length === 0) throw new Error("merge wants at least one report directory");
  const { results, warnings } = await mergeResults(
    dirs.map((d) => readResults(resolve(d))),
    dirs,
  );
  for (const w of warnings) console.log(`warning: ${w}`);
  const out = resolve(reportDir ?? join(projectRoot, "reports", "conformance", "merged"));
  writeReports(out, results);
  console.log(
    `merged ${dirs.length} reports: ${results.cases.length} cases, IUTs ${results.iuts.map((i) => i.name).join(", ")}`,
  );
  return finish(results, out, results.summary ?? summarize(results.cases));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      iut: { type: "string", multiple: true },
      "iut-cat": { type: "string", multiple: true },
      jobs: { type: "string" },
      shard: { type: "string" },
      repeat: { type: "string" },
      "report-dir": { type: "string" },
      seed: { type: "string" },
      replay: { type: "string" },
      filter: { type: "string" },
      "keep-transcripts": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === "merge") return merge(positionals.slice(1), values["report-dir"]);
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}\n${USAGE}`);

  const jobs = positiveInt(values.jobs, "--jobs", DEFAULT_JOBS);
  const repeat = positiveInt(values.repeat, "--repeat", 1);
  const shard: Shard | undefined = values.shard ? parseShard(values.shard) : undefined;
  const match = idMatcher(values.filter);
  const cases: ConformanceCase[] = allCases.filter(
    (c) => match(c.id) && (shard === undefined || inShard(c.id, shard)),
  );
  if (values.list) {
    for (const c of cases)
      console.log(`${c.id.padEnd(44)} ${c.kind.padEnd(9)} ${c.requirements.join(",")}  ${c.title}`);
    console.log(`${cases.length} cases`);
    return 0;
  }
  if (cases.length === 0) {
    console.error(
      `no case matches${values.filter ? ` --filter ${values.filter}` : ""}${shard ? ` in shard ${shard.index}/${shard.count}` : ""}`,
    );
    console.log("conformance: 0 passed, 0 failed");
    return shard !== undefined && !values.filter ? 0 : 2;
  }
  const seed =
    values.seed !== undefined ? Number.parseInt(values.seed, 10) : (Math.random() * 2 ** 31) | 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

  const started = performance.now();
  const sources: IutSource[] = [];
  const asked = values.iut ?? (values["iut-cat"] ? [] : ["reference"]);
  for (const iut of asked) {
    const r = await resolveIut(iut);
    sources.push({
      label: iut,
      name: r.name,
      start: () => AdapterClient.start(r.command, { cwd: projectRoot }),
    });
  }
  for (const cli of values["iut-cat"] ?? []) {
    sources.push({ label: `cat ${cli}`, name: null, start: () => CatIut.start(cli) });
  }

  let startedIuts: Awaited<ReturnType<typeof startIuts>>;
  try {
    startedIuts = await startIuts(sources);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    console.log(`conformance: 0 passed, ${cases.length * sources.length} failed`);
    return 1;
  }
  const names = startedIuts.iuts.map((i) => i.name);
  const reportDir = values["report-dir"]
    ? resolve(values["report-dir"])
    : join(
        projectRoot,
        "reports",
        "conformance",
        names.length === 1 ? (names[0] as string) : "matrix",
      );
  const expectations = new Map<string, ExpectationsFile>(
    names.map((n) => [n, loadExpectations(n)]),
  );
  for (const i of startedIuts.iuts) {
    console.log(`IUT ${i.name}: ${i.source.label} ${i.version}`);
  }
  console.log(
    `seed ${seed}; ${cases.length} cases; jobs ${jobs}${repeat > 1 ? `; repeat ${repeat}` : ""}${shard ? `; shard ${shard.index}/${shard.count}` : ""}`,
  );

  const { results: byCase } = await runMatrix(cases, startedIuts, {
    jobs,
    repeat,
    seed,
    ...(values.replay !== undefined ? { replayPath: values.replay } : {}),
    keepTranscripts: values["keep-transcripts"] === true,
    expected: (iut, id) => expectedVerdict(expectations.get(iut) ?? { iut, cases: {} }, id),
    log: (line) => console.log(line),
  });

  const rows: CaseRow[] = cases.map((c) => ({
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    kind: c.kind,
    ...(c.covers ? { covers: c.covers } : {}),
    results: Object.fromEntries(byCase.get(c.id) ?? []),
  }));
  const verdicts = new Map(rows.map((r) => [r.id, Object.values(r.results).map((x) => x.verdict)]));
  const coverage = await computeCoverage(cases, verdicts);
  const summary = summarize(rows);
  const results: Results = {
    schemaVersion: 1,
    iuts: startedIuts.iuts.map((i) => ({ name: i.name, version: i.version })),
    seed,
    cases: rows,
    coverage,
    durationMs: Math.round(performance.now() - started),
    run: { jobs, repeat, ...(shard ? { shard } : {}), seeds: [seed] },
    summary,
  };
  writeReports(reportDir, results);
  return finish(results, reportDir, summary);
}

// A case that fails early may leave an IUT call it never awaited; its
// rejection must not end the run (the case's verdict already says what happened).
process.on("unhandledRejection", (e) => {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`note: an IUT call failed before its case awaited it: ${what}`);
});
process.on("rejectionHandled", () => {
  /* the case awaited it after all; nothing to add */
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    console.log("conformance: 0 passed, 1 failed");
    process.exitCode = 1;
  },
);
