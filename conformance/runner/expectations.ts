/**
 * Expected non-pass verdicts per IUT (conformance/expectations/<iut>.json),
 * each with a written reason. A case not listed is expected to pass.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../adapters/build.ts";
import type { Verdict } from "../cases/types.ts";

/** One expected verdict and why. */
export interface Expectation {
  verdict: Verdict;
  reason: string;
}

/** Contents of an expectations file. */
export interface ExpectationsFile {
  iut: string;
  cases: Record<string, Expectation>;
}

const VERDICTS: readonly Verdict[] = ["pass", "fail", "warn", "info", "unsupported"];

/** Loads the expectations for `iut`; an absent file means "everything passes". */
export function loadExpectations(iut: string): ExpectationsFile {
  const path = join(projectRoot, "conformance", "expectations", `${iut}.json`);
  if (!existsSync(path)) return { iut, cases: {} };
  const parsed = JSON.parse(readFileSync(path, "utf8")) as ExpectationsFile;
  for (const [id, e] of Object.entries(parsed.cases ?? {})) {
    if (!VERDICTS.includes(e.verdict) || typeof e.reason !== "string" || e.reason.trim() === "") {
      throw new Error(`${path}: case ${id} needs a verdict (${VERDICTS.join("/")}) and a reason`);
    }
  }
  return { iut, cases: parsed.cases ?? {} };
}

/** The expected verdict of a case (default pass). */
export function expectedVerdict(file: ExpectationsFile, caseId: string): Verdict {
  return file.cases[caseId]?.verdict ?? "pass";
}
