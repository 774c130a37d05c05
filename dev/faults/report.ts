/**
 * The fault run's results and how they are shown: one console block per
 * fault, the summary line, and reports/faults/faults.{json,md}.
 */
import type { Catch } from "./verdicts.ts";

/** The outcome of one fault. */
export interface FaultResult {
  id: string;
  /** A legal variant: it passes when no case caught it. */
  conforming?: boolean;
  requirements: string[];
  description: string;
  observe: string;
  families: string[];
  /** True when at least one case caught the fault. */
  caught: boolean;
  catching: Catch[];
  /** Cases that deviated on their first run only. */
  intermittent: string[];
  casesRun: number;
  durationMs: number;
  /** Why the fault could not be run (patch did not apply, worker died...). */
  error?: string;
}

/** The whole run. */
export interface FaultReport {
  generatedAt: string;
  durationMs: number;
  jobs: number;
  results: FaultResult[];
}

/** True when the result is what it should be: a bug caught, a legal variant not failed. */
export function asExpected(r: FaultResult): boolean {
  return r.conforming ? !r.caught && r.error === undefined : r.caught;
}

/**
 * `faults: C caught, U uncaught of N` (faults that could not run count as
 * uncaught), then `; legal variants: P passed, F falsely failed of M` when any ran.
 */
export function summaryLine(results: readonly FaultResult[]): string {
  const bugs = results.filter((r) => !r.conforming);
  const legal = results.filter((r) => r.conforming);
  const c = bugs.filter((r) => r.caught).length;
  const line = `faults: ${c} caught, ${bugs.length - c} uncaught of ${bugs.length}`;
  if (legal.length === 0) return line;
  const ok = legal.filter(asExpected).length;
  return `${line}; legal variants: ${ok} passed, ${legal.length - ok} falsely failed of ${legal.length}`;
}

const MAX_LISTED = 6;

/** The catching case ids, at most {@link MAX_LISTED}, then `+N more`. */
function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED).join(", ");
  return ids.length > MAX_LISTED ? `${shown} +${ids.length - MAX_LISTED} more` : shown;
}

/** The console lines for one fault. */
export function consoleLines(r: FaultResult): string[] {
  const verdict = r.conforming
    ? asExpected(r)
      ? "legal ok"
      : "FALSE FAIL"
    : r.caught
      ? "caught  "
      : "UNCAUGHT";
  const head = `${verdict} ${r.id} [${r.requirements.join(", ")}] (${r.casesRun} cases, ${Math.round(r.durationMs / 1000)} s)`;
  const lines = [head];
  if (r.error) lines.push(`    error: ${r.error}`);
  if (r.catching.length > 0) lines.push(`    by ${listed(r.catching.map((c) => c.id))}`);
  if (r.intermittent.length > 0) lines.push(`    once only: ${listed(r.intermittent)}`);
  if (!r.conforming && !r.caught && !r.error) lines.push(`    would need: ${r.observe}`);
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** reports/faults/faults.md: the summary, the uncaught faults first, then every fault. */
export function markdown(report: FaultReport): string {
  const { results } = report;
  const uncaught = results.filter((r) => !r.conforming && !r.caught);
  const falselyFailed = results.filter((r) => r.conforming && !asExpected(r));
  const out = [
    "# Seeded faults against the conformance suite",
    "",
    `${summaryLine(results)}; run took ${Math.round(report.durationMs / 1000)} s with ${report.jobs} job(s) (${report.generatedAt}).`,
    "",
    "Each fault is one plausible bug patched into a scratch copy of the reference",
    "(dev/faults/). A fault is caught when a case's verdict leaves the expected one",
    "on two runs in a row.",
    "",
    "## Uncaught",
    "",
  ];
  if (uncaught.length === 0) out.push("None.", "");
  for (const r of uncaught) {
    out.push(`### ${r.id}`, "");
    out.push(`- Requirements: ${r.requirements.join(", ")}`);
    out.push(`- Bug: ${r.description}`);
    out.push(`- A case would observe: ${r.observe}`);
    out.push(`- Families run: ${r.families.join(", ")} (${r.casesRun} cases)`);
    if (r.error) out.push(`- Error: ${r.error}`);
    if (r.intermittent.length > 0) out.push(`- Deviated once only: ${r.intermittent.join(", ")}`);
    out.push("");
  }
  if (results.some((r) => r.conforming)) {
    out.push("## Legal variants failed by the suite", "");
    if (falselyFailed.length === 0) out.push("None.", "");
    for (const r of falselyFailed) {
      out.push(`### ${r.id}`, "", `- Variant: ${r.description}`);
      out.push(`- Failed by: ${r.catching.map((c) => c.id).join(", ") || "-"}`);
      if (r.error) out.push(`- Error: ${r.error}`);
      out.push("");
    }
  }
  out.push("## All faults", "", "| Fault | Requirements | Caught | Catching cases | Time |");
  out.push("| --- | --- | --- | --- | --- |");
  for (const r of results) {
    const by = r.error ? `error: ${r.error}` : listed(r.catching.map((c) => c.id)) || "-";
    out.push(
      `| ${r.conforming ? `${r.id} (legal)` : r.id} | ${r.requirements.join(", ")} | ${r.conforming ? (r.caught ? "**falsely**" : "no (right)") : r.caught ? "yes" : "**no**"} | ${cell(by)} | ${Math.round(r.durationMs / 1000)} s |`,
    );
  }
  out.push("");
  return out.join("\n");
}

/** reports/faults/faults.json. */
export function json(report: FaultReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
