/**
 * The speed targets the bench checks after its table (pure functions): the
 * reference's push/pull rates and REQ/REP round trip against nanomsg's and the
 * raw Node baseline's figures from the same run. A ratio against one peer moves
 * with the CPU, so the round trip and the 64-byte rates are bound on both.
 * Each verdict comes from the measured medians; a figure that is missing (not
 * measured, `error`, left out by `--impl`) makes its target "not checked".
 */
import type { BenchResult, TargetCheck } from "./report.ts";

/** One bound: the reference's median over `peer`'s, at most or at least `bound`. */
export interface SpeedTarget {
  readonly scenario: string;
  readonly peer: "nanomsg" | "raw";
  /** "max" for times (lower is better), "min" for rates. */
  readonly kind: "max" | "min";
  readonly bound: number;
}

/** The speed targets (issue "Performance at the limit"). */
export const speedTargets: readonly SpeedTarget[] = [
  { scenario: "reqrep-tcp-64-rtt", peer: "raw", kind: "max", bound: 1.15 },
  { scenario: "reqrep-tcp-64-rtt", peer: "nanomsg", kind: "max", bound: 0.9 },
  { scenario: "pushpull-tcp-64", peer: "raw", kind: "min", bound: 0.8 },
  { scenario: "pushpull-tcp-64", peer: "nanomsg", kind: "min", bound: 3 },
  { scenario: "pushpull-tcp-1024", peer: "nanomsg", kind: "min", bound: 1.5 },
  { scenario: "pushpull-tcp-4096", peer: "nanomsg", kind: "min", bound: 1.5 },
  { scenario: "pushpull-tcp-65536", peer: "nanomsg", kind: "min", bound: 1 },
  { scenario: "pushpull-ipc-64", peer: "raw", kind: "min", bound: 0.7 },
];

function median(results: readonly BenchResult[], scenario: string, impl: string) {
  const r = results.find((x) => x.scenario === scenario && x.impl === impl);
  if (!r) return { gap: `${impl} not measured` };
  if (r.status !== "ok" || !r.median) return { gap: `${impl} ${r.status}` };
  return { value: r.median };
}

const figure = (v: number, unit: string) =>
  unit === "rtt_us" ? `${v.toFixed(1)} µs` : `${Math.round(v)} msgs/s`;

/**
 * The speed targets whose scenario is among `results`, each met, missed or not checked.
 *
 * @example
 * ```ts
 * checkSpeedTargets(results).filter((c) => c.verdict === "missed");
 * ```
 */
export function checkSpeedTargets(results: readonly BenchResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const t of speedTargets) {
    if (!results.some((r) => r.scenario === t.scenario)) continue;
    const target = `${t.scenario}: ${t.kind === "max" ? "≤" : "≥"} ${t.bound}× ${t.peer}`;
    const ref = median(results, t.scenario, "reference");
    const peer = median(results, t.scenario, t.peer);
    if (ref.value === undefined || peer.value === undefined) {
      out.push({ target, verdict: "not checked", detail: ref.gap ?? peer.gap ?? "" });
      continue;
    }
    const unit = results.find((r) => r.scenario === t.scenario)?.metric ?? "";
    const x = ref.value / peer.value;
    const ok = t.kind === "max" ? x <= t.bound : x >= t.bound;
    out.push({
      target,
      verdict: ok ? "met" : "missed",
      detail: `reference ${figure(ref.value, unit)}, ${t.peer} ${figure(peer.value, unit)}: ${x.toFixed(2)}×`,
    });
  }
  return out;
}
