import { describe, expect, it } from "vitest";
import { adaptiveCount, median, p99, quantile, rateFromSpan, warmupCount } from "./stats.ts";

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

  it("adaptive counts give a slow implementation about two seconds, within [full/10, full]", () => {
    expect(adaptiveCount(20_000, 200_000)).toBe(40_000);
    expect(adaptiveCount(1.3e6, 200_000)).toBe(200_000);
    expect(adaptiveCount(1_000, 200_000)).toBe(20_000);
    expect(adaptiveCount(Number.NaN, 200_000)).toBe(200_000);
    expect(adaptiveCount(5_000, 5_000, 2)).toBe(5_000);
    expect(warmupCount(200_000)).toBe(20_000);
  });
});
