/**
 * Order statistics for benchmark samples (pure functions).
 */

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
 * the rate the warm-up measured, within [`full` / 10, `full`]. A slow
 * implementation (nng's push/pull at ~20k msgs/s) then runs for seconds, not
 * for the ten seconds the full count would take; a fast one keeps `full`.
 * A failed or NaN warm-up rate keeps `full`.
 *
 * @example
 * ```ts
 * adaptiveCount(20_000, 200_000); // 40_000: two seconds at 20k msgs/s
 * adaptiveCount(1.3e6, 200_000); // 200_000
 * ```
 */
export function adaptiveCount(rate: number, full: number, seconds = 2): number {
  const floor = Math.ceil(full / 10);
  if (!(rate > 0)) return full;
  return Math.min(full, Math.max(floor, Math.round(rate * seconds)));
}

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
