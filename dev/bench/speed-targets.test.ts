import { describe, expect, it } from "vitest";
import type { BenchResult } from "./report.ts";
import { checkSpeedTargets } from "./speed-targets.ts";

const r = (
  scenario: string,
  impl: BenchResult["impl"],
  median: number,
  metric: BenchResult["metric"] = "msgs_per_s",
): BenchResult => ({ scenario, impl, metric, status: "ok", median, runs: [median] });

const verdicts = (results: BenchResult[]) =>
  Object.fromEntries(checkSpeedTargets(results).map((c) => [c.target, c.verdict]));

describe("speed targets", () => {
  it("a round trip is bound from above on raw and nanomsg, inclusive", () => {
    const rtt = (ref: number) => [
      r("reqrep-tcp-64-rtt", "reference", ref, "rtt_us"),
      r("reqrep-tcp-64-rtt", "raw", 40, "rtt_us"),
      r("reqrep-tcp-64-rtt", "nanomsg", 100, "rtt_us"),
    ];
    expect(verdicts(rtt(46))).toEqual({
      "reqrep-tcp-64-rtt: ≤ 1.15× raw": "met",
      "reqrep-tcp-64-rtt: ≤ 0.9× nanomsg": "met",
    });
    expect(verdicts(rtt(50))).toEqual({
      "reqrep-tcp-64-rtt: ≤ 1.15× raw": "missed",
      "reqrep-tcp-64-rtt: ≤ 0.9× nanomsg": "met",
    });
    expect(checkSpeedTargets(rtt(50))[0]?.detail).toBe("reference 50.0 µs, raw 40.0 µs: 1.25×");
  });

  it("a rate is bound from below; a missing peer is not checked, with the reason", () => {
    expect(
      verdicts([
        r("pushpull-tcp-64", "reference", 1.6e6),
        r("pushpull-tcp-64", "raw", 2e6),
        r("pushpull-tcp-64", "nanomsg", 5e5),
      ]),
    ).toEqual({ "pushpull-tcp-64: ≥ 0.8× raw": "met", "pushpull-tcp-64: ≥ 3× nanomsg": "met" });
    const checks = checkSpeedTargets([
      r("pushpull-tcp-65536", "reference", 9e3),
      { ...r("pushpull-tcp-65536", "nanomsg", 0), status: "error", reason: "crashed" },
    ]);
    expect(checks).toEqual([
      {
        target: "pushpull-tcp-65536: ≥ 1× nanomsg",
        verdict: "not checked",
        detail: "nanomsg error",
      },
    ]);
  });

  it("scenarios not in the run have no target lines", () => {
    expect(checkSpeedTargets([r("pubsub-fanout-tcp-64", "reference", 1)])).toEqual([]);
  });
});
