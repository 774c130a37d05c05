/**
 * Order statistics for benchmark samples and the figures of the flow-control
 * scenarios (pure functions).
 */
import type { BenchResult } from "./report.ts";

/**
 * The q-quantile (0 ≤ q ≤ 1) by the nearest-rank method on a sorted copy:
 * the smallest sample with at least q of all samples at or below it.
 * NaN for an empty list.
 *
 * @example
 * ```ts
 * quantile([5, 1, 3], 0.5); // 3
 * quantile([1, 2, 3, 4], 0.99); // 4
 * ```
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile needs 0 ≤ q ≤ 1, got ${q}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/**
 * The median: the middle sample, or the mean of the two middle samples for an
 * even count. NaN for an empty list.
 *
 * @example
 * ```ts
 * median([4, 1, 3]); // 3
 * median([4, 1, 3, 2]); // 2.5
 * ```
 */
export function median(samples: readonly number[]): number {
  const n = samples.length;
  if (n === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The 99th percentile (nearest rank).
 *
 * @example
 * ```ts
 * p99(Array.from({ length: 100 }, (_, i) => i + 1)); // 99
 * ```
 */
export function p99(samples: readonly number[]): number {
  return quantile(samples, 0.99);
}

/**
 * Messages per second from a receiver's count and the time between its first
 * and last message: the first message starts the clock, so count-1 intervals.
 *
 * @example
 * ```ts
 * rateFromSpan(1001, 1e9); // 1000
 * ```
 */
export function rateFromSpan(count: number, elapsedNs: number): number {
  if (count < 2 || elapsedNs <= 0) return Number.NaN;
  return ((count - 1) * 1e9) / elapsedNs;
}

/**
 * Message count for a measured throughput run: enough for about `seconds` at
 * the rate the warm-up measured, never fewer than `full` / 10 and never more
 * than {@link MAX_RUN_FACTOR} × `full`. A slow implementation (nng's push/pull
 * at ~20k msgs/s) then runs for seconds, not for the ten seconds the full
 * count would take; a fast one runs for seconds too, instead of the 0.1 s
 * that `full` messages take it, which measured mostly its start-up and JIT
 * warm-up (each run is a fresh process). A failed or NaN warm-up rate keeps
 * `full`.
 *
 * @example
 * ```ts
 * adaptiveCount(20_000, 200_000); // 40_000: two seconds at 20k msgs/s
 * adaptiveCount(1.3e6, 200_000); // 2_600_000: two seconds at 1.3M msgs/s
 * ```
 */
export function adaptiveCount(rate: number, full: number, seconds = 2): number {
  const floor = Math.ceil(full / 10);
  if (!(rate > 0)) return full;
  return Math.min(full * MAX_RUN_FACTOR, Math.max(floor, Math.round(rate * seconds)));
}

/** The most messages a measured throughput run sends, as a multiple of the scenario's full count. */
export const MAX_RUN_FACTOR = 25;

/**
 * Message count of the (discarded) warm-up run of a throughput scenario: a
 * tenth of the full count, so that a slow implementation's warm-up is short.
 *
 * @example
 * ```ts
 * warmupCount(200_000); // 20_000
 * ```
 */
export function warmupCount(full: number): number {
  return Math.ceil(full / 10);
}

/** What one `worker` driver last reported: messages received and the wall-clock ms of the first and last. */
export interface WorkerProgress {
  count: number;
  firstMs: number;
  lastMs: number;
}

/** The figures of one `pipeline-slow-worker-*` run. */
export interface SlowWorkerFigures {
  /** Messages the fast worker received, divided by the messages sent (0..1). */
  fastShare: number;
  /** From the PUSH's first send to the last message either worker received, ms. */
  completionMs: number;
  fastCount: number;
  slowCount: number;
}

/**
 * One slow-worker run's figures from the PUSH's start time and both workers' last
 * progress (all wall-clock ms, comparable across processes). A worker that received
 * nothing does not count for the completion time.
 *
 * @example
 * ```ts
 * slowWorkerFigures(1000, { count: 1900, firstMs: 1001, lastMs: 1020 },
 *   { count: 100, firstMs: 1001, lastMs: 3000 }, 2000);
 * // { fastShare: 0.95, completionMs: 2000, fastCount: 1900, slowCount: 100 }
 * ```
 */
export function slowWorkerFigures(
  t0Ms: number,
  fast: WorkerProgress,
  slow: WorkerProgress,
  sent: number,
): SlowWorkerFigures {
  const lasts = [fast, slow].filter((w) => w.count > 0).map((w) => w.lastMs);
  return {
    fastShare: sent > 0 ? fast.count / sent : Number.NaN,
    completionMs: lasts.length > 0 ? Math.max(...lasts) - t0Ms : Number.NaN,
    fastCount: fast.count,
    slowCount: slow.count,
  };
}

/**
 * The resident set size in bytes from the text of /proc/PID/status (its `VmRSS:` line,
 * in kB), or NaN when the line is missing.
 *
 * @example
 * ```ts
 * parseVmRss("Name:\tnode\nVmRSS:\t  123456 kB\n"); // 126418944
 * ```
 */
export function parseVmRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/**
 * True when a later RSS figure stayed flat against an earlier one: within 10 % of the
 * earlier figure or 8 MB (10^6 B), whichever is larger.
 *
 * @example
 * ```ts
 * rssFlat(100e6, 109e6); // true
 * rssFlat(20e6, 27e6); // true (within 8 MB)
 * rssFlat(100e6, 120e6); // false
 * ```
 */
export function rssFlat(earlier: number, later: number): boolean {
  if (!Number.isFinite(earlier) || !Number.isFinite(later)) return false;
  return Math.abs(later - earlier) <= Math.max(0.1 * earlier, 8e6);
}

/** One RSS reading of the `pull-noread-rss` PULL and what the writer had handed to the kernel. */
export interface NoreadPoint {
  /** Milliseconds after the writer was ready (the checkpoint). */
  atMs: number;
  rssBytes: number;
  bytesAccepted: number;
}

/** What one `pull-noread-rss` run saw. */
export interface NoreadRun {
  points: NoreadPoint[];
  /** Set when the PULL passed the cap and was killed: the figure reached and when. */
  capped?: { afterMs: number; rssBytes: number; bytesAccepted: number };
}

/**
 * The JSON fields of a `pull-noread-rss` result from its run: `rssBytes` at the first
 * checkpoint, `rssBytes30` at a 30 s checkpoint, the writer's `bytesAccepted` at each.
 * A run that hit the cap carries `cappedAfterMs`, `cappedRssBytes` (the figure the
 * watchdog saw, a lower bound of what it would have reached) and `capBytes`; when that
 * happened before the first checkpoint, `rssBytes` is that figure and `rssAtMs` is absent.
 *
 * @example
 * ```ts
 * noreadFields({ points: [{ atMs: 2000, rssBytes: 5e6, bytesAccepted: 3e6 }] }, 2 ** 31);
 * // { runs: [5e6], rssBytes: 5e6, rssAtMs: 2000, bytesAccepted: 3e6 }
 * ```
 */
export function noreadFields(
  run: NoreadRun | undefined,
  capBytes: number,
): Partial<BenchResult> & { runs: number[] } {
  if (!run) return { runs: [] };
  const first = run.points[0];
  const out: Partial<BenchResult> & { runs: number[] } = first
    ? { runs: [first.rssBytes], rssBytes: first.rssBytes, rssAtMs: first.atMs }
    : { runs: [] };
  if (first) out.bytesAccepted = first.bytesAccepted;
  const at30 = run.points.find((p) => p.atMs === 30_000 && p !== first);
  if (at30) {
    out.rssBytes30 = at30.rssBytes;
    out.bytesAccepted30 = at30.bytesAccepted;
  }
  if (run.capped) {
    if (!first) {
      out.runs = [run.capped.rssBytes];
      out.rssBytes = run.capped.rssBytes;
      out.bytesAccepted = run.capped.bytesAccepted;
    }
    out.cappedAfterMs = run.capped.afterMs;
    out.cappedRssBytes = run.capped.rssBytes;
    out.capBytes = capBytes;
  }
  return out;
}
