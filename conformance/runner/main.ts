/**
 * CLI: `npm run conformance -- --iut <reference|nng|"adapter command">
 *   [--report-dir DIR] [--seed N] [--replay PATH] [--filter GLOB] [--list]`
 *
 * Runs the cases sequentially against one IUT, prints one line per case,
 * writes results.json and junit.xml, and exits non-zero iff a case failed
 * (or the IUT died) where its expectations file does not say so. The last
 * line printed is `conformance: N passed, M failed`.
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectRoot } from "../adapters/build.ts";
import { AdapterClient } from "../adapters/client.ts";
import { allCases } from "../cases/index.ts";
import type { ConformanceCase, Verdict } from "../cases/types.ts";
import { computeCoverage } from "./coverage.ts";
import { executeCase } from "./execute.ts";
import { expectedVerdict, loadExpectations } from "./expectations.ts";
import { resolveIut } from "./iuts.ts";
import { type CaseResult, type Results, writeReports } from "./report.ts";

const USAGE = `usage: npm run conformance -- [options]
  --iut NAME|CMD     reference (default), nng, or an adapter command line
  --report-dir DIR   where results.json and junit.xml go (default reports/conformance/<iut>/)
  --seed N           seed for generated inputs (default: random, printed)
  --replay PATH      fast-check counterexample path to replay (with --seed)
  --filter GLOB      run cases whose id matches (* within a segment, ** across; plain text = substring)
  --list             list the cases and exit`;

const LABEL: Record<Verdict, string> = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  info: "INFO",
  unsupported: "UNSUP",
};

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

function tail(text: string, lines: number): string {
  const all = text.split("\n");
  return (all.length > lines ? [`… (${all.length - lines} earlier lines in results.json)`] : [])
    .concat(all.slice(-lines))
    .join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      iut: { type: "string", default: "reference" },
      "report-dir": { type: "string" },
      seed: { type: "string" },
      replay: { type: "string" },
      filter: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const match = idMatcher(values.filter);
  const cases: ConformanceCase[] = allCases.filter((c) => match(c.id));
  if (values.list) {
    for (const c of cases)
      console.log(`${c.id.padEnd(44)} ${c.kind.padEnd(9)} ${c.requirements.join(",")}  ${c.title}`);
    console.log(`${cases.length} cases`);
    return 0;
  }
  if (cases.length === 0) {
    console.error(`no case matches --filter ${values.filter}`);
    console.log("conformance: 0 passed, 0 failed");
    return 2;
  }
  const seed =
    values.seed !== undefined ? Number.parseInt(values.seed, 10) : (Math.random() * 2 ** 31) | 0;
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

  const started = performance.now();
  const resolved = await resolveIut(values.iut ?? "reference");
  let client: AdapterClient;
  try {
    client = await AdapterClient.start(resolved.command, { cwd: projectRoot });
  } catch (e) {
    console.error(`could not start the IUT adapter: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof Error && "stderr" in e)
      console.error(String((e as { stderr: string }).stderr));
    console.log(`conformance: 0 passed, ${cases.length} failed`);
    return 1;
  }
  const name = resolved.name ?? (client.info.name.replace(/[^\w.-]+/g, "-") || "custom");
  const reportDir = values["report-dir"]
    ? resolve(values["report-dir"])
    : join(projectRoot, "reports", "conformance", name);
  const expectations = loadExpectations(name);
  console.log(`IUT ${name}: ${client.info.name} ${client.info.version}; seed ${seed}`);

  const tty = process.stdout.isTTY === true;
  const resultRows: Results["cases"] = [];
  const verdicts = new Map<string, Verdict[]>();
  const counts = {
    pass: 0,
    fail: 0,
    warn: 0,
    info: 0,
    unsupported: 0,
    expected: 0,
    unexpectedFail: 0,
  };

  for (const [i, c] of cases.entries()) {
    if (tty) process.stdout.write(`\x1b[2K\r[${i + 1}/${cases.length}] ${c.id} …`);
    if (client.dead) client = await AdapterClient.start(resolved.command, { cwd: projectRoot });
    const o = await executeCase(c, client, {
      seed,
      ...(values.replay !== undefined ? { replayPath: values.replay } : {}),
    });
    const expected = expectedVerdict(expectations, c.id);
    if (tty) process.stdout.write("\x1b[2K\r");
    const mark = o.verdict !== "pass" && o.verdict === expected ? "  (expected)" : "";
    const surprise =
      o.verdict !== expected && expected !== "pass" ? `  (expected ${expected})` : "";
    console.log(
      `${LABEL[o.verdict].padEnd(6)}${c.id}  (${o.durationMs} ms)  ${c.requirements.join(" ")}${mark}${surprise}`,
    );
    counts[o.verdict]++;
    if (o.verdict !== "pass" && o.verdict === expected) counts.expected++;
    if (o.verdict === "fail" && expected !== "fail") {
      counts.unexpectedFail++;
      console.log(indent(o.reason ?? ""));
      if (o.transcript) console.log(indent(tail(o.transcript, 30)));
      if (o.stderr) console.log(indent(`IUT stderr:\n${tail(o.stderr, 15)}`));
    } else if (o.verdict !== "pass" && o.reason) {
      console.log(indent(o.reason));
    }
    verdicts.set(c.id, [o.verdict]);
    const result: CaseResult = {
      verdict: o.verdict,
      expected,
      durationMs: o.durationMs,
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
      ...(o.notes.length > 0 ? { notes: o.notes } : {}),
      ...(o.transcript !== undefined ? { transcript: o.transcript } : {}),
      ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
    };
    resultRows.push({
      id: c.id,
      title: c.title,
      requirements: c.requirements,
      kind: c.kind,
      results: { [name]: result },
    });
  }
  const iutInfo = { name, version: client.info.version };
  await client.shutdown();

  const coverage = await computeCoverage(cases, verdicts);
  const results: Results = {
    schemaVersion: 1,
    iuts: [iutInfo],
    seed,
    cases: resultRows,
    coverage,
    durationMs: Math.round(performance.now() - started),
  };
  writeReports(reportDir, results);
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
  console.log(`reports: ${reportDir}`);
  const passed =
    counts.pass +
    counts.warn +
    counts.info +
    counts.expected -
    expectedAmongPassing(resultRows, name);
  console.log(
    `warn: ${counts.warn}, info: ${counts.info}, unsupported: ${counts.unsupported}, expected non-pass: ${counts.expected}`,
  );
  console.log(`conformance: ${passed} passed, ${counts.unexpectedFail} failed`);
  return counts.unexpectedFail > 0 ? 1 : 0;
}

/** Expected warn/info verdicts are counted once, not twice, in `passed`. */
function expectedAmongPassing(rows: Results["cases"], iut: string): number {
  return rows.filter((r) => {
    const x = r.results[iut];
    return x && (x.verdict === "warn" || x.verdict === "info") && x.verdict === x.expected;
  }).length;
}

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
