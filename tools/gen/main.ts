/**
 * `npm run gen` writes spec/ from rfc/*.md.
 * `npm run gen -- --check` writes nothing and exits 1 when spec/ is stale.
 * Options: `--drafts DIR` (default rfc), `--out DIR` (default spec).
 */
import { resolve } from "node:path";
import { repoRoot } from "./format.ts";
import { compareWithDisk, generate } from "./generate.ts";

function argValue(args: string[], name: string, fallback: string): string {
  const k = args.indexOf(name);
  return k >= 0 && args[k + 1] ? (args[k + 1] as string) : fallback;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const draftsDir = resolve(repoRoot, argValue(args, "--drafts", "rfc"));
  const outDir = resolve(repoRoot, argValue(args, "--out", "spec"));
  let result: Awaited<ReturnType<typeof generate>>;
  try {
    result = await generate({ draftsDir, outDir, write: !check });
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
  if (!check) {
    console.log(`gen: wrote ${result.files.length} files to ${outDir}`);
    return 0;
  }
  const { stale, missing, extra } = await compareWithDisk(result.files, outDir);
  for (const p of stale) console.error(`stale:   ${p}`);
  for (const p of missing) console.error(`missing: ${p}`);
  for (const p of extra) console.error(`extra:   ${p}`);
  if (stale.length + missing.length + extra.length > 0) {
    console.error("gen --check: spec/ is out of date; run `npm run gen`");
    return 1;
  }
  console.log(`gen --check: ${result.files.length} files up to date`);
  return 0;
}

process.exitCode = await main();
