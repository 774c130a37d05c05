import { describe, expect, it } from "vitest";
import {
  type BenchResult,
  buildReport,
  formatCount,
  formatMB,
  formatPercent,
  formatTable,
  impls,
  machineInfo,
  unavailable,
} from "./report.ts";
import { scenarios } from "./scenarios.ts";

const ok = (
  impl: BenchResult["impl"],
  median: number,
  extra: Partial<BenchResult> = {},
): BenchResult => ({
  scenario: "pushpull-tcp-64",
  impl,
  metric: "msgs_per_s",
  status: "ok",
  median,
  runs: [median],
  ...extra,
});

describe("bench report", () => {
  it("has the documented JSON shape", () => {
    const machine = { cpus: 2, model: "AMD EPYC", memory: 1024, node: "v20.0.0", os: "linux" };
    const doc = buildReport({
      results: [ok("reference", 3e5), ok("nanomsg", 1e5)],
      machine,
      command: "npm run bench -- --quick",
      quick: true,
      now: new Date(0),
    });
    const round = JSON.parse(JSON.stringify(doc));
    expect(round).toEqual({
      schemaVersion: 1,
      generatedAt: "1970-01-01T00:00:00.000Z",
      command: "npm run bench -- --quick",
      quick: true,
      machine,
      results: [
        {
          scenario: "pushpull-tcp-64",
          impl: "reference",
          metric: "msgs_per_s",
          status: "ok",
          median: 3e5,
          runs: [3e5],
        },
        {
          scenario: "pushpull-tcp-64",
          impl: "nanomsg",
          metric: "msgs_per_s",
          status: "ok",
          median: 1e5,
          runs: [1e5],
        },
      ],
    });
  });

  it("describes this machine with cpus, model, memory, node and os", () => {
    const m = machineInfo();
    expect(Object.keys(m).sort()).toEqual(["cpus", "memory", "model", "node", "os"]);
    expect(m.cpus).toBeGreaterThan(0);
    expect(m.node).toBe(process.version);
  });

  it("an unavailable result carries its reason and no figure", () => {
    const r = unavailable({ scenario: "x", impl: "reference", metric: "msgs_per_s" }, "no pull0");
    expect(r).toEqual({
      scenario: "x",
      impl: "reference",
      metric: "msgs_per_s",
      status: "unavailable",
      reason: "no pull0",
      median: null,
      runs: [],
    });
  });

  it("the table shows reference/nanomsg, reference/nng and reference/raw ratios", () => {
    const text = formatTable([
      ok("reference", 300_000),
      ok("nanomsg", 100_000),
      ok("nng", 150_000),
      ok("raw", 600_000),
    ]);
    const row = text.split("\n").find((l) => l.startsWith("pushpull-tcp-64")) ?? "";
    expect(row).toContain("300.0k");
    expect(row).toMatch(/3\.00×\s+2\.00×\s+0\.50×$/);
  });

  it("the table marks unmeasured cells and lists the reasons", () => {
    const text = formatTable([
      unavailable(
        { scenario: "pushpull-inproc-64", impl: "raw", metric: "msgs_per_s" },
        "no in-process variant",
      ),
      ok("nng", 1000, { scenario: "pushpull-inproc-64" }),
    ]);
    expect(text).toContain("n/a");
    expect(text).toContain("pushpull-inproc-64 [raw] unavailable: no in-process variant");
  });

  it("latency cells show the p99 and fan-out cells show losses", () => {
    const text = formatTable([
      ok("reference", 80, { scenario: "reqrep-tcp-64-rtt", metric: "rtt_us", p99: 250 }),
      ok("nng", 5e4, { scenario: "pubsub-fanout-tcp-64", subscribers: 10, deliveredRatio: 0.5 }),
    ]);
    expect(text).toContain("80.00 (p99 250)");
    expect(text).toContain("pubsub-fanout-tcp-64 ×10");
    expect(text).toContain("(got 50%)");
  });

  it("counts read as 1, 1k, 1M, 10M", () => {
    expect([1, 1000, 1_000_000, 10_000_000].map(formatCount)).toEqual(["1", "1k", "1M", "10M"]);
  });

  it("every implementation and scenario name is the agreed one", () => {
    expect([...impls]).toEqual([
      "reference",
      "nng",
      "nanomsg",
      "raw",
      "reference->nng",
      "nng->reference",
    ]);
    expect(scenarios.map((s) => s.name)).toEqual([
      "pushpull-tcp-64",
      "pushpull-tcp-1024",
      "pushpull-tcp-4096",
      "pushpull-tcp-65536",
      "pushpull-ipc-64",
      "pushpull-inproc-64",
      "reqrep-tcp-64-rtt",
      "pubsub-fanout-tcp-64",
      "pipeline-slow-worker-tcp",
      "pipeline-slow-worker-ipc",
      "pull-noread-rss",
      "subs-random16",
      "subs-prefix",
      "conformance-wall",
    ]);
  });

  it("fan-out rows get a delivered column with each implementation's ratio", () => {
    const fan = (impl: BenchResult["impl"], rate: number, deliveredRatio: number) =>
      ok(impl, rate, { scenario: "pubsub-fanout-tcp-64", subscribers: 10, deliveredRatio });
    const text = formatTable([
      fan("reference", 1e5, 0.18),
      fan("nng", 5e4, 0.996),
      fan("nanomsg", 2e5, 1),
    ]);
    const [head, , row] = text.split("\n");
    expect(head).toMatch(/nng->reference\s+delivered\s+ref\/nanomsg/);
    expect(row).toContain("ref 18%, nng 99.6%, nanomsg 100%");
    expect(formatTable([ok("reference", 1)])).not.toContain("delivered");
  });

  it("slow-worker cells show the completion time and the fast worker's share", () => {
    const text = formatTable([
      ok("reference", 20_012, {
        scenario: "pipeline-slow-worker-tcp",
        metric: "completion_ms",
        fastShare: 0.5,
      }),
      ok("nanomsg", 1812, {
        scenario: "pipeline-slow-worker-tcp",
        metric: "completion_ms",
        fastShare: 0.956,
      }),
    ]);
    expect(text).toContain("20.0k (fast 50%)");
    expect(text).toContain("1812 (fast 96%)");
    expect(text).toMatch(/11\.04×/);
  });

  it("no-read cells show the RSS in MB, its 30 s figure, or the cap it passed", () => {
    const rss = (extra: Partial<BenchResult>) =>
      formatTable([
        ok("reference", extra.rssBytes ?? 0, {
          scenario: "pull-noread-rss",
          metric: "rss_bytes",
          ...extra,
        }),
      ])
        .split("\n")[2]
        ?.split(/\s{2,}/)[2];
    expect(rss({ rssBytes: 62.7e6, rssAtMs: 2000 })).toBe("62.7 MB");
    expect(rss({ rssBytes: 62.7e6, rssAtMs: 8000, rssBytes30: 63e6 })).toBe("62.7 MB → 63.0 MB");
    expect(
      rss({ rssBytes: 2.2e9, cappedRssBytes: 2.2e9, cappedAfterMs: 1234, capBytes: 2 ** 31 }),
    ).toBe("≥2200.0 MB (capped 1.2 s)");
    expect(
      rss({ rssBytes: 1.1e9, rssAtMs: 8000, cappedRssBytes: 2.2e9, cappedAfterMs: 14_100 }),
    ).toBe("1100.0 MB → ≥2200.0 MB (capped 14.1 s)");
  });

  it("formats megabytes and percentages", () => {
    expect(formatMB(128e6)).toBe("128.0 MB");
    expect(formatMB(undefined)).toBe("-");
    expect(formatPercent(0.956)).toBe("96%");
    expect(formatPercent(0.9996)).toBe("99.9%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(Number.NaN)).toBe("-");
  });

  it("the JSON carries the target checks when there are any", () => {
    const machine = { cpus: 2, model: "x", memory: 1, node: "v20", os: "linux" };
    const targets = [{ target: "t", verdict: "met" as const, detail: "d" }];
    const base = { results: [], machine, command: "c", quick: true, now: new Date(0) };
    expect(buildReport({ ...base, targets }).targets).toEqual(targets);
    expect("targets" in buildReport({ ...base, targets: [] })).toBe(false);
  });
});
