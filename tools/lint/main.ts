/**
 * `npm run lint:drafts [PATH...]` checks drafts (default: rfc/*.md) and prints
 * `file:line: message` per finding; exits 1 when there is any.
 */
import { stat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { type Draft, readDraftFile } from "../draftparse/index.ts";
import { repoRoot } from "../gen/format.ts";
import { readDrafts } from "../gen/generate.ts";
import { lintDrafts } from "./lint.ts";

async function load(paths: string[]): Promise<Draft[]> {
  const drafts: Draft[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if ((await stat(abs)).isDirectory()) drafts.push(...(await readDrafts(abs)));
    else drafts.push(await readDraftFile(abs, relative(repoRoot, abs)));
  }
  return drafts;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const drafts = await load(args.length > 0 ? args : [resolve(repoRoot, "rfc")]);
  const findings = lintDrafts(drafts);
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  if (findings.length > 0) {
    console.error(`lint:drafts: ${findings.length} error(s) in ${drafts.length} draft(s)`);
    return 1;
  }
  const ids = drafts.reduce((n, d) => n + d.requirements.length, 0);
  console.log(`lint:drafts: ${drafts.length} draft(s), ${ids} requirement ids, no errors`);
  return 0;
}

process.exitCode = await main();
