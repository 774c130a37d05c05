/**
 * Reads a StrykerJS JSON report (mutation-testing-report-schema: `files` by
 * path, each with its `source` and `mutants`, lines and columns 1-based),
 * computes the mutation scores, writes the survivors as Markdown and ranks
 * the survivors most worth a new conformance case.
 *
 * Score = detected / valid, where detected = Killed + Timeout and valid =
 * detected + Survived + NoCoverage (CompileError, RuntimeError and Ignored
 * mutants say nothing about the suite and are left out, as Stryker does).
 * Mutants listed as equivalent (equivalents.ts) are counted like any other
 * in `score`; `scoreAside` leaves the surviving ones out.
 */
import type { EquivalentEntry, EquivalentMatch } from "./equivalents.ts";
import { type MutationReport, type ReportMutant, replacedText } from "./report-schema.ts";

export type { MutationReport, ReportMutant };

/** Counts for one file or the whole run. */
export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  invalid: number;
}

/** A survivor (Survived or NoCoverage) with what it changed. */
export interface Survivor {
  /** The mutant's id in the report. */
  id: string;
  file: string;
  line: number;
  column: number;
  mutator: string;
  status: "Survived" | "NoCoverage";
  /** The source text the mutant replaced (first line of it, trimmed). */
  original: string;
  replacement: string;
  /** Requirement ids (`SP-REQREP-8`) cited near the mutant, nearest first. */
  requirements: string[];
  /** The source line, trimmed. */
  sourceLine: string;
  /** How many cases executed the mutant. */
  coveredBy: number;
  /** Rank weight (higher: more worth a new case). */
  weight: number;
}

export function emptyTally(): Tally {
  return { killed: 0, timeout: 0, survived: 0, noCoverage: 0, invalid: 0 };
}

export function detected(t: Tally): number {
  return t.killed + t.timeout;
}

export function valid(t: Tally): number {
  return detected(t) + t.survived + t.noCoverage;
}

/** Mutation score in percent over valid mutants (NaN when there are none). */
export function score(t: Tally): number {
  return (100 * detected(t)) / valid(t);
}

/** Score with `equivalent` surviving mutants, listed as equivalent, left out of the valid ones. */
export function scoreAside(t: Tally, equivalent: number): number {
  return (100 * detected(t)) / (valid(t) - equivalent);
}

/** Score over covered mutants only (what the cases that run the code catch). */
export function coveredScore(t: Tally): number {
  return (100 * detected(t)) / (detected(t) + t.survived);
}

function add(t: Tally, status: string): void {
  if (status === "Killed") t.killed++;
  else if (status === "Timeout") t.timeout++;
  else if (status === "Survived") t.survived++;
  else if (status === "NoCoverage") t.noCoverage++;
  else t.invalid++;
}

/** Per-file tallies (sorted by path) and the total. */
export function tallies(report: MutationReport): { files: [string, Tally][]; total: Tally } {
  const total = emptyTally();
  const files: [string, Tally][] = [];
  for (const path of Object.keys(report.files).sort()) {
    const t = emptyTally();
    for (const m of report.files[path]?.mutants ?? []) {
      add(t, m.status);
      add(total, m.status);
    }
    files.push([path, t]);
  }
  return { files, total };
}

/**
 * How much a surviving mutator says about missing behaviour. Logic changes
 * (a condition forced, a block emptied, an operator swapped) rank above
 * literal changes; strings rank lowest since most are error messages the
 * cases rightly do not compare.
 */
const MUTATOR_WEIGHT: Readonly<Record<string, number>> = {
  ConditionalExpression: 5,
  EqualityOperator: 5,
  LogicalOperator: 5,
  BlockStatement: 4,
  ArithmeticOperator: 4,
  UpdateOperator: 4,
  AssignmentOperator: 4,
  BooleanLiteral: 3,
  MethodExpression: 3,
  OptionalChaining: 2,
  UnaryOperator: 3,
  ArrayDeclaration: 2,
  ObjectLiteral: 2,
  ArrowFunction: 2,
  Regex: 2,
  StringLiteral: 1,
};

const REQ_ID = /\bSP-[A-Z0-9]+-\d+\b/g;

/** Requirement ids on the mutant's line or in the comments of the 12 lines above it. */
function nearbyRequirements(lines: readonly string[], line: number): string[] {
  const found: string[] = [];
  for (let l = line; l >= Math.max(1, line - 12); l--) {
    const text = lines[l - 1] ?? "";
    if (l !== line && !/^\s*(\/\/|\*|\/\*)/.test(text)) continue;
    for (const id of text.match(REQ_ID) ?? []) if (!found.includes(id)) found.push(id);
  }
  return found;
}

/** Lines that only build an error message or a log text. */
function isMessageOnly(m: ReportMutant, original: string): boolean {
  return m.mutatorName === "StringLiteral" && /^[`"'].*\s.*[`"']$/.test(original);
}

/** Every Survived and NoCoverage mutant, in file and line order, with its rank weight. */
export function survivors(report: MutationReport): Survivor[] {
  const out: Survivor[] = [];
  for (const path of Object.keys(report.files).sort()) {
    const file = report.files[path];
    if (!file) continue;
    const lines = file.source.split("\n");
    for (const m of file.mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const original = replacedText(lines, m);
      const requirements = nearbyRequirements(lines, m.location.start.line);
      let weight = MUTATOR_WEIGHT[m.mutatorName] ?? 2;
      if (requirements.length > 0) weight += 3;
      if (m.status === "NoCoverage") weight += 1;
      if (isMessageOnly(m, original)) weight = 0;
      out.push({
        id: m.id,
        file: path,
        line: m.location.start.line,
        column: m.location.start.column,
        mutator: m.mutatorName,
        status: m.status,
        original,
        replacement: (m.replacement ?? "").replace(/\s+/g, " ").trim(),
        requirements,
        sourceLine: (lines[m.location.start.line - 1] ?? "").trim(),
        coveredBy: m.coveredBy?.length ?? 0,
        weight,
      });
    }
  }
  out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return out;
}

/**
 * The `n` survivors most worth a new case: highest weight first, at most one
 * per source line (several mutants of one line point at the same gap) and at
 * most `perFile` per file (one uncovered function should not fill the list).
 */
export function topSurvivors(all: readonly Survivor[], n: number, perFile = 2): Survivor[] {
  const ranked = [...all]
    .filter((s) => s.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.file.localeCompare(b.file) || a.line - b.line);
  const seen = new Set<string>();
  const perFileCount = new Map<string, number>();
  const out: Survivor[] = [];
  for (const s of ranked) {
    const key = `${s.file}:${s.line}`;
    const inFile = perFileCount.get(s.file) ?? 0;
    if (seen.has(key) || inFile >= perFile) continue;
    seen.add(key);
    perFileCount.set(s.file, inFile + 1);
    out.push(s);
    if (out.length === n) break;
  }
  return out;
}

function pct(x: number): string {
  return Number.isNaN(x) ? "n/a" : `${x.toFixed(1)} %`;
}

/** The score table printed on the console. */
export function scoreTable(report: MutationReport): string {
  const { files, total } = tallies(report);
  const rows = [...files, ["all files", total] as [string, Tally]];
  const width = Math.max(...rows.map(([p]) => p.length));
  const head = `${"file".padEnd(width)}  score    covered  killed timeout survived no-cov invalid`;
  const body = rows.map(([p, t]) =>
    [
      p.padEnd(width),
      pct(score(t)).padStart(7),
      pct(coveredScore(t)).padStart(8),
      String(t.killed).padStart(7),
      String(t.timeout).padStart(7),
      String(t.survived).padStart(8),
      String(t.noCoverage).padStart(6),
      String(t.invalid).padStart(7),
    ].join(" "),
  );
  return [head, ...body].join("\n");
}

function cell(text: string): string {
  const t = text.replace(/\|/g, "\\|").replace(/`/g, "'");
  return t.length > 70 ? `${t.slice(0, 70)}…` : t;
}

/** The equivalents list and what it matched in this run. */
export interface Equivalents {
  list: readonly EquivalentEntry[];
  match: EquivalentMatch;
  /** Where the list lives, for the text. */
  path: string;
}

function equivalentIds(report: MutationReport, eq: Equivalents | undefined, path: string): number {
  if (!eq) return 0;
  return (report.files[path]?.mutants ?? []).filter((m) => eq.match.equivalent.has(m.id)).length;
}

/** Survivors that the equivalents list does not declare equivalent. */
export function openSurvivors(report: MutationReport, eq?: Equivalents): Survivor[] {
  const all = survivors(report);
  return eq ? all.filter((s) => !eq.match.equivalent.has(s.id)) : all;
}

/**
 * reports/mutation/survivors.md: scores, the ranked shortlist, every survivor
 * not listed as equivalent, then the listed ones with their reasons.
 */
export function survivorsMarkdown(
  report: MutationReport,
  meta: { scope: string; durationS?: number; top: number },
  eq?: Equivalents,
): string {
  const { files, total } = tallies(report);
  const open = openSurvivors(report, eq);
  const top = topSurvivors(open, meta.top);
  const nEq = eq?.match.equivalent.size ?? 0;
  const out: string[] = [];
  out.push("# Surviving mutants", "");
  out.push(
    `Scope: ${meta.scope}. ` +
      (meta.durationS === undefined ? "" : `Run time ${Math.round(meta.durationS)} s. `) +
      `Score ${pct(score(total))} (${detected(total)} detected of ${valid(total)} valid mutants; ` +
      `${pct(coveredScore(total))} of the covered ones).`,
    "",
  );
  if (eq) {
    out.push(
      `Equivalents aside: ${pct(scoreAside(total, nEq))} (${nEq} surviving mutants are listed as equivalent, each with its reason, in ${eq.path}; the score above counts them).`,
      "",
    );
    for (const e of eq.match.detected) {
      out.push(
        `- **Listed as equivalent, yet detected:** ${e.file}:${e.line} ${e.mutator} \`${cell(e.original)}\` → \`${cell(e.replacement)}\`: remove it from the list.`,
      );
    }
    for (const e of eq.match.stale) {
      out.push(
        `- **Listed, but no such mutant in this run** (the code changed?): ${e.file}:${e.line} ${e.mutator} \`${cell(e.original)}\` → \`${cell(e.replacement)}\`.`,
      );
    }
    if (eq.match.detected.length + eq.match.stale.length > 0) out.push("");
  }
  out.push(
    "| file | score | equivalents aside | killed | timeout | survived | no coverage | listed equivalent |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const [p, t] of files) {
    const e = equivalentIds(report, eq, p);
    out.push(
      `| ${p} | ${pct(score(t))} | ${pct(scoreAside(t, e))} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${e} |`,
    );
  }
  out.push("", `## The ${top.length} most worth a new case`, "");
  out.push(
    "Ranked by what the mutant changes (logic before literals, messages not at all), a cited",
    "requirement nearby, and no case reaching the line at all; one per line, two per file.",
    "",
  );
  out.push("| where | mutator | original → replacement | requirements |", "|---|---|---|---|");
  for (const s of top) out.push(row(s));
  out.push("", `## All ${open.length} survivors not listed as equivalent`, "");
  out.push(
    "| where | status | mutator | original → replacement | requirements |",
    "|---|---|---|---|---|",
  );
  for (const s of open) {
    out.push(
      `| ${s.file}:${s.line}:${s.column} | ${s.status} | ${s.mutator} | \`${cell(s.original)}\` → \`${cell(s.replacement)}\` | ${s.requirements.join(", ")} |`,
    );
  }
  if (eq && nEq > 0) {
    out.push("", `## Listed as equivalent (${nEq})`, "");
    out.push(
      "| where | mutator | original → replacement | why no case can see it |",
      "|---|---|---|---|",
    );
    for (const e of eq.list) {
      if (!report.files[e.file]) continue;
      if (eq.match.stale.includes(e) || eq.match.detected.includes(e)) continue;
      out.push(
        `| ${e.file}:${e.line} | ${e.mutator} | \`${cell(e.original)}\` → \`${cell(e.replacement)}\` | ${e.reason.replace(/\|/g, "\\|")} |`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

function row(s: Survivor): string {
  return `| ${s.file}:${s.line}:${s.column} | ${s.mutator} (${s.status}) | \`${cell(s.original)}\` → \`${cell(s.replacement)}\` | ${s.requirements.join(", ")} |`;
}
