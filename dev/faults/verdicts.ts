/**
 * What one worker run tells about a fault: the cases whose verdict left the
 * expected one (conformance/expectations/reference.json) caught it. A case
 * counts only when its rerun deviated too; one that deviated once is listed
 * as intermittent (a slow machine, or a fault that shows only sometimes).
 */
import type { Verdict } from "../../conformance/cases/types.ts";

/** One case as the worker ran it (a JSON line of its output). */
export interface CaseLine {
  id: string;
  expected: Verdict;
  verdict: Verdict;
  reason?: string;
  /** The verdict of the second run, present when the first one deviated. */
  rerun?: Verdict;
}

/** The family of a case: its id up to the first `/`. */
export function familyOf(caseId: string): string {
  return caseId.split("/")[0] ?? caseId;
}

/** Parses the worker's output, skipping a torn last line (the worker was killed mid-write). */
export function parseLines(text: string): CaseLine[] {
  const out: CaseLine[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as CaseLine);
    } catch {
      // torn line
    }
  }
  return out;
}

/** A case that caught the fault, with the verdict it got and why. */
export interface Catch {
  id: string;
  expected: Verdict;
  verdict: Verdict;
  reason?: string;
}

/** Cases that caught the fault (deviated twice) and those that deviated only once. */
export function catches(lines: readonly CaseLine[]): { caught: Catch[]; intermittent: string[] } {
  const caught: Catch[] = [];
  const intermittent: string[] = [];
  for (const l of lines) {
    if (l.verdict === l.expected) continue;
    // `unsupported` means the in-process IUT could not run the case at all (a case that
    // needs a second IUT process, say): a patch of the reference cannot cause that, so it
    // tells nothing about the fault.
    if (l.verdict === "unsupported") continue;
    if (l.rerun !== undefined && l.rerun === l.expected) intermittent.push(l.id);
    else {
      const reason = l.reason ? { reason: l.reason } : {};
      caught.push({ id: l.id, expected: l.expected, verdict: l.verdict, ...reason });
    }
  }
  return { caught, intermittent };
}
