/**
 * `merge DIR…`: combines the results.json of several runs (CI shards, or
 * separate runs per IUT) into one document, recomputes coverage and totals,
 * and writes results.json, junit.xml and index.html into the report dir.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { computeCoverage } from "./coverage.ts";
import { type CaseRow, type Results, summarize } from "./report.ts";

/** Reads DIR/results.json (or a results.json path) and checks its version. */
export function readResults(dirOrFile: string): Results {
  const file =
    existsSync(dirOrFile) && statSync(dirOrFile).isDirectory()
      ? join(dirOrFile, "results.json")
      : dirOrFile;
  if (!existsSync(file)) throw new Error(`merge: ${file} does not exist`);
  const doc = JSON.parse(readFileSync(file, "utf8")) as Results;
  if (doc.schemaVersion !== 1) {
    throw new Error(`merge: ${file} has schemaVersion ${String(doc.schemaVersion)}, expected 1`);
  }
  return doc;
}

/**
 * Merges documents. A (case, IUT) pair present in several inputs must not
 * disagree: the later one wins and a warning is returned.
 *
 * @example
 * const { results } = await mergeResults([readResults("shard1"), readResults("shard2")], ["shard1", "shard2"]);
 */
export async function mergeResults(
  docs: readonly Results[],
  labels: readonly string[],
): Promise<{ results: Results; warnings: string[] }> {
  const warnings: string[] = [];
  const iuts: Results["iuts"] = [];
  const rows = new Map<string, CaseRow>();
  const order: string[] = [];
  const seeds: number[] = [];
  let durationMs = 0;
  docs.forEach((doc, d) => {
    for (const seed of doc.run?.seeds ?? [doc.seed]) if (!seeds.includes(seed)) seeds.push(seed);
    durationMs = Math.max(durationMs, doc.durationMs);
    for (const iut of doc.iuts) {
      const have = iuts.find((i) => i.name === iut.name);
      if (!have) iuts.push({ ...iut });
      else if (have.version !== iut.version) {
        warnings.push(
          `${labels[d]}: IUT ${iut.name} has version ${iut.version}, another input ${have.version}`,
        );
      }
    }
    for (const row of doc.cases) {
      const have = rows.get(row.id);
      if (!have) {
        rows.set(row.id, { ...row, results: { ...row.results } });
        order.push(row.id);
        continue;
      }
      for (const [iut, r] of Object.entries(row.results)) {
        if (have.results[iut]) {
          warnings.push(`${labels[d]}: ${row.id} for ${iut} appears twice; keeping the later one`);
        }
        have.results[iut] = r;
      }
    }
  });
  const cases = order.map((id) => rows.get(id) as CaseRow);
  const verdicts = new Map(
    cases.map((c) => [c.id, Object.values(c.results).map((r) => r.verdict)]),
  );
  const coverage = await computeCoverage(cases, verdicts);
  const first = docs[0];
  const results: Results = {
    schemaVersion: 1,
    iuts,
    seed: seeds[0] ?? 0,
    cases,
    coverage,
    durationMs,
    run: {
      jobs: first?.run?.jobs ?? 1,
      repeat: first?.run?.repeat ?? 1,
      mergedFrom: [...labels],
      seeds,
    },
    summary: summarize(cases),
  };
  return { results, warnings };
}
