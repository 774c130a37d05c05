/**
 * `npm run fuzz -- [--quick] [--runs N] [--seed S] [--target NAME] [--replay SPEC]`
 *
 * Fuzzes every decoder and parser of the reference (see targets/). Each
 * target gets a share of the run's inputs: 20% through fast-check (which
 * shrinks a failure to a small case) and 80% through a seeded mutation loop
 * (fast; each input is rebuilt from the seed and its index alone). A failure
 * prints the exact `--replay` argument that reproduces it.
 *
 * Default: 10.5 M inputs in total. `--quick`: 150 k (CI, well under 30 s).
 *
 * @example
 * ```sh
 * npx tsx dev/fuzz/main.ts --quick
 * npx tsx dev/fuzz/main.ts --seed 1234 --target tcp-frames --runs 100000
 * npx tsx dev/fuzz/main.ts --replay tcp-frames:loop:1234:5071
 * ```
 */
import { randomInt } from "node:crypto";
import fc from "fast-check";
import { mixSeed, Rng } from "./rng.ts";
import { describeError, loopOne, runFastCheck, runTarget } from "./runner.ts";
import { targets } from "./targets/index.ts";

const DEFAULT_RUNS = 10_500_000;
const QUICK_RUNS = 150_000;

interface Args {
  runs: number;
  seed: number;
  only: string | undefined;
  replay: string | undefined;
}

function parse(argv: string[]): Args {
  const a: Args = {
    runs: DEFAULT_RUNS,
    seed: randomInt(2 ** 31),
    only: undefined,
    replay: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--quick") a.runs = QUICK_RUNS;
    else if (arg === "--runs") a.runs = Number(value());
    else if (arg === "--seed") a.seed = Number(value());
    else if (arg === "--target") a.only = value();
    else if (arg === "--replay") a.replay = value();
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error("--runs needs a positive integer");
  if (!Number.isInteger(a.seed)) throw new Error("--seed needs an integer");
  return a;
}

async function replay(spec: string): Promise<number> {
  const [name, kind, seedText, ...rest] = spec.split(":");
  const where = rest.length > 0 ? rest.join(":") : undefined; // fast-check paths hold colons
  const t = targets.find((x) => x.name === name);
  if (!t || (kind !== "loop" && kind !== "fc") || seedText === undefined || where === undefined) {
    console.error(
      `bad --replay ${spec}: expected <target>:loop:<seed>:<index> or <target>:fc:<seed>:<path>`,
    );
    return 2;
  }
  const seed = Number(seedText);
  if (kind === "loop") {
    const input = t.generate(new Rng(mixSeed(seed, Number(where))));
    console.log("input:", input);
    const failure = await loopOne(t, seed, Number(where));
    console.log(failure ? `FAIL ${failure}` : "passes");
    return failure ? 1 : 0;
  }
  const r = await runFastCheck(t, seed, 1, where);
  console.log(r.failed ? fc.defaultReportMessage(r) : "passes");
  return r.failed ? 1 : 0;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args.replay) return replay(args.replay);
  const chosen = targets.filter((t) => args.only === undefined || t.name === args.only);
  if (chosen.length === 0) throw new Error(`no target ${args.only}`);
  const weights = chosen.reduce((s, t) => s + t.weight, 0);
  console.log(`fuzz: seed=${args.seed} inputs=${args.runs} targets=${chosen.length}`);
  let total = 0;
  let failures = 0;
  const started = performance.now();
  for (const t of chosen) {
    const n = Math.max(10, Math.round((args.runs * t.weight) / weights));
    const r = await runTarget(t, n, args.seed);
    const failure = r.failure;
    const done = r.inputs;
    const secs = r.seconds;
    total += done;
    const rate = Math.round(done / Math.max(secs, 1e-3));
    const status = failure ? "FAIL" : "ok";
    console.log(
      `${status.padEnd(4)} ${t.name.padEnd(17)} ${String(done).padStart(9)} inputs ${secs.toFixed(1).padStart(6)} s ${String(rate).padStart(8)} inputs/s  ${t.about}`,
    );
    if (failure) {
      failures++;
      console.log(`  ${failure}`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  console.log(
    `total: ${total} inputs in ${secs.toFixed(1)} s (${Math.round(total / secs)} inputs/s), seed ${args.seed}, ${failures} failing target(s)`,
  );
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(describeError(e));
    process.exitCode = 2;
  },
);
