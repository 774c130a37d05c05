/**
 * Mutants listed by hand as equivalent: a change no conformance case can
 * see at the wire or the API, each with the reason (dev/mutation/equivalent.json).
 *
 * An entry names its mutant by file, mutator, the replaced text, the
 * replacement and the whole source line (trimmed), not by line number, so it
 * survives edits elsewhere in the file. The line number is a hint for readers.
 * Listed mutants that survive are left out of the "equivalents aside" score;
 * the plain score always counts them. A listed mutant that a case killed, or
 * an entry that matches no mutant of a file in the run, is reported: the
 * list is then wrong and must be fixed.
 */
import { type MutationReport, type ReportMutant, replacedText } from "./report-schema.ts";

/** One mutant declared equivalent. */
export interface EquivalentEntry {
  file: string;
  /** Line when the entry was written (a hint; matching uses `source`). */
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  /** The whole source line, trimmed. */
  source: string;
  /** Why no case can tell the mutant from the original. */
  reason: string;
}

/** What the list says about one run. */
export interface EquivalentMatch {
  /** Ids of surviving (Survived or NoCoverage) mutants the list declares equivalent. */
  equivalent: Set<string>;
  /** Entries whose mutant a case detected: not equivalent after all. */
  detected: EquivalentEntry[];
  /** Entries for a file in the run that match no mutant of it. */
  stale: EquivalentEntry[];
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function matches(e: EquivalentEntry, lines: readonly string[], m: ReportMutant): boolean {
  return (
    e.mutator === m.mutatorName &&
    oneLine(e.replacement) === oneLine(m.replacement ?? "") &&
    e.original === replacedText(lines, m) &&
    e.source === (lines[m.location.start.line - 1] ?? "").trim()
  );
}

const DETECTED = new Set(["Killed", "Timeout"]);
const SURVIVING = new Set(["Survived", "NoCoverage"]);

/** Matches the list against a run's report. */
export function matchEquivalents(
  report: MutationReport,
  list: readonly EquivalentEntry[],
): EquivalentMatch {
  const out: EquivalentMatch = { equivalent: new Set(), detected: [], stale: [] };
  for (const e of list) {
    const file = report.files[e.file];
    if (!file) continue; // not mutated in this run
    const lines = file.source.split("\n");
    const hits = file.mutants.filter((m) => matches(e, lines, m));
    if (hits.length === 0) out.stale.push(e);
    for (const m of hits) {
      if (SURVIVING.has(m.status)) out.equivalent.add(m.id);
      else if (DETECTED.has(m.status)) out.detected.push(e);
    }
  }
  return out;
}

/** Checks the shape of the list file; throws on the first bad entry. */
export function parseEquivalents(json: unknown): EquivalentEntry[] {
  if (!Array.isArray(json)) throw new Error("equivalent.json: expected an array of entries");
  const keys = ["file", "mutator", "original", "replacement", "source", "reason"] as const;
  return json.map((e: unknown, i) => {
    const o = e as Record<string, unknown>;
    for (const k of keys) {
      if (typeof o?.[k] !== "string") throw new Error(`equivalent.json entry ${i}: ${k} missing`);
    }
    if (typeof o.line !== "number") throw new Error(`equivalent.json entry ${i}: line missing`);
    if ((o.reason as string).trim().length < 20) {
      throw new Error(`equivalent.json entry ${i}: give the reason in a sentence`);
    }
    return o as unknown as EquivalentEntry;
  });
}
