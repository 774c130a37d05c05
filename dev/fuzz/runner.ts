/**
 * Runs fuzz targets: per target, a fast-check share (shrinking) then a seeded
 * mutation loop (each input rebuilt from `(seed, index)`). Used by the CLI
 * (main.ts) and by the small in-process run of `npm test` (fuzz.test.ts).
 */
import fc from "fast-check";
import { mixSeed, Rng } from "./rng.ts";
import type { AnyTarget } from "./target.ts";

/** Share of each target's inputs that go through fast-check. */
export const FC_SHARE = 0.2;

/** Outcome of one target. */
export interface TargetResult {
  readonly name: string;
  readonly inputs: number;
  readonly seconds: number;
  /** Failure text with its `--replay` argument, or undefined. */
  readonly failure: string | undefined;
}

/** Per-target seed: the run seed mixed with the target's name. */
export function targetSeed(seed: number, t: AnyTarget): number {
  let h = seed >>> 0;
  for (const ch of t.name) h = mixSeed(h, ch.charCodeAt(0));
  return h;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs one loop input; returns the failure text or undefined. */
export async function loopOne(t: AnyTarget, seed: number, i: number): Promise<string | undefined> {
  try {
    const r = t.check(t.generate(new Rng(mixSeed(seed, i))));
    if (t.async) await r;
    return undefined;
  } catch (e) {
    return describeError(e);
  }
}

export async function runFastCheck(t: AnyTarget, seed: number, numRuns: number, path?: string) {
  const prop = t.async
    ? fc.asyncProperty(t.arbitrary, async (x) => {
        await t.check(x);
      })
    : fc.property(t.arbitrary, (x) => {
        t.check(x);
      });
  const params = { seed, numRuns, path, endOnFailure: path !== undefined };
  return t.async
    ? await fc.check(prop as fc.IAsyncProperty<[unknown]>, params)
    : fc.check(prop as fc.IProperty<[unknown]>, params);
}

/**
 * Runs `n` inputs of target `t` from run seed `seed`.
 *
 * @example
 * ```ts
 * const r = await runTarget(tcpFrames, 1000, 42);
 * if (r.failure) console.log(r.failure);
 * ```
 */
export async function runTarget(t: AnyTarget, n: number, runSeed: number): Promise<TargetResult> {
  const fcRuns = Math.max(5, Math.round(n * FC_SHARE));
  const loopRuns = Math.max(0, n - fcRuns);
  const seed = targetSeed(runSeed, t);
  const t0 = performance.now();
  let done = 0;
  let failure: string | undefined;
  const r = await runFastCheck(t, seed, fcRuns);
  done += r.numRuns;
  if (r.failed) {
    failure = `${fc.defaultReportMessage(r)}\n  replay: --replay ${t.name}:fc:${r.seed}:${r.counterexamplePath}`;
  }
  for (let i = 0; i < loopRuns && failure === undefined; i++) {
    const f = await loopOne(t, seed, i);
    done++;
    if (f) failure = `${f}\n  replay: --replay ${t.name}:loop:${seed}:${i}`;
  }
  return { name: t.name, inputs: done, seconds: (performance.now() - t0) / 1000, failure };
}
