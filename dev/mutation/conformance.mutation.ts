/**
 * The conformance cases as vitest tests against the reference running in
 * this very process (conformance/adapters/reference/inprocess.ts), for the
 * mutation run: Stryker instruments the reference's sources in its sandbox
 * and switches mutants on through a global of the test worker, so only an
 * in-process reference sees them.
 *
 * One test per case, named by the case id (Stryker selects the tests that
 * cover a mutant by name, so names must not change between runs: the seed is
 * fixed, CONFORMANCE_SEED or 1). Each asserts the verdict expected by
 * conformance/expectations/reference.json, as the family tests do.
 * Scope: MUTATION_PROTOCOLS and MUTATION_TRANSPORT_CASES=1 (see scope.ts).
 *
 * Time bound per case: a mutant that breaks the reference usually makes a
 * case wait for something that never comes, up to the case's own limit (10 s
 * by default). During Stryker's initial run this file records how long each
 * case took (MUTATION_DURATIONS, a JSON file); during mutant runs it limits
 * each case to 1.5 × that + 1 s (at least 1 s, never above the case's own
 * limit) and runs the quickest cases first, so a killing case comes sooner.
 *
 * Not matched by the repository's vitest include (`*.test.ts`): it runs
 * through dev/mutation/vitest.config.ts only.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, inject, test } from "vitest";
import { InProcessReferenceIut } from "../../conformance/adapters/reference/inprocess.ts";
import { allCases } from "../../conformance/cases/index.ts";
import type { ConformanceCase } from "../../conformance/cases/types.ts";
import { executeCase, missingCapabilities } from "../../conformance/runner/execute.ts";
import { expectedVerdict, loadExpectations } from "../../conformance/runner/expectations.ts";
import { casesFor, parseProtocols } from "./scope.ts";

const seed = process.env.CONFORMANCE_SEED ? Number(process.env.CONFORMANCE_SEED) : 1;
const expectations = loadExpectations("reference");
const iut = new InProcessReferenceIut();
/** Stryker's run mode ("dry-run" or "mutant"), provided to the workers by its vitest runner. */
const mode = (inject as (key: string) => unknown)("mode");
const durationsPath = process.env.MUTATION_DURATIONS;
const measured = mode === "mutant" ? readDurations() : undefined;
const recorded: Record<string, number> = {};

// The in-process IUT declares what the reference adapter declares (features included);
// a case needing anything else would only be `unsupported` and test nothing here.
const cases = casesFor(
  allCases,
  parseProtocols(process.env.MUTATION_PROTOCOLS),
  process.env.MUTATION_TRANSPORT_CASES === "1",
).filter((c) => missingCapabilities(c, iut).length === 0);
if (measured) cases.sort((a, b) => (measured[a.id] ?? 1e9) - (measured[b.id] ?? 1e9));

function readDurations(): Record<string, number> | undefined {
  if (!durationsPath || !existsSync(durationsPath)) return undefined;
  return JSON.parse(readFileSync(durationsPath, "utf8")) as Record<string, number>;
}

/** The case with its time bound for this run. */
function bounded(c: ConformanceCase): ConformanceCase {
  const own = c.timeoutMs ?? 10000;
  const d = measured?.[c.id];
  if (d === undefined) return c;
  return { ...c, timeoutMs: Math.min(own, Math.max(1000, Math.round(1.5 * d) + 1000)) };
}

describe("conformance in-process", () => {
  afterAll(async () => {
    await iut.shutdown();
    if (mode === "dry-run" && durationsPath) writeFileSync(durationsPath, JSON.stringify(recorded));
  });

  for (const original of cases) {
    const c = bounded(original);
    test(c.id, { timeout: (c.timeoutMs ?? 10000) + 5000 }, async () => {
      const o = await executeCase(c, iut, { seed });
      recorded[c.id] = o.durationMs;
      const story = [`${c.id}: ${o.reason ?? o.verdict}`, o.transcript ?? "", o.stderr ?? ""].join(
        "\n",
      );
      expect(o.verdict, story).toBe(expectedVerdict(expectations, c.id));
    });
  }
});
