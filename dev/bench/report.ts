/**
 * The benchmark report: result records, the JSON document and the printed
 * table with ratios (pure functions, except `machineInfo` which reads `os`).
 */
import { arch, cpus, platform, release, totalmem } from "node:os";

/** Every implementation (or sender->receiver pair) a scenario runs for. */
export const impls = [
  "reference",
  "nng",
  "nanomsg",
  "raw",
  "reference->nng",
  "nng->reference",
] as const;

/** One implementation name or mixed pair. */
export type Impl = (typeof impls)[number];

/** What a result's `median` measures. */
export type Metric =
  | "msgs_per_s"
  | "rtt_us"
  | "match_ns_per_message"
  | "seconds"
  | "completion_ms"
  | "rss_bytes";

/** One scenario measured (or not) for one implementation. */
export interface BenchResult {
  scenario: string;
  impl: Impl;
  metric: Metric;
  /** ok: measured; unavailable: the implementation lacks something (see reason); error: a run failed. */
  status: "ok" | "unavailable" | "error";
  reason?: string;
  /** Median over `runs`; null unless status is ok. */
  median: number | null;
  /** One figure per measured run. */
  runs: number[];
  /** Latency: 99th percentile over all samples of all runs. */
  p99?: number;
  /** Fan-out: number of subscriber sockets. */
  subscribers?: number;
  /** Fan-out: delivered / (sent × subscribers), median over runs (PUB may drop). */
  deliveredRatio?: number;
  /** Subscription scenarios: number of subscriptions held. */
  subscriptions?: number;
  /** Subscription scenarios: heapUsed growth per subscription, bytes. */
  bytesPerSubscription?: number;
  /** Subscription scenarios: time to match one message, nanoseconds (same as median). */
  matchNsPerMessage?: number;
  /** Subscription scenarios: the heap (V8) and external (ArrayBuffer) parts of bytesPerSubscription. */
  heapBytesPerSubscription?: number;
  externalBytesPerSubscription?: number;
  /** Subscription scenarios: time to add one subscription while filling, nanoseconds. */
  insertNsPerSubscription?: number;
  /** Subscription scenarios: [matching, total] of the probe messages (a sanity check). */
  matchedOfMessages?: [number, number];
  /** Messages (or round trips) per measured run. */
  count?: number;
  /** Slow worker: share of the messages the fast worker got (0..1), median over runs. */
  fastShare?: number;
  /** Slow worker: the fast worker's share in each measured run. */
  fastShareRuns?: number[];
  /** No-read PULL: its RSS at the first checkpoint (8 s; --quick: 2 s), bytes. */
  rssBytes?: number;
  /** No-read PULL: when rssBytes was read, ms after the writer started (8000; --quick: 2000). */
  rssAtMs?: number;
  /** No-read PULL: its RSS after 30 s (full runs), bytes. */
  rssBytes30?: number;
  /** No-read PULL: bytes the writer had handed to its kernel at the first checkpoint. */
  bytesAccepted?: number;
  /** No-read PULL: the same after 30 s (full runs). */
  bytesAccepted30?: number;
  /** No-read PULL: when it passed the RSS cap and was killed, ms after the writer started. */
  cappedAfterMs?: number;
  /** No-read PULL: the RSS the watchdog saw when it killed it (a lower bound), bytes. */
  cappedRssBytes?: number;
  /** No-read PULL: the cap it passed, bytes. */
  capBytes?: number;
}

/** One target of the issue, checked against this run's figures. */
export interface TargetCheck {
  /** What the target asks, e.g. "pipeline-slow-worker-tcp: fast worker ≥ 90 %". */
  target: string;
  verdict: "met" | "missed" | "not checked";
  /** The measured figures behind the verdict (or why it was not checked). */
  detail: string;
}

/** The machine the figures came from. */
export interface MachineInfo {
  cpus: number;
  model: string;
  memory: number;
  node: string;
  os: string;
}

/** The JSON document `--json FILE` writes. */
export interface BenchReport {
  schemaVersion: 1;
  generatedAt: string;
  command: string;
  quick: boolean;
  machine: MachineInfo;
  results: BenchResult[];
  /** The targets printed after the table, with their verdicts (absent when none applied). */
  targets?: TargetCheck[];
}

/**
 * Describes this machine.
 *
 * @example
 * ```ts
 * machineInfo().cpus; // 2
 * ```
 */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? "unknown",
    memory: totalmem(),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
  };
}

/**
 * Assembles the JSON document (no I/O).
 *
 * @example
 * ```ts
 * const doc = buildReport({ results, machine: machineInfo(), command: "bench --quick", quick: true });
 * ```
 */
export function buildReport(input: {
  results: readonly BenchResult[];
  machine: MachineInfo;
  command: string;
  quick: boolean;
  now?: Date;
  targets?: readonly TargetCheck[];
}): BenchReport {
  const doc: BenchReport = {
    schemaVersion: 1,
    generatedAt: (input.now ?? new Date()).toISOString(),
    command: input.command,
    quick: input.quick,
    machine: input.machine,
    results: [...input.results],
  };
  if (input.targets && input.targets.length > 0) doc.targets = [...input.targets];
  return doc;
}

/** A result that was not measured, with the reason. */
export function unavailable(
  base: Pick<BenchResult, "scenario" | "impl" | "metric"> & Partial<BenchResult>,
  reason: string,
  status: "unavailable" | "error" = "unavailable",
): BenchResult {
  return { ...base, status, reason, median: null, runs: [] };
}

/** Compact number: 1234567 → "1.23M", 0.5 → "0.500". */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** Bytes in decimal megabytes: 123456789 → "123.5 MB". */
export function formatMB(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "-";
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * A ratio 0..1 as a whole percentage: 0.956 → "96%". Just under 100 % keeps a
 * decimal (0.996 → "99.6%") so that a loss never reads as 100 %.
 */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "-";
  const whole = (ratio * 100).toFixed(0);
  return whole === "100" && ratio < 1
    ? `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`
    : `${whole}%`;
}

/** A count as 1, 1k, 1M, 10M. */
export function formatCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** The row label of a result: scenario plus its variant (subscribers, subscriptions). */
export function rowLabel(r: BenchResult): string {
  if (r.subscribers !== undefined) return `${r.scenario} ×${r.subscribers}`;
  if (r.subscriptions !== undefined) return `${r.scenario} @${formatCount(r.subscriptions)}`;
  return r.scenario;
}

/**
 * One table cell: the median with its extras (p99, bytes per subscription, delivered
 * share, fast worker share, RSS in MB), or n/a / ERR.
 *
 * @example
 * ```ts
 * formatCell(result); // "2465 (fast 88%)"
 * ```
 */
export function formatCell(r: BenchResult | undefined): string {
  if (!r) return "";
  if (r.status !== "ok") return r.status === "unavailable" ? "n/a" : "ERR";
  if (r.metric === "rss_bytes") {
    if (r.cappedAfterMs !== undefined) {
      const capped = `≥${formatMB(r.cappedRssBytes)} (capped ${(r.cappedAfterMs / 1000).toFixed(1)} s)`;
      return r.rssAtMs === undefined ? capped : `${formatMB(r.rssBytes)} → ${capped}`;
    }
    return r.rssBytes30 === undefined
      ? formatMB(r.rssBytes)
      : `${formatMB(r.rssBytes)} → ${formatMB(r.rssBytes30)}`;
  }
  let s = formatNumber(r.median);
  if (r.fastShare !== undefined) s += ` (fast ${formatPercent(r.fastShare)})`;
  if (r.p99 !== undefined) s += ` (p99 ${formatNumber(r.p99)})`;
  if (r.bytesPerSubscription !== undefined) s += ` ${formatNumber(r.bytesPerSubscription)}B/sub`;
  if (r.deliveredRatio !== undefined && r.deliveredRatio < 0.995) {
    s += ` (got ${(r.deliveredRatio * 100).toFixed(0)}%)`;
  }
  return s;
}

/** Short names for the delivered column: "ref 18%, nng 57%, nanomsg 100%". */
const shortImpl: Record<Impl, string> = {
  reference: "ref",
  nng: "nng",
  nanomsg: "nanomsg",
  raw: "raw",
  "reference->nng": "ref->nng",
  "nng->reference": "nng->ref",
};

/** The delivered ratios of a fan-out row, per implementation in column order. */
function deliveredCell(byImpl: Map<Impl, BenchResult>): string {
  return impls
    .flatMap((i) => {
      const r = byImpl.get(i);
      return r?.status === "ok" && r.deliveredRatio !== undefined
        ? [`${shortImpl[i]} ${formatPercent(r.deliveredRatio)}`]
        : [];
    })
    .join(", ");
}

function ratio(a: BenchResult | undefined, b: BenchResult | undefined): string {
  if (a?.status !== "ok" || b?.status !== "ok" || !a.median || !b.median) return "";
  return `${(a.median / b.median).toFixed(2)}×`;
}

/**
 * Renders the results as a fixed-width text table: one row per scenario
 * variant, one column per implementation, then reference/nanomsg,
 * reference/nng and reference/raw of the medians. Unmeasured cells read
 * `n/a` (unavailable) or `ERR`; the reasons follow the table. When fan-out rows are
 * present, a `delivered` column lists each implementation's deliveredRatio.
 *
 * @example
 * ```ts
 * console.log(formatTable(results));
 * ```
 */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = new Map<string, Map<Impl, BenchResult>>();
  for (const r of results) {
    const key = rowLabel(r);
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)?.set(r.impl, r);
  }
  const withDelivered = results.some((r) => r.deliveredRatio !== undefined);
  const header = [
    "scenario",
    "metric",
    ...impls,
    ...(withDelivered ? ["delivered"] : []),
    "ref/nanomsg",
    "ref/nng",
    "ref/raw",
  ];
  const lines: string[][] = [header];
  for (const [label, byImpl] of rows) {
    const any = byImpl.values().next().value as BenchResult;
    const ref = byImpl.get("reference");
    lines.push([
      label,
      any.metric,
      ...impls.map((i) => formatCell(byImpl.get(i))),
      ...(withDelivered ? [deliveredCell(byImpl)] : []),
      ratio(ref, byImpl.get("nanomsg")),
      ratio(ref, byImpl.get("nng")),
      ratio(ref, byImpl.get("raw")),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => (l[c] ?? "").length)));
  const text = lines.map((l) =>
    l
      .map((v, c) => v.padEnd(widths[c] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  text.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const notes = results
    .filter((r) => r.status !== "ok")
    .map((r) => `  ${rowLabel(r)} [${r.impl}] ${r.status}: ${r.reason ?? ""}`);
  const reasons = [...new Set(notes)];
  return reasons.length > 0
    ? `${text.join("\n")}\n\nnot measured:\n${reasons.join("\n")}`
    : text.join("\n");
}
