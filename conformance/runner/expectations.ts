/**
 * Expected non-pass verdicts per IUT, each with a written reason. A case not
 * listed is expected to pass. The built-in files are
 * conformance/expectations/<iut>.json; `--expectations` points at the user's
 * own file of the same format. Entries keyed by an old case id (see
 * conformance/cases/aliases.ts) apply to the case under its current id.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { caseAliases } from "../cases/aliases.ts";
import type { Verdict } from "../cases/types.ts";
import { suiteRoot } from "../paths.ts";
import { type AliasMap, byCurrentId } from "./case-ids.ts";

/** One expected verdict and why. */
export interface Expectation {
  verdict: Verdict;
  reason: string;
}

/** Contents of an expectations file, keyed by current case ids. */
export interface ExpectationsFile {
  iut: string;
  cases: Record<string, Expectation>;
  /** Where the entries came from (absent when no file exists). */
  path?: string;
  /** Entries that were dropped while resolving old case ids. */
  notes?: string[];
}

const VERDICTS: readonly Verdict[] = ["pass", "fail", "warn", "info", "unsupported"];

/** The built-in expectations file of `iut` (it may not exist). */
export function builtinExpectationsPath(iut: string): string {
  return join(suiteRoot, "expectations", `${iut}.json`);
}

/**
 * Reads and checks an expectations file. `iut` names the IUT the entries
 * will be applied to (the file's own `iut` field is informative only).
 * Throws, naming the file, when it cannot be read or an entry is malformed.
 */
export function loadExpectationsFile(
  path: string,
  iut: string,
  aliases: AliasMap = caseAliases,
): ExpectationsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cases = (parsed as { cases?: unknown } | null)?.cases;
  if (typeof parsed !== "object" || parsed === null || typeof cases !== "object" || !cases) {
    throw new Error(`${path}: expected {"iut": "...", "cases": {"<case id>": {...}}}`);
  }
  for (const [id, e] of Object.entries(cases as Record<string, Partial<Expectation>>)) {
    const ok =
      typeof e === "object" &&
      e !== null &&
      VERDICTS.includes(e.verdict as Verdict) &&
      typeof e.reason === "string" &&
      e.reason.trim() !== "";
    if (!ok) {
      throw new Error(`${path}: case ${id} needs a verdict (${VERDICTS.join("/")}) and a reason`);
    }
  }
  const { entries, notes } = byCurrentId(cases as Record<string, Expectation>, aliases);
  return {
    iut,
    cases: entries,
    path,
    ...(notes.length > 0 ? { notes: notes.map((n) => `${path}: ${n}`) } : {}),
  };
}

/** Loads the built-in expectations of `iut`; an absent file means "everything passes". */
export function loadExpectations(iut: string, aliases: AliasMap = caseAliases): ExpectationsFile {
  const path = builtinExpectationsPath(iut);
  if (!existsSync(path)) return { iut, cases: {} };
  return loadExpectationsFile(path, iut, aliases);
}

/** The expected verdict of a case, by its current id (default pass). */
export function expectedVerdict(file: ExpectationsFile, caseId: string): Verdict {
  return file.cases[caseId]?.verdict ?? "pass";
}
