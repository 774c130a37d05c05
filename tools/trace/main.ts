/**
 * `npm run trace -- [ID|GLOB ...] [--out DIR] [--reports DIR] [--width N]`
 *
 * With ids (`SP-REQREP-8`) or globs (`'SP-REQREP-*'`), prints for each the
 * draft sentence, the machine table rows and generated transitions that
 * carry it, the code comments that cite it and the cases that check it with
 * their latest verdicts, and writes nothing. Exit status 1 when an argument
 * names no id.
 *
 * Without ids, writes the requirement traceability report to DIR/trace.md
 * and DIR/trace.json (default build/trace) and prints the MUST coverage
 * figures and the MUSTs that no conformance case checks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../gen/format.ts";
import { collectTrace, type Trace } from "./collect.ts";
import { summaryLines, traceJson, traceMarkdown } from "./report.ts";
import { renderId, selectIds, verdictSources } from "./show.ts";

const USAGE = "usage: npm run trace -- [ID|GLOB ...] [--out DIR] [--reports DIR] [--width N]";

function writeReport(trace: Trace, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "trace.md"), traceMarkdown(trace));
  writeFileSync(join(outDir, "trace.json"), traceJson(trace));
  for (const l of summaryLines(trace)) console.log(l);
  const missing = trace.summary.mustWithoutCase;
  console.log(`MUSTs with no case (${missing.length}): ${missing.join(" ") || "none"}`);
  if (trace.unknown.length > 0) {
    console.log(
      `cited but undefined ids: ${trace.unknown.map((u) => `${u.id} (${u.where})`).join(", ")}`,
    );
  }
  const rel = relative(process.cwd(), outDir) || ".";
  console.log(`trace: wrote ${join(rel, "trace.md")} and ${join(rel, "trace.json")}`);
}

function showIds(trace: Trace, patterns: readonly string[], width: number): number {
  const { ids, unmatched } = selectIds(trace, patterns);
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const blocks = ids.map((id) => renderId(trace, id, { width, color }).join("\n"));
  if (blocks.length > 0)
    console.log(`${blocks.join("\n\n")}\n\n${verdictSources(trace).join("\n")}`);
  for (const p of unmatched) console.error(`trace: ${p} names no requirement defined or cited`);
  return unmatched.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      allowPositionals: true,
      options: {
        out: { type: "string" },
        reports: { type: "string" },
        width: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (e) {
    console.error(`trace: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const trace = await collectTrace({
    root: repoRoot,
    ...(values.reports ? { reportsDir: resolve(values.reports) } : {}),
  });
  if (positionals.length > 0) {
    const width = Number(values.width ?? process.stdout.columns ?? 100) || 100;
    return showIds(trace, positionals, width);
  }
  writeReport(trace, resolve(repoRoot, values.out ?? "build/trace"));
  return 0;
}

process.exitCode = await main();
