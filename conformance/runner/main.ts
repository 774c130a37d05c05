/**
 * CLI of the conformance suite (the `sp-conformance` bin; `npm run conformance`
 * in this repository). See cli.ts for the options and the exit codes.
 *
 *   sp-conformance [--iut NAME|CMD]… [--iut-cat CLI]… [--iut-host HOST]
 *     [--suite-host HOST] [--jobs N] [--shard i/n]
 *     [--repeat N] [--report-dir DIR] [--seed N] [--replay PATH]
 *     [--filter GLOB]… [--expectations [IUT=]FILE]… [--keep-transcripts] [--list]
 *   sp-conformance merge DIR… [--report-dir DIR]
 *
 * Runs the cases against every IUT, prints the results (console.ts), writes
 * results.json, junit.xml and index.html, and exits 0 when every result is
 * as the expectations say, 1 when not, 2 on a usage error and 3 when an IUT
 * could not be started. The last line printed is results.ts `lastLine`:
 * `conformance: P passed, F failed, W warn, I info, U unsupported`.
 */
import { resolve } from "node:path";
import { projectRoot } from "../adapters/build.ts";
import { CatIut } from "../adapters/cat/cat.ts";
import { AdapterClient } from "../adapters/client.ts";
import { caseAliases } from "../cases/aliases.ts";
import { allCases } from "../cases/index.ts";
import type { ConformanceCase } from "../cases/types.ts";
import { LOOPBACK } from "../harness/hosts.ts";
import { caseFilter, formerIds, unmatchedPatterns } from "./case-ids.ts";
import { type Command, EXIT, parseCommandLine, USAGE, UsageError } from "./cli.ts";
import { consoleMode, RunConsole, recap } from "./console.ts";
import { computeCoverage } from "./coverage.ts";
import {
  type ExpectationsFile,
  expectedVerdict,
  loadExpectations,
  loadExpectationsFile,
} from "./expectations.ts";
import { HostError, resolveHosts } from "./hosts.ts";
import { resolveIut } from "./iuts.ts";
import { type IutSource, IutStartError, runMatrix, startIuts } from "./matrix.ts";
import { mergeResults, readResults } from "./merge.ts";
import { writeReports } from "./report.ts";
import {
  type CaseRow,
  isUnexpectedPass,
  lastLine,
  type Results,
  type Summary,
  summarize,
} from "./results.ts";
import { inShard } from "./shard.ts";

type RunCommand = Extract<Command, { kind: "run" }>;

/** The default report directory: under the current directory, never the package's. */
function defaultReportDir(leaf: string): string {
  return resolve(process.cwd(), "reports", "conformance", leaf);
}

/** Prints coverage, the recap and the last line; returns the exit status. */
function finish(
  results: Results,
  reportDir: string,
  summary: Summary,
  expectationPaths: string[],
): number {
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
  console.log(
    `expected non-pass: ${summary.expectedNonPass}, unexpected fail: ${summary.unexpectedFail}` +
      `, flaky: ${summary.flaky}, unexpected pass: ${summary.unexpectedPass}`,
  );
  const { color } = consoleMode(process.stdout, process.env);
  for (const line of recap(results, color)) console.log(line);
  if (summary.flaky > 0) {
    console.log("flaky cases are a problem of the suite (timing, shared state), not of the IUT");
  }
  if (summary.unexpectedPass > 0) {
    const where =
      expectationPaths.length > 0 ? expectationPaths.join(", ") : "the expectations files";
    console.log(`unexpected passes: remove or update their entries in ${where}`);
  }
  console.log(lastLine(summary));
  return summary.failed > 0 ? EXIT.failed : EXIT.ok;
}

async function merge(cmd: Extract<Command, { kind: "merge" }>): Promise<number> {
  const docs = cmd.dirs.map((d) => {
    try {
      return readResults(d);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e), false);
    }
  });
  const { results, warnings } = await mergeResults(docs, cmd.dirs);
  for (const w of warnings) console.log(`warning: ${w}`);
  const out = cmd.reportDir ?? defaultReportDir("merged");
  writeReports(out, results);
  console.log(
    `merged ${cmd.dirs.length} reports: ${results.cases.length} cases, IUTs ${results.iuts.map((i) => i.name).join(", ")}`,
  );
  return finish(results, out, results.summary ?? summarize(results.cases), []);
}

/** Reads a user's expectations file; a bad one is a usage error. */
function userExpectations(path: string, iut: string): ExpectationsFile {
  try {
    return loadExpectationsFile(path, iut);
  } catch (e) {
    throw new UsageError(`--expectations: ${e instanceof Error ? e.message : String(e)}`, false);
  }
}

/** Notes the entries of an expectations file that name no case. */
function staleEntries(file: ExpectationsFile, known: ReadonlySet<string>): string[] {
  return Object.keys(file.cases)
    .filter((id) => !known.has(id))
    .map((id) => `note: ${file.path}: ${id} names no case of this suite`);
}

async function run(cmd: RunCommand): Promise<number> {
  const filters = cmd.filters;
  const selected = caseFilter(filters, caseAliases);
  const shard = cmd.shard;
  const cases: ConformanceCase[] = allCases.filter(
    (c) => selected(c.id) && (shard === undefined || inShard(c.id, shard)),
  );
  if (cases.length > 0) {
    const ids = allCases.map((c) => c.id);
    for (const p of unmatchedPatterns(filters, ids, caseAliases)) {
      console.error(`warning: --filter '${p}' matches no case (see --list)`);
    }
  }
  if (cmd.list) {
    const former = formerIds(caseAliases);
    for (const c of cases) {
      const was = former.get(c.id);
      console.log(
        `${c.id.padEnd(44)} ${c.kind.padEnd(9)} ${c.requirements.join(",")}  ${c.title}${was ? `  (formerly ${was.join(", ")})` : ""}`,
      );
    }
    console.log(`${cases.length} cases`);
    return EXIT.ok;
  }
  if (cases.length === 0) {
    // An empty shard of the whole suite is not a mistake; a filter that selects nothing is.
    if (shard !== undefined && filters.length === 0) {
      console.log(`shard ${shard.index}/${shard.count} holds no case`);
      console.log(lastLine(summarize([])));
      return EXIT.ok;
    }
    const what = filters.map((f) => `--filter '${f}'`).join(" or ");
    throw new UsageError(
      `no case matches ${what}${shard ? ` in shard ${shard.index}/${shard.count}` : ""} (see --list)`,
      false,
    );
  }

  // User expectations files are checked before any IUT starts.
  const forAll = cmd.expectations.all;
  const userFiles = new Map(
    Object.entries(cmd.expectations.byIut).map(([iut, path]) => [iut, userExpectations(path, iut)]),
  );
  if (forAll !== undefined) userExpectations(forAll, "*");

  const seed = cmd.seed ?? (Math.random() * 2 ** 31) | 0;
  const started = performance.now();
  const sources: IutSource[] = [];
  for (const iut of cmd.iuts) {
    let r: Awaited<ReturnType<typeof resolveIut>>;
    try {
      r = await resolveIut(iut);
    } catch (e) {
      throw new IutStartError(iut, e instanceof Error ? e.message : String(e));
    }
    // A command of the user's runs where the user is; the built-in adapters
    // run from the package (they find tsx and their sources from there).
    const cwd = r.name === null ? process.cwd() : projectRoot;
    sources.push({
      label: iut,
      name: r.name,
      start: () => AdapterClient.start(r.command, { cwd }),
    });
  }
  for (const cli of cmd.catClis) {
    sources.push({ label: `cat ${cli}`, name: null, start: () => CatIut.start(cli) });
  }

  const startedIuts = await startIuts(sources);
  // Each IUT's hosts: the command line, else what its adapter declared.
  const hostArgs = {
    ...(cmd.iutHost !== undefined ? { iut: cmd.iutHost } : {}),
    ...(cmd.suiteHost !== undefined ? { suite: cmd.suiteHost } : {}),
  };
  try {
    for (const [i, started] of startedIuts.iuts.entries()) {
      started.hosts = await resolveHosts(hostArgs, startedIuts.first[i]?.info.host);
    }
  } catch (e) {
    await Promise.allSettled(startedIuts.first.map((i) => i.shutdown()));
    if (e instanceof HostError) throw new UsageError(e.message, false);
    throw e;
  }
  const names = startedIuts.iuts.map((i) => i.name);
  const strangers = [...userFiles.keys()].filter((n) => !names.includes(n));
  if (strangers.length > 0) {
    await Promise.allSettled(startedIuts.first.map((i) => i.shutdown()));
    throw new UsageError(
      `--expectations ${strangers[0]}=…: no IUT of this run is named ${strangers[0]} (the IUTs are ${names.join(", ")})`,
      false,
    );
  }
  const reportDir =
    cmd.reportDir ?? defaultReportDir(names.length === 1 ? (names[0] as string) : "matrix");
  const expectations = new Map<string, ExpectationsFile>(
    names.map((n) => [
      n,
      userFiles.get(n) ??
        (forAll !== undefined ? userExpectations(forAll, n) : loadExpectations(n)),
    ]),
  );
  const known = new Set([...allCases.map((c) => c.id)]);
  const paths = new Set<string>();
  for (const file of expectations.values()) {
    if (file.path === undefined || paths.has(file.path)) continue;
    paths.add(file.path);
    for (const line of [...(file.notes ?? []), ...staleEntries(file, known)]) console.log(line);
  }
  for (const i of startedIuts.iuts) {
    const file = expectations.get(i.name)?.path;
    const h = i.hosts;
    const where =
      h && (h.iut !== LOOPBACK || h.suite !== LOOPBACK)
        ? `; IUT host ${h.iut}, suite host ${h.suite}${h.local ? "" : " (ipc cases unsupported)"}`
        : "";
    console.log(
      `IUT ${i.name}: ${i.source.label} ${i.version}${file ? `; expectations ${file}` : ""}${where}`,
    );
  }
  console.log(
    `seed ${seed}; ${cases.length} cases; jobs ${cmd.jobs}${cmd.repeat > 1 ? `; repeat ${cmd.repeat}` : ""}${shard ? `; shard ${shard.index}/${shard.count}` : ""}`,
  );

  const con = new RunConsole(
    process.stdout,
    consoleMode(process.stdout, process.env),
    cases.length * names.length * cmd.repeat,
  );
  con.start();
  let byCase: Awaited<ReturnType<typeof runMatrix>>["results"];
  let stopped: Awaited<ReturnType<typeof runMatrix>>["stopped"];
  try {
    ({ results: byCase, stopped } = await runMatrix(cases, startedIuts, {
      jobs: cmd.jobs,
      repeat: cmd.repeat,
      seed,
      ...(cmd.replay !== undefined ? { replayPath: cmd.replay } : {}),
      keepTranscripts: cmd.keepTranscripts,
      expected: (iut, id) => expectedVerdict(expectations.get(iut) ?? { iut, cases: {} }, id),
      onResult: (e) => con.result(e),
      onRerun: (e) => con.rerun(e),
    }));
  } finally {
    con.stop();
  }

  const rows: CaseRow[] = cases.map((c) => ({
    id: c.id,
    title: c.title,
    requirements: c.requirements,
    kind: c.kind,
    ...(c.covers ? { covers: c.covers } : {}),
    results: Object.fromEntries(
      [...(byCase.get(c.id) ?? [])].map(([iut, r]) => {
        const listed = expectations.get(iut)?.cases[c.id];
        return [iut, listed ? { ...r, expectedReason: listed.reason } : r];
      }),
    ),
  }));
  const verdicts = new Map(rows.map((r) => [r.id, Object.values(r.results).map((x) => x.verdict)]));
  const coverage = await computeCoverage(cases, verdicts);
  const summary = summarize(rows);
  const results: Results = {
    schemaVersion: 1,
    iuts: startedIuts.iuts.map((i) => ({
      name: i.name,
      version: i.version,
      hosts: { iut: i.hosts?.iut ?? LOOPBACK, suite: i.hosts?.suite ?? LOOPBACK },
    })),
    seed,
    cases: rows,
    coverage,
    durationMs: Math.round(performance.now() - started),
    run: { jobs: cmd.jobs, repeat: cmd.repeat, ...(shard ? { shard } : {}), seeds: [seed] },
    summary,
    ...(stopped ? { incomplete: stopped.message } : {}),
  };
  writeReports(reportDir, results);
  if (stopped) {
    // Exit 3, but with the reports of what ran (marked incomplete).
    console.log(`reports of the cases that ran (incomplete): ${reportDir}`);
    throw stopped;
  }
  const withUnexpectedPass = [...expectations.entries()]
    .filter(([iut]) =>
      rows.some((r) => {
        const res = r.results[iut];
        return res !== undefined && isUnexpectedPass(res, r.kind);
      }),
    )
    .flatMap(([, f]) => (f.path ? [f.path] : []));
  return finish(results, reportDir, summary, [...new Set(withUnexpectedPass)]);
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCommandLine(argv, process.cwd());
  if (cmd.kind === "help") {
    console.log(USAGE);
    return EXIT.ok;
  }
  return cmd.kind === "merge" ? merge(cmd) : run(cmd);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`sp-conformance: ${e.message}`);
      if (e.showUsage) console.error(USAGE);
      process.exitCode = EXIT.usage;
    } else if (e instanceof IutStartError) {
      console.error(e.message);
      const what = e.died ? "died and could not be restarted" : "could not be started";
      console.log(`conformance: not completed: the IUT ${e.label} ${what}`);
      process.exitCode = EXIT.iut;
    } else {
      // A bug of the runner itself: the stack is what its maintainers need.
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      console.log("conformance: 0 passed, 1 failed, 0 warn, 0 info, 0 unsupported (runner error)");
      process.exitCode = EXIT.failed;
    }
  },
);
