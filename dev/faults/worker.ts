/**
 * Runs conformance cases against the reference in this very process (the
 * in-process IUT), for one fault: started by main.ts inside a scratch copy
 * whose reference carries the fault, so these imports load the patched code.
 *
 * `tsx dev/faults/worker.ts --families a,b --out results.jsonl`
 *
 * Runs every case of the named families (in suite order, seed 1), then runs
 * again each case whose verdict differed from its expected one, so that a
 * case failing once by chance on a loaded machine is told apart from one the
 * fault makes fail. Writes one JSON line per case as it finishes (a crash or a
 * kill keeps what was done): {@link CaseLine}.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { InProcessReferenceIut } from "../../conformance/adapters/reference/inprocess.ts";
import { allCases } from "../../conformance/cases/index.ts";
import { executeCase } from "../../conformance/runner/execute.ts";
import { expectedVerdict, loadExpectations } from "../../conformance/runner/expectations.ts";
import { type CaseLine, familyOf } from "./verdicts.ts";

const SEED = 1;

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`worker: ${name} needed`);
  return v;
}

async function main(): Promise<void> {
  const families = arg("--families").split(",");
  const out = arg("--out");
  writeFileSync(out, "");
  // A fault may throw inside a socket callback: note it and go on with the next case.
  let crashes: string[] = [];
  const crashed = (e: unknown) => {
    crashes.push(e instanceof Error ? ((e.stack ?? e.message).split("\n")[0] ?? "") : String(e));
  };
  process.on("uncaughtException", crashed);
  process.on("unhandledRejection", crashed);

  const expectations = loadExpectations("reference");
  const iut = new InProcessReferenceIut();
  const cases = allCases.filter((c) => families.includes(familyOf(c.id)));
  const run = async (c: (typeof cases)[number]) => {
    crashes = [];
    const o = await executeCase(c, iut, { seed: SEED });
    return { verdict: o.verdict, reason: [o.reason, ...crashes].filter(Boolean).join("; ") };
  };
  for (const c of cases) {
    const expected = expectedVerdict(expectations, c.id);
    const first = await run(c);
    const line: CaseLine = { id: c.id, expected, verdict: first.verdict, reason: first.reason };
    if (first.verdict !== expected) {
      const again = await run(c);
      line.rerun = again.verdict;
    }
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }
  await iut.shutdown();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  },
);
