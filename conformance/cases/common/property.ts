/**
 * Runs a fast-check property inside a case: seeded from `--seed`, replayable
 * with `--replay PATH`, and on failure fails the case with fast-check's report,
 * the error that broke the property and the command that replays it.
 */
import fc from "fast-check";
import type { CaseContext } from "../types.ts";

/** Checks `property`; returns the number of runs and the seed used (for the case's note). */
export async function checkProperty<T>(
  ctx: CaseContext,
  property: fc.IAsyncPropertyWithHooks<T>,
  options: { numRuns: number; examples?: T[]; timeLimitMs?: number },
): Promise<{ numRuns: number; seed: number }> {
  const details = await fc.check(property, {
    seed: ctx.seed,
    numRuns: options.numRuns,
    // Past the limit fast-check stops: a failure found so far is reported with the
    // counterexample shrunk until then; runs cut short without a failure do not fail.
    ...(options.timeLimitMs !== undefined
      ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
      : {}),
    ...(options.examples !== undefined ? { examples: options.examples } : {}),
    ...(ctx.replayPath !== undefined ? { path: ctx.replayPath } : {}),
  });
  if (details.failed) {
    const replay =
      details.counterexamplePath !== null
        ? `replay: npm run conformance -- --iut ${ctx.iut.name} --filter ${ctx.caseId} --seed ${details.seed} --replay ${details.counterexamplePath}`
        : "";
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : "";
    // The first line is what a console recap or a CI log shows: the cause and the seed.
    const where = `seed ${details.seed}${details.counterexamplePath ? `, path ${details.counterexamplePath}` : ""}`;
    const headline = `property failed (${where}): ${cause.split("\n")[0] || "no error message"}`;
    ctx.fail(`${headline}\n${fc.defaultReportMessage(details) ?? ""}\nerror: ${cause}\n${replay}`);
  }
  return { numRuns: details.numRuns, seed: details.seed };
}
