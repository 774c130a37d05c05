/**
 * `npm run bench -- [--json FILE] [--quick] [--filter GLOB] [--runs N]`
 *
 * Runs every scenario (scenarios.ts) for the reference, nng, nanomsg, the raw
 * Node baseline and the mixed pairs reference->nng and nng->reference, each in
 * separate processes over loopback (inproc: one process), prints a table with
 * ratios and optionally writes the JSON report. See BENCHMARKS.md.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { globMatch, parseArgs, usage } from "./args.ts";
import {
  buildCDriver,
  bundleTsDrivers,
  driverCommand,
  projectRoot,
  type Side,
  subsCommand,
} from "./drivers.ts";
import {
  fanoutRun,
  latencyRun,
  noreadRun,
  type Pair,
  slowWorkerRun,
  subsRun,
  throughputRun,
} from "./measure.ts";
import { UnavailableError } from "./proc.ts";
import {
  type BenchResult,
  buildReport,
  formatCell,
  formatTable,
  type Impl,
  impls,
  machineInfo,
  unavailable,
} from "./report.ts";
import type { Scenario } from "./scenarios.ts";
import { scenarios } from "./scenarios.ts";
import { checkSpeedTargets } from "./speed-targets.ts";
import { adaptiveCount, median, noreadFields, p99, warmupCount } from "./stats.ts";
import { checkTargets, formatTargets } from "./targets.ts";

/** Sender and receiver side of each implementation or mixed pair. */
const sidesOf: Record<Impl, [Side, Side]> = {
  reference: ["reference", "reference"],
  nng: ["nng", "nng"],
  nanomsg: ["nanomsg", "nanomsg"],
  raw: ["raw", "raw"],
  "reference->nng": ["reference", "nng"],
  "nng->reference": ["nng", "reference"],
};

/** The flow-control scenarios run each implementation against itself, no mixed pairs. */
const ownImpls: ReadonlySet<Impl> = new Set<Impl>(["reference", "nng", "nanomsg", "raw"]);

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    log(`bench: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const unknownImpl = args.impl?.find((i) => !(impls as readonly string[]).includes(i));
  if (unknownImpl !== undefined) {
    log(`bench: unknown implementation ${unknownImpl} (one of ${impls.join(", ")})`);
    return 2;
  }
  /** The implementations this invocation measures (`--impl`), in table order. */
  const selected = impls.filter((i) => args.impl === undefined || args.impl.includes(i));
  const started = Date.now();
  const timeoutMs = args.quick ? 20_000 : 120_000;
  const built: Partial<Record<"nng" | "nanomsg", string>> = {};
  const buildErrors: Partial<Record<Side, string>> = {};
  for (const lib of ["nng", "nanomsg"] as const) {
    try {
      built[lib] = await buildCDriver(lib);
    } catch (e) {
      buildErrors[lib] = (e as Error).message;
    }
  }
  const bundleNote = await bundleTsDrivers();
  if (bundleNote) log(`bench: ${bundleNote}`);
  const pairOf = (impl: Impl): Pair => {
    const [s, r] = sidesOf[impl];
    for (const side of [s, r]) {
      const err = buildErrors[side];
      if (err) throw new UnavailableError(err);
    }
    return { sender: driverCommand(s, built), receiver: driverCommand(r, built), same: s === r };
  };

  /** Warm-up (full runs only), then `runs` measured runs; failures become results. */
  const measure = async <T>(
    base: Pick<BenchResult, "scenario" | "impl" | "metric"> & Partial<BenchResult>,
    once: (warmup: boolean) => Promise<T>,
    summarize: (xs: T[]) => Partial<BenchResult> & { runs: number[] },
    opts: { warmup?: boolean; runs?: number } = {},
  ): Promise<BenchResult> => {
    try {
      if (!args.quick && opts.warmup !== false) await once(true);
      const xs: T[] = [];
      const n = opts.runs ?? args.runs ?? 5;
      for (let i = 0; i < n; i++) xs.push(await once(false));
      const s = summarize(xs);
      return { ...base, status: "ok", median: median(s.runs), ...s };
    } catch (e) {
      const unav = e instanceof UnavailableError;
      return unavailable(base, (e as Error).message, unav ? "unavailable" : "error");
    }
  };

  const results: BenchResult[] = [];
  const record = (r: BenchResult) => {
    results.push(r);
    const fig =
      r.status !== "ok"
        ? `${r.status}: ${r.reason}`
        : r.metric === "rss_bytes" || r.metric === "completion_ms"
          ? `${formatCell(r)} ${r.metric}`
          : `${r.median?.toPrecision(4)} ${r.metric}`;
    log(
      `  ${r.scenario}${r.subscribers ? ` ×${r.subscribers}` : ""}${r.subscriptions ? ` @${r.subscriptions}` : ""} [${r.impl}] ${fig}`,
    );
  };

  for (const sc of scenarios.filter((s) => globMatch(args.filter, s.name))) {
    log(`bench: ${sc.name}`);
    const t0 = Date.now();
    await runScenario(sc);
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  /** Measured runs: `--runs`, else 1 with `--quick`, else the scenario's own number (default 5). */
  function runsOf(sc: Scenario): number {
    if (args.runs !== undefined) return args.runs;
    if (args.quick) return 1;
    return ("runs" in sc ? sc.runs : undefined) ?? 5;
  }

  /** Measures one scenario for every implementation, recording each result as it comes. */
  async function runScenario(sc: Scenario): Promise<void> {
    const out = { push: record };
    const size = (c: { full: number; quick: number }) => (args.quick ? c.quick : c.full);
    switch (sc.kind) {
      case "throughput":
        for (const impl of selected) {
          const base = {
            scenario: sc.name,
            impl,
            metric: "msgs_per_s" as const,
            count: size(sc.count),
          };
          if (sc.transport === "inproc" && sidesOf[impl][0] !== sidesOf[impl][1]) {
            out.push(
              unavailable(base, "inproc connects sockets inside one process; a mixed pair cannot"),
            );
            continue;
          }
          if (sc.transport === "inproc" && impl === "raw") {
            out.push(
              unavailable(
                base,
                "the raw baseline is a socket protocol; there is no in-process variant",
              ),
            );
            continue;
          }
          // The warm-up sends a tenth of the messages and sizes the measured runs: about
          // two seconds each at the warm-up's rate, within a tenth and 25 times the full count.
          let count = size(sc.count);
          out.push(
            await measure(
              base,
              async (warmup) => {
                const n = warmup ? warmupCount(count) : count;
                const rate = await throughputRun(pairOf(impl), sc.transport, sc.size, n, timeoutMs);
                if (warmup) count = adaptiveCount(rate, count);
                return rate;
              },
              (runs) => ({ runs, count }),
              { runs: runsOf(sc) },
            ),
          );
        }
        break;
      case "latency":
        for (const impl of selected) {
          const base = {
            scenario: sc.name,
            impl,
            metric: "rtt_us" as const,
            count: size(sc.count),
          };
          out.push(
            await measure(
              base,
              () => latencyRun(pairOf(impl), sc.size, size(sc.count), size(sc.warm), timeoutMs),
              (xs) => ({ runs: xs.map(median), p99: p99(xs.flat()) }),
              { runs: runsOf(sc) },
            ),
          );
        }
        break;
      case "fanout":
        for (const v of sc.variants) {
          for (const impl of selected) {
            const base = {
              scenario: sc.name,
              impl,
              metric: "msgs_per_s" as const,
              subscribers: v.subscribers,
              count: size(v.count),
            };
            if (impl === "raw") {
              out.push(unavailable(base, "the raw baseline covers push/pull and ping-pong only"));
              continue;
            }
            out.push(
              await measure(
                base,
                () => fanoutRun(pairOf(impl), sc.size, size(v.count), v.subscribers, timeoutMs),
                (xs) => ({
                  runs: xs.map((x) => x.rate),
                  deliveredRatio: median(xs.map((x) => x.deliveredRatio)),
                }),
                { runs: runsOf(sc) },
              ),
            );
          }
        }
        break;
      case "slowworker":
        for (const impl of selected) {
          if (!ownImpls.has(impl)) continue; // no mixed pairs: each library against itself
          const count = size(sc.count);
          const base = { scenario: sc.name, impl, metric: "completion_ms" as const, count };
          if (impl === "raw") {
            out.push(
              unavailable(base, "the raw baseline has no PUSH that spreads messages over peers"),
            );
            continue;
          }
          out.push(
            await measure(
              base,
              (warmup) =>
                slowWorkerRun(
                  pairOf(impl).sender,
                  sc.transport,
                  sc.size,
                  warmup ? warmupCount(count) : count,
                  sc.delayMs,
                  sc.timeoutMs,
                  timeoutMs,
                ),
              (xs) => ({
                runs: xs.map((x) => x.completionMs),
                fastShare: median(xs.map((x) => x.fastShare)),
                fastShareRuns: xs.map((x) => x.fastShare),
              }),
              { runs: runsOf(sc) },
            ),
          );
        }
        break;
      case "noread":
        for (const impl of selected) {
          if (!ownImpls.has(impl)) continue; // no mixed pairs: each library against itself
          const base = { scenario: sc.name, impl, metric: "rss_bytes" as const };
          if (impl === "raw") {
            out.push(unavailable(base, "the raw baseline has no PULL socket to leave unread"));
            continue;
          }
          const checkpoints = args.quick ? sc.checkpointsMs.quick : sc.checkpointsMs.full;
          out.push(
            await measure(
              base,
              () =>
                noreadRun(
                  pairOf(impl).receiver,
                  driverCommand("raw", built),
                  sc.size,
                  checkpoints,
                  sc.capBytes,
                  timeoutMs,
                ),
              ([run]) => noreadFields(run, sc.capBytes),
              // One run: a memory curve, not a rate to take the median of (--runs does not apply).
              { warmup: false, runs: 1 },
            ),
          );
        }
        break;
      case "subs":
        for (const n of sc.subscriptions) {
          if (args.quick && n > sc.quickMax) continue;
          const base = {
            scenario: sc.name,
            impl: "reference" as const,
            metric: "match_ns_per_message" as const,
            subscriptions: n,
          };
          const t =
            n >= 10_000_000 ? 900_000 : n >= 1_000_000 ? Math.max(timeoutMs, 120_000) : timeoutMs;
          try {
            const r = await subsRun(
              subsCommand(),
              sc.keys,
              n,
              Math.max(args.runs ?? (args.quick ? 1 : 5), 3),
              t,
            );
            const m = median(r.matchNsRounds);
            out.push({
              ...base,
              status: "ok",
              median: m,
              runs: r.matchNsRounds,
              matchNsPerMessage: m,
              bytesPerSubscription: r.bytesPerSubscription,
              heapBytesPerSubscription: r.heapBytesPerSubscription,
              externalBytesPerSubscription: r.externalBytesPerSubscription,
              insertNsPerSubscription: r.insertNsPerSubscription,
              matchedOfMessages: r.matchedOfMessages as [number, number],
            });
          } catch (e) {
            out.push(
              unavailable(
                base,
                (e as Error).message,
                e instanceof UnavailableError ? "unavailable" : "error",
              ),
            );
            if (e instanceof UnavailableError) break; // same reason for every N
          }
        }
        break;
      case "conformance": {
        const base = { scenario: sc.name, impl: "reference" as const, metric: "seconds" as const };
        out.push(
          await measure(
            base,
            () => conformanceWall(args.quick ? 110_000 : 600_000),
            (runs) => ({ runs }),
            // One suite run is the figure: repeating a minute-long suite six times would
            // dominate the whole bench (it pushed a full run past 15 minutes).
            { warmup: false, runs: 1 },
          ),
        );
        break;
      }
    }
  }

  log("");
  console.log(formatTable(results));
  // Quick runs are too short for speed ratios; their speed targets would only be noise.
  const targets = [...checkTargets(results), ...(args.quick ? [] : checkSpeedTargets(results))];
  if (targets.length > 0) console.log(`\n${formatTargets(targets)}`);
  if (args.json) {
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    const command = `npm run bench --${process.argv
      .slice(2)
      .map((a) => ` ${a}`)
      .join("")}`;
    const doc = buildReport({
      results,
      machine: machineInfo(),
      command,
      quick: args.quick,
      targets,
    });
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    log(`bench: wrote ${file}`);
  }
  log(`bench: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

/** Seconds for `npm run conformance -- --iut reference`; throws on a non-zero exit or timeout. */
function conformanceWall(timeoutMs: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("npm", ["run", "-s", "conformance", "--", "--iut", "reference"], {
      cwd: projectRoot,
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      reject(new Error(`conformance did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code === 0) resolvePromise(s);
      else {
        const lastLine = stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
        reject(new Error(`conformance exited ${code} after ${s.toFixed(1)} s: ${lastLine}`));
      }
    });
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`bench: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
