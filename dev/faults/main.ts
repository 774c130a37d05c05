/**
 * `npm run faults -- [--fault ID]... [--jobs N] [--list] [--allow-uncaught]
 *                    [--all-families] [--keep]`
 *
 * Seeds known, plausible bugs into the reference and checks that the
 * conformance suite notices each one. For every fault of faults.ts: copy the
 * repository's sources to a scratch directory (scratch.ts), apply the fault's
 * edits there (patch.ts; a patch that no longer matches today's sources fails
 * the run before anything starts), run the cases of the fault's families
 * against the patched reference in one process (worker.ts, the in-process
 * IUT), and record the cases whose verdict left the expected one
 * (verdicts.ts). Prints each fault with the cases that caught it, then
 * `faults: C caught, U uncaught of N`, and writes reports/faults/faults.json
 * and faults.md (report.ts). Every run also updates the ledger
 * conformance/report/fault-kills.json (the last outcome of each fault it ran,
 * with the run's time) and the per-requirement counts derived from it, which
 * the conformance report shows next to "cited by". Legal variants (faults-legal.ts, `conforming`)
 * run the same way and must NOT be caught: a case that fails a choice the
 * drafts allow is a false failure.
 *
 * Exit 1 when a fault is uncaught (0 with --allow-uncaught) or a legal variant
 * is failed, 2 on a usage or patch error. `--jobs` faults run at once (default 2). `--all-families` runs
 * the whole suite against every fault. The repository itself is never
 * modified.
 *
 * @example
 * ```sh
 * npm run faults
 * npm run faults -- --fault reqrep/req-resend-backoff --keep
 * npm run faults -- --list
 * ```
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { allCases } from "../../conformance/cases/index.ts";
import { type FaultKills, mergeKills } from "../../conformance/report/fault-kills.ts";
import { type Args, parseArgs } from "./cli.ts";
import { allFaults } from "./faults.ts";
import { applyFault, patchedFiles } from "./patch.ts";
import {
  asExpected,
  consoleLines,
  type FaultReport,
  type FaultResult,
  json,
  markdown,
  summaryLine,
} from "./report.ts";
import { makeScratch, removeScratch } from "./scratch.ts";
import type { Fault } from "./types.ts";
import { catches, familyOf, parseLines } from "./verdicts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outDir = join(root, "reports", "faults");
/** Per-requirement kill counts of the last full run, shown in the conformance report. */
const killsPath = join(root, "conformance", "report", "fault-kills.json");
const tsx = join(root, "node_modules", ".bin", "tsx");
/** A worker still running after this long is killed; what it finished is kept. */
const WORKER_LIMIT_MS = 15 * 60 * 1000;

function select(args: Args): Fault[] {
  if (args.faults.length === 0) return [...allFaults];
  const known = new Map(allFaults.map((f) => [f.id, f]));
  return args.faults.map((id) => {
    const f = known.get(id);
    if (!f) throw new Error(`unknown fault ${id} (see --list)`);
    return f;
  });
}

function familiesOf(f: Fault, args: Args): string[] {
  if (!args.allFamilies) return f.families;
  return [...new Set(allCases.map((c) => familyOf(c.id)))];
}

/** Runs the worker in `scratch`; resolves with its exit code (null when killed) and output tail. */
function runWorker(
  scratch: string,
  families: string[],
  out: string,
): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      tsx,
      [join(scratch, "dev/faults/worker.ts"), "--families", families.join(","), "--out", out],
      {
        cwd: scratch,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, FORCE_COLOR: "0" },
      },
    );
    let tail = "";
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-2000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, tail });
    });
  });
}

async function runFault(f: Fault, args: Args): Promise<FaultResult> {
  const started = performance.now();
  const families = familiesOf(f, args);
  const base = {
    id: f.id,
    ...(f.conforming ? { conforming: true } : {}),
    requirements: f.requirements,
    description: f.description,
    observe: f.observe,
    families,
  };
  const scratch = makeScratch(root, f.id);
  try {
    applyFault(scratch, f);
    const out = join(scratch, "results.jsonl");
    const { code, tail } = await runWorker(scratch, families, out);
    const lines = existsSync(out) ? parseLines(readFileSync(out, "utf8")) : [];
    const { caught, intermittent } = catches(lines);
    const died =
      code === 0
        ? undefined
        : `worker ${code === null ? "killed" : `exited ${code}`}: ${tail.trim().split("\n").slice(-3).join(" / ")}`;
    return {
      ...base,
      caught: caught.length > 0,
      catching: caught,
      intermittent,
      casesRun: lines.length,
      durationMs: performance.now() - started,
      ...(died && caught.length === 0 ? { error: died } : {}),
    };
  } catch (e) {
    return {
      ...base,
      caught: false,
      catching: [],
      intermittent: [],
      casesRun: 0,
      durationMs: performance.now() - started,
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    if (args.keep) console.log(`  (scratch for ${f.id} kept at ${scratch})`);
    else removeScratch(scratch);
  }
}

/** Runs `faults`, `jobs` at a time, printing each as it ends; results in the faults' order. */
async function runAll(faults: Fault[], args: Args): Promise<FaultResult[]> {
  const results: FaultResult[] = new Array(faults.length);
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      const f = faults[i];
      if (!f) return;
      const r = await runFault(f, args);
      results[i] = r;
      console.log(consoleLines(r).join("\n"));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, faults.length) }, lane));
  return results;
}

async function main(): Promise<number> {
  let args: Args;
  let faults: Fault[];
  try {
    args = parseArgs(process.argv.slice(2));
    faults = select(args);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (args.list) {
    for (const f of faults) {
      console.log(`${f.id} [${f.requirements.join(", ")}] families: ${f.families.join(", ")}`);
      console.log(`    ${f.description}`);
    }
    console.log(`${faults.length} fault(s)`);
    return 0;
  }
  // Every patch must still fit today's sources before anything runs.
  try {
    for (const f of faults) patchedFiles(root, f);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  console.log(`running ${faults.length} fault(s), ${args.jobs} at a time`);
  const started = performance.now();
  const results = await runAll(faults, args);
  const report: FaultReport = {
    generatedAt: new Date().toISOString(),
    durationMs: performance.now() - started,
    jobs: args.jobs,
    results,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "faults.json"), json(report));
  writeFileSync(join(outDir, "faults.md"), markdown(report));
  // The ledger the conformance report shows: these faults' outcomes replace their old ones.
  const previous: FaultKills = existsSync(killsPath)
    ? (JSON.parse(readFileSync(killsPath, "utf8")) as FaultKills)
    : { generatedAt: null, byRequirement: {} };
  const ran = results.map((r) => ({ ...r, catching: r.catching.map((c) => c.id) }));
  const full = args.faults.length === 0;
  const kills = mergeKills(previous, ran, allFaults, report.generatedAt, full);
  writeFileSync(killsPath, `${JSON.stringify(kills, null, 2)}\n`);
  console.log("");
  const wrong = results.filter((r) => !asExpected(r));
  for (const r of wrong) {
    console.log(
      r.conforming
        ? `  falsely failed: ${r.id} by ${r.catching.map((c) => c.id).join(", ") || r.error}`
        : `  uncaught: ${r.id} [${r.requirements.join(", ")}]`,
    );
  }
  console.log(summaryLine(results));
  console.log(
    `run took ${Math.round(report.durationMs / 1000)} s; report in ${relative(root, join(outDir, "faults.md"))}`,
  );
  const uncaught = wrong.filter((r) => !r.conforming);
  const falselyFailed = wrong.filter((r) => r.conforming);
  return falselyFailed.length > 0 || (uncaught.length > 0 && !args.allowUncaught) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  },
);
