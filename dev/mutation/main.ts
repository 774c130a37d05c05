/**
 * `npm run mutation -- [--all | --protocols p,q] [--mutate file,...] [--no-raw]
 *                      [--concurrency 1|2] [--top N] [--report-only]`
 *
 * Mutation-tests the reference's protocol code with StrykerJS, the conformance
 * cases (run in-process, dev/mutation/conformance.mutation.ts) being the
 * tests. Prints the mutation score per file and overall, writes every
 * surviving mutant to reports/mutation/survivors.md and lists the ones most
 * worth a new case. Stryker's own reports: reports/mutation/mutation.{json,html}.
 *
 * Default scope: req0, rep0, pair1, push0, sub0 (scope.ts; about 25 minutes on
 * a loaded 2-core machine). `--all`: every protocol. `--no-raw` leaves the raw
 * `x*` variants and their raw helpers out of the mutated files. `--mutate` narrows
 * the mutated files (for development: one small file). `--report-only` re-reads
 * the last mutation.json without running Stryker.
 *
 * @example
 * ```sh
 * npm run mutation
 * npm run mutation -- --protocols pair1 --mutate reference/protocol/pair1/header.ts
 * npm run mutation -- --report-only
 * ```
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { matchEquivalents, parseEquivalents } from "./equivalents.ts";
import {
  type Equivalents,
  type MutationReport,
  openSurvivors,
  scoreAside,
  scoreTable,
  survivorsMarkdown,
  tallies,
  topSurvivors,
} from "./report.ts";
import { DEFAULT_PROTOCOLS, filesFor, parseProtocols } from "./scope.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outDir = join(root, "reports", "mutation");
const jsonPath = join(outDir, "mutation.json");
const survivorsPath = join(outDir, "survivors.md");
const equivalentsPath = join(root, "dev", "mutation", "equivalent.json");
const durationsPath = join(outDir, "case-durations.json");

interface Args {
  protocols: string[];
  mutate: string[] | undefined;
  raw: boolean;
  transportCases: boolean;
  concurrency: number;
  top: number;
  reportOnly: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = {
    protocols: [...DEFAULT_PROTOCOLS],
    mutate: undefined,
    raw: true,
    transportCases: false,
    concurrency: 2,
    top: 10,
    reportOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--all") {
      a.protocols = parseProtocols("all");
      a.transportCases = true;
    } else if (arg === "--transport-cases") a.transportCases = true;
    else if (arg === "--protocols") a.protocols = parseProtocols(value());
    else if (arg === "--mutate")
      a.mutate = value()
        .split(",")
        .filter((s) => s !== "");
    else if (arg === "--no-raw") a.raw = false;
    else if (arg === "--concurrency") a.concurrency = Number(value());
    else if (arg === "--top") a.top = Number(value());
    else if (arg === "--report-only") a.reportOnly = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  // The machine is shared: never more than two test-runner processes.
  if (![1, 2].includes(a.concurrency)) throw new Error("--concurrency must be 1 or 2");
  if (!Number.isInteger(a.top) || a.top < 1) throw new Error("--top needs a positive integer");
  return a;
}

async function runStryker(args: Args): Promise<void> {
  const mutate = args.mutate ?? filesFor(args.protocols, args.raw);
  // The vitest workers inherit the environment: it tells them which cases to run.
  process.env.MUTATION_PROTOCOLS = args.protocols.join(",");
  process.env.MUTATION_TRANSPORT_CASES = args.transportCases ? "1" : "0";
  // The initial run records each case's duration here; mutant runs bound cases by it.
  mkdirSync(outDir, { recursive: true });
  rmSync(durationsPath, { force: true });
  process.env.MUTATION_DURATIONS = durationsPath;
  const { Stryker } = await import("@stryker-mutator/core");
  const stryker = new Stryker({
    configFile: "dev/mutation/stryker.config.mjs",
    mutate,
    concurrency: args.concurrency,
  });
  console.log(`mutating ${mutate.length} file(s); cases of ${args.protocols.join(", ")}`);
  await stryker.runMutationTest();
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  process.chdir(root);
  const started = performance.now();
  if (!args.reportOnly) await runStryker(args);
  const durationS = (performance.now() - started) / 1000;
  const report = JSON.parse(readFileSync(jsonPath, "utf8")) as MutationReport;
  const scope = args.mutate
    ? `${args.mutate.join(", ")} (cases of ${args.protocols.join(", ")})`
    : `protocols ${args.protocols.join(", ")}`;
  mkdirSync(outDir, { recursive: true });
  const timed = args.reportOnly ? {} : { durationS };
  const list = parseEquivalents(JSON.parse(readFileSync(equivalentsPath, "utf8")));
  const eq: Equivalents = {
    list,
    match: matchEquivalents(report, list),
    path: relative(root, equivalentsPath),
  };
  writeFileSync(survivorsPath, survivorsMarkdown(report, { scope, top: args.top, ...timed }, eq));

  console.log("");
  console.log(scoreTable(report));
  const { total } = tallies(report);
  const nEq = eq.match.equivalent.size;
  console.log(
    `equivalents aside: ${scoreAside(total, nEq).toFixed(1)} % (${nEq} surviving mutants listed as equivalent in ${eq.path})`,
  );
  for (const e of eq.match.detected) {
    console.log(
      `  listed as equivalent, yet detected: ${e.file}:${e.line} ${e.mutator} -> ${e.replacement}`,
    );
  }
  for (const e of eq.match.stale) {
    console.log(
      `  listed as equivalent, no such mutant now: ${e.file}:${e.line} ${e.mutator} -> ${e.replacement}`,
    );
  }
  console.log("");
  const all = openSurvivors(report, eq);
  console.log(
    `${all.length} surviving mutants not listed as equivalent, in ${relative(root, survivorsPath)}; most worth a new case:`,
  );
  for (const s of topSurvivors(all, args.top)) {
    const reqs = s.requirements.length > 0 ? ` [${s.requirements.join(", ")}]` : "";
    console.log(`  ${s.file}:${s.line}:${s.column} ${s.mutator} (${s.status})${reqs}`);
    console.log(`      ${s.original} -> ${s.replacement}`);
  }
  if (!args.reportOnly) console.log(`\nmutation run took ${Math.round(durationS)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
