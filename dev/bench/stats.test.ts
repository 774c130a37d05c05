import { describe, expect, it } from "vitest";
import {
  adaptiveCount,
  MAX_RUN_FACTOR,
  median,
  noreadFields,
  p99,
  parseVmRss,
  quantile,
  rateFromSpan,
  rssFlat,
  slowWorkerFigures,
  warmupCount,
} from "./stats.ts";

describe("bench statistics", () => {
  it("median takes the middle sample of an odd count, unsorted input", () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it("median averages the two middle samples of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("median of nothing is NaN and the input is not reordered", () => {
    const xs = [3, 1, 2];
    expect(median([])).toBeNaN();
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it("p99 is the nearest-rank 99th percentile", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(p99(hundred)).toBe(99);
    const thousand = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(p99(thousand)).toBe(990);
    expect(p99([7])).toBe(7);
  });

  it("p99 sees a single slow outlier among few samples", () => {
    expect(p99([1, 1, 1, 1, 50])).toBe(50);
  });

  it("quantile rejects q outside [0, 1]", () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(quantile([5, 6], 0)).toBe(5);
  });

  it("rate counts the intervals between first and last message", () => {
    expect(rateFromSpan(1001, 1e9)).toBe(1000);
    expect(rateFromSpan(1, 1e9)).toBeNaN();
    expect(rateFromSpan(10, 0)).toBeNaN();
  });

  it("adaptive counts give every implementation about two seconds, within [full/10, 25 × full]", () => {
    expect(adaptiveCount(20_000, 200_000)).toBe(40_000);
    expect(adaptiveCount(1.3e6, 200_000)).toBe(2_600_000);
    expect(adaptiveCount(1e9, 200_000)).toBe(200_000 * MAX_RUN_FACTOR);
    expect(adaptiveCount(1_000, 200_000)).toBe(20_000);
    expect(adaptiveCount(Number.NaN, 200_000)).toBe(200_000);
    expect(adaptiveCount(5_000, 5_000, 2)).toBe(10_000);
    expect(warmupCount(200_000)).toBe(20_000);
  });
});

describe("flow-control figures", () => {
  it("slow worker: the fast worker's share of what was sent, completion from the first send to the last message", () => {
    const f = slowWorkerFigures(
      1000,
      { count: 1900, firstMs: 1001, lastMs: 1020.5 },
      { count: 100, firstMs: 1001.5, lastMs: 3000.25 },
      2000,
    );
    expect(f).toEqual({ fastShare: 0.95, completionMs: 2000.25, fastCount: 1900, slowCount: 100 });
  });

  it("slow worker: a worker that got nothing does not end the run; the fast one can be last", () => {
    const f = slowWorkerFigures(
      0,
      { count: 2000, firstMs: 1, lastMs: 50 },
      { count: 0, firstMs: 0, lastMs: 0 },
      2000,
    );
    expect(f.fastShare).toBe(1);
    expect(f.completionMs).toBe(50);
    expect(
      slowWorkerFigures(
        0,
        { count: 0, firstMs: 0, lastMs: 0 },
        { count: 0, firstMs: 0, lastMs: 0 },
        0,
      ).completionMs,
    ).toBeNaN();
  });

  it("VmRSS is read from /proc/PID/status in kB", () => {
    expect(parseVmRss("Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads: 7\n")).toBe(
      123456 * 1024,
    );
    expect(parseVmRss("Name:\tzombie\n")).toBeNaN();
  });

  it("RSS is flat within 10 % or 8 MB, whichever is larger", () => {
    expect(rssFlat(100e6, 109e6)).toBe(true);
    expect(rssFlat(100e6, 91e6)).toBe(true);
    expect(rssFlat(100e6, 111e6)).toBe(false);
    expect(rssFlat(20e6, 27.9e6)).toBe(true);
    expect(rssFlat(20e6, 28.1e6)).toBe(false);
    expect(rssFlat(Number.NaN, 1)).toBe(false);
  });

  it("no-read fields: the first checkpoint is rssBytes, the 30 s one rssBytes30", () => {
    expect(
      noreadFields(
        {
          points: [
            { atMs: 8000, rssBytes: 60e6, bytesAccepted: 4e6 },
            { atMs: 30000, rssBytes: 61e6, bytesAccepted: 4.1e6 },
          ],
        },
        2 ** 31,
      ),
    ).toEqual({
      runs: [60e6],
      rssBytes: 60e6,
      rssAtMs: 8000,
      bytesAccepted: 4e6,
      rssBytes30: 61e6,
      bytesAccepted30: 4.1e6,
    });
  });

  it("no-read fields: a cap before the first checkpoint makes the watchdog's figure rssBytes", () => {
    const capped = { afterMs: 1200, rssBytes: 2.2e9, bytesAccepted: 2e9 };
    expect(noreadFields({ points: [], capped }, 2 ** 31)).toEqual({
      runs: [2.2e9],
      rssBytes: 2.2e9,
      bytesAccepted: 2e9,
      cappedAfterMs: 1200,
      cappedRssBytes: 2.2e9,
      capBytes: 2 ** 31,
    });
    const later = noreadFields(
      {
        points: [{ atMs: 8000, rssBytes: 1.1e9, bytesAccepted: 1e9 }],
        capped: { ...capped, afterMs: 14000 },
      },
      2 ** 31,
    );
    expect(later).toMatchObject({ rssBytes: 1.1e9, rssAtMs: 8000, cappedAfterMs: 14000 });
    expect(later.rssBytes30).toBeUndefined();
  });
});
