/**
 * `npm run trace -- [--out DIR] [--reports DIR]` writes the requirement
 * traceability report to DIR/trace.md and DIR/trace.json (default
 * build/trace) and prints the MUST coverage figures and the MUSTs that no
 * conformance case checks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { repoRoot } from "../gen/format.ts";
import { collectTrace } from "./collect.ts";
import { summaryLines, traceJson, traceMarkdown } from "./report.ts";

function option(args: string[], name: string): string | undefined {
  const k = args.indexOf(name);
  if (k >= 0) return args[k + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: npm run trace -- [--out DIR] [--reports DIR]");
    return 0;
  }
  const outDir = resolve(repoRoot, option(args, "--out") ?? "build/trace");
  const reports = option(args, "--reports");
  const trace = await collectTrace({
    root: repoRoot,
    ...(reports ? { reportsDir: resolve(reports) } : {}),
  });
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
  return 0;
}

process.exitCode = await main();
