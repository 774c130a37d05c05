/**
 * The flow-control targets the bench checks after its table (pure functions): the
 * reference against fixed bounds and against nanomsg's figures from the same run.
 * Each verdict comes from the measured numbers; a target whose figures are missing
 * reads "not checked", with the reason.
 */
import {
  type BenchResult,
  formatMB,
  formatNumber,
  formatPercent,
  type TargetCheck,
} from "./report.ts";
import { rssFlat } from "./stats.ts";

/** Bounds of the targets. */
export const targetBounds = {
  /** pipeline-slow-worker: the fast worker's share. */
  fastShare: 0.9,
  /** pipeline-slow-worker: completion time against nanomsg's (same run, same transport). */
  completionVsNanomsg: 1.2,
  /** pull-noread-rss: RSS bound, bytes (decimal MB). */
  rssBytes: 128e6,
  /** pubsub-fanout: delivered / (sent × subscribers). */
  deliveredRatio: 0.95,
} as const;

const find = (results: readonly BenchResult[], label: (r: BenchResult) => boolean) =>
  results.find(label);

/** Why a result cannot back a verdict, or undefined when it is ok. */
function missing(r: BenchResult | undefined, impl: string): string | undefined {
  if (!r) return `${impl} not measured`;
  if (r.status !== "ok") return `${impl} ${r.status}: ${r.reason ?? ""}`.trim();
  return undefined;
}

const check = (target: string, ok: boolean | undefined, detail: string): TargetCheck => ({
  target,
  verdict: ok === undefined ? "not checked" : ok ? "met" : "missed",
  detail,
});

/**
 * The targets that apply to `results`: for each `pipeline-slow-worker-*` scenario the
 * reference's fast-worker share (≥ 90 %) and completion time (≤ 1.2 × nanomsg's); for
 * `pull-noread-rss` the reference's RSS (≤ 128 MB) and its flatness (the 30 s figure
 * within 10 % or 8 MB of the 8 s one); for each fan-out variant the reference's
 * deliveredRatio (≥ 95 %) and delivered rate (≥ nanomsg's).
 *
 * @example
 * ```ts
 * checkTargets(results).filter((c) => c.verdict === "missed");
 * ```
 */
export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  for (const sc of scenarios.filter((s) => s.startsWith("pipeline-slow-worker-"))) {
    const ref = find(results, (r) => r.scenario === sc && r.impl === "reference");
    const nn = find(results, (r) => r.scenario === sc && r.impl === "nanomsg");
    const shareTarget = `${sc}: fast worker ≥ ${formatPercent(targetBounds.fastShare)}`;
    const refGap = missing(ref, "reference");
    if (refGap || ref?.fastShare === undefined) {
      out.push(check(shareTarget, undefined, refGap ?? "reference has no fastShare"));
    } else {
      const got = ref.count === undefined ? "" : ` of ${ref.count}`;
      out.push(
        check(
          shareTarget,
          ref.fastShare >= targetBounds.fastShare,
          `reference ${formatPercent(ref.fastShare)}${got}${nn?.fastShare === undefined ? "" : `; nanomsg ${formatPercent(nn.fastShare)}`}`,
        ),
      );
    }
    const timeTarget = `${sc}: completion ≤ ${targetBounds.completionVsNanomsg} × nanomsg`;
    const gap = refGap ?? missing(nn, "nanomsg");
    if (gap || !ref?.median || !nn?.median) {
      out.push(check(timeTarget, undefined, gap ?? "no completion time"));
    } else {
      const x = ref.median / nn.median;
      out.push(
        check(
          timeTarget,
          x <= targetBounds.completionVsNanomsg,
          `reference ${formatNumber(ref.median)} ms, nanomsg ${formatNumber(nn.median)} ms: ${x.toFixed(2)}×`,
        ),
      );
    }
  }
  const noread = find(results, (r) => r.scenario === "pull-noread-rss" && r.impl === "reference");
  if (results.some((r) => r.scenario === "pull-noread-rss")) {
    const rssTarget = `pull-noread-rss: RSS ≤ ${formatMB(targetBounds.rssBytes)}`;
    const flatTarget = "pull-noread-rss: RSS after 30 s within 10 % (or 8 MB) of after 8 s";
    const gap = missing(noread, "reference");
    if (gap || noread?.rssBytes === undefined) {
      out.push(check(rssTarget, undefined, gap ?? "reference has no rssBytes"));
      out.push(check(flatTarget, undefined, gap ?? "reference has no rssBytes"));
    } else if (noread.cappedAfterMs !== undefined) {
      const before =
        noread.rssAtMs === undefined
          ? ""
          : `${formatMB(noread.rssBytes)} after ${noread.rssAtMs / 1000} s, then `;
      const what = `reference ${before}passed the ${formatMB(noread.capBytes)} cap after ${(noread.cappedAfterMs / 1000).toFixed(1)} s (≥ ${formatMB(noread.cappedRssBytes)}) and was killed`;
      out.push(check(rssTarget, false, what));
      out.push(check(flatTarget, false, what));
    } else {
      const at = noread.rssAtMs === undefined ? "" : ` after ${noread.rssAtMs / 1000} s`;
      out.push(
        check(
          rssTarget,
          noread.rssBytes <= targetBounds.rssBytes &&
            (noread.rssBytes30 === undefined || noread.rssBytes30 <= targetBounds.rssBytes),
          `reference ${formatMB(noread.rssBytes)}${at}${noread.rssBytes30 === undefined ? "" : `, ${formatMB(noread.rssBytes30)} after 30 s`}`,
        ),
      );
      out.push(
        noread.rssBytes30 === undefined
          ? check(flatTarget, undefined, "no 30 s figure (--quick reads the RSS once)")
          : check(
              flatTarget,
              rssFlat(noread.rssBytes, noread.rssBytes30),
              `reference ${formatMB(noread.rssBytes)} → ${formatMB(noread.rssBytes30)}`,
            ),
      );
    }
  }
  const fanout = results.filter((r) => r.subscribers !== undefined);
  for (const subs of [...new Set(fanout.map((r) => r.subscribers as number))]) {
    const row = fanout.filter((r) => r.subscribers === subs);
    const label = `${row[0]?.scenario} ×${subs}`;
    const ref = row.find((r) => r.impl === "reference");
    const nn = row.find((r) => r.impl === "nanomsg");
    const ratioTarget = `${label}: delivered ≥ ${formatPercent(targetBounds.deliveredRatio)}`;
    const refGap = missing(ref, "reference");
    if (refGap || ref?.deliveredRatio === undefined) {
      out.push(check(ratioTarget, undefined, refGap ?? "reference has no deliveredRatio"));
    } else {
      out.push(
        check(
          ratioTarget,
          ref.deliveredRatio >= targetBounds.deliveredRatio,
          `reference ${formatPercent(ref.deliveredRatio)}${nn?.deliveredRatio === undefined ? "" : `; nanomsg ${formatPercent(nn.deliveredRatio)}`}`,
        ),
      );
    }
    const rateTarget = `${label}: delivered rate ≥ nanomsg's`;
    const gap = refGap ?? missing(nn, "nanomsg");
    if (gap || !ref?.median || !nn?.median) {
      out.push(check(rateTarget, undefined, gap ?? "no rate"));
    } else {
      out.push(
        check(
          rateTarget,
          ref.median >= nn.median,
          `reference ${formatNumber(ref.median)} msgs/s, nanomsg ${formatNumber(nn.median)} msgs/s: ${(ref.median / nn.median).toFixed(2)}×`,
        ),
      );
    }
  }
  return out;
}

/**
 * The target lines printed after the table: verdict, target, figures.
 *
 * @example
 * ```ts
 * console.log(formatTargets(checkTargets(results)));
 * // targets (reference):
 * //   missed       pipeline-slow-worker-tcp: fast worker ≥ 90%: reference 50% of 2000; nanomsg 95%
 * ```
 */
export function formatTargets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return "";
  const w = Math.max(...checks.map((c) => c.verdict.length));
  return [
    "targets (reference):",
    ...checks.map((c) => `  ${c.verdict.toUpperCase().padEnd(w)}  ${c.target}: ${c.detail}`),
  ].join("\n");
}
