import { describe, expect, it } from "vitest";
import type { BenchResult } from "./report.ts";
import { checkTargets, formatTargets } from "./targets.ts";

const ok = (
  scenario: string,
  impl: BenchResult["impl"],
  median: number,
  extra: Partial<BenchResult> = {},
): BenchResult => ({
  scenario,
  impl,
  metric: "msgs_per_s",
  status: "ok",
  median,
  runs: [median],
  ...extra,
});

const verdicts = (results: BenchResult[]) =>
  Object.fromEntries(checkTargets(results).map((c) => [c.target, c.verdict]));

describe("bench targets", () => {
  const sw = "pipeline-slow-worker-tcp";

  it("slow worker: fast share ≥ 90 % and completion ≤ 1.2 × nanomsg's, from the figures", () => {
    const v = verdicts([
      ok(sw, "reference", 2100, { metric: "completion_ms", fastShare: 0.95, count: 2000 }),
      ok(sw, "nanomsg", 1800, { metric: "completion_ms", fastShare: 0.956 }),
    ]);
    expect(v).toEqual({
      "pipeline-slow-worker-tcp: fast worker ≥ 90%": "met",
      "pipeline-slow-worker-tcp: completion ≤ 1.2 × nanomsg": "met",
    });
    const missed = verdicts([
      ok(sw, "reference", 20_000, { metric: "completion_ms", fastShare: 0.5 }),
      ok(sw, "nanomsg", 1800, { metric: "completion_ms", fastShare: 0.956 }),
    ]);
    expect(Object.values(missed)).toEqual(["missed", "missed"]);
  });

  it("slow worker: the completion bound is 1.2 × nanomsg exactly, inclusive", () => {
    const c = checkTargets([
      ok(sw, "reference", 1200, { metric: "completion_ms", fastShare: 0.9 }),
      ok(sw, "nanomsg", 1000, { metric: "completion_ms", fastShare: 0.95 }),
    ]);
    expect(c.map((x) => x.verdict)).toEqual(["met", "met"]);
    expect(c[1]?.detail).toBe("reference 1200 ms, nanomsg 1000 ms: 1.20×");
  });

  it("slow worker: a failed or missing run is not checked, with the reason", () => {
    const c = checkTargets([
      {
        scenario: sw,
        impl: "reference",
        metric: "completion_ms",
        status: "error",
        reason: "not complete within 60 s",
        median: null,
        runs: [],
      },
    ]);
    expect(c.map((x) => x.verdict)).toEqual(["not checked", "not checked"]);
    expect(c[0]?.detail).toContain("reference error: not complete within 60 s");
    const noNanomsg = checkTargets([
      ok(sw, "reference", 1000, { metric: "completion_ms", fastShare: 0.99 }),
    ]);
    expect(noNanomsg.map((x) => x.verdict)).toEqual(["met", "not checked"]);
    expect(noNanomsg[1]?.detail).toBe("nanomsg not measured");
  });

  const rss = (extra: Partial<BenchResult>) =>
    ok("pull-noread-rss", "reference", extra.rssBytes ?? 0, { metric: "rss_bytes", ...extra });

  it("no-read RSS: ≤ 128 MB, and flat from 8 s to 30 s", () => {
    expect(
      Object.values(verdicts([rss({ rssBytes: 60e6, rssAtMs: 8000, rssBytes30: 62e6 })])),
    ).toEqual(["met", "met"]);
    expect(
      Object.values(verdicts([rss({ rssBytes: 100e6, rssAtMs: 8000, rssBytes30: 125e6 })])),
    ).toEqual(["met", "missed"]);
    expect(
      Object.values(verdicts([rss({ rssBytes: 100e6, rssAtMs: 8000, rssBytes30: 130e6 })])),
    ).toEqual(["missed", "missed"]);
  });

  it("no-read RSS: a quick run cannot check flatness; a capped run misses both", () => {
    const quick = checkTargets([rss({ rssBytes: 60e6, rssAtMs: 2000 })]);
    expect(quick.map((c) => c.verdict)).toEqual(["met", "not checked"]);
    expect(quick[0]?.detail).toBe("reference 60.0 MB after 2 s");
    const capped = checkTargets([
      rss({ rssBytes: 2.2e9, cappedRssBytes: 2.2e9, cappedAfterMs: 3000, capBytes: 2 ** 31 }),
    ]);
    expect(capped.map((c) => c.verdict)).toEqual(["missed", "missed"]);
    expect(capped[0]?.detail).toContain("passed the 2147.5 MB cap after 3.0 s");
  });

  it("fan-out: delivered ≥ 95 % and rate ≥ nanomsg's for every subscriber count", () => {
    const fan = (impl: BenchResult["impl"], subscribers: number, rate: number, d: number) =>
      ok("pubsub-fanout-tcp-64", impl, rate, { subscribers, deliveredRatio: d });
    const v = verdicts([
      fan("reference", 1, 2e5, 0.99),
      fan("nanomsg", 1, 1e5, 1),
      fan("reference", 10, 1e5, 0.18),
      fan("nanomsg", 10, 2e5, 1),
    ]);
    expect(v).toEqual({
      "pubsub-fanout-tcp-64 ×1: delivered ≥ 95%": "met",
      "pubsub-fanout-tcp-64 ×1: delivered rate ≥ nanomsg's": "met",
      "pubsub-fanout-tcp-64 ×10: delivered ≥ 95%": "missed",
      "pubsub-fanout-tcp-64 ×10: delivered rate ≥ nanomsg's": "missed",
    });
  });

  it("other scenarios have no targets here, and the printout lists each verdict", () => {
    expect(checkTargets([ok("pushpull-tcp-64", "reference", 1e6)])).toEqual([]);
    expect(formatTargets([])).toBe("");
    const text = formatTargets([
      { target: "a", verdict: "met", detail: "x" },
      { target: "b", verdict: "not checked", detail: "y" },
    ]);
    expect(text.split("\n")).toEqual([
      "targets (reference):",
      "  MET          a: x",
      "  NOT CHECKED  b: y",
    ]);
  });
});
