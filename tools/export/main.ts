/**
 * `npm run drafts -- [--out DIR] [draft.md ...]` lints the drafts, then
 * converts each to xml2rfc XML with kramdown-rfc (default: every
 * rfc/draft-*.md into build/drafts/) and checks that each XML file is well
 * formed and carries its draft's docName. Exits 1 on any lint error, failed
 * conversion or bad XML; exits 2 when kramdown-rfc is not installed.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readDraftFile } from "../draftparse/index.ts";
import { repoRoot } from "../gen/format.ts";
import { readDrafts } from "../gen/generate.ts";
import { lintDrafts } from "../lint/lint.ts";
import { exportDrafts, findKramdown, INSTALL_HINT } from "./export.ts";

function parseArgs(argv: string[]): { out: string; named: string[] } {
  let out = "build/drafts";
  const named: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? "";
    if (a === "--out") out = argv[++k] ?? out;
    else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run drafts -- [--out DIR] [draft.md ...]");
      process.exit(0);
    } else named.push(a);
  }
  return { out, named };
}

async function main(): Promise<number> {
  const { out, named } = parseArgs(process.argv.slice(2));
  const outDir = resolve(repoRoot, out);
  const rfcDir = join(repoRoot, "rfc");
  const drafts =
    named.length > 0
      ? named.map((n) => resolve(n))
      : readdirSync(rfcDir)
          .filter((n) => /^draft-.*\.md$/.test(n))
          .sort()
          .map((n) => join(rfcDir, n));

  // Lint everything that can be cited: all of rfc/ plus any named draft outside it.
  const parsed = await readDrafts(rfcDir);
  const inRfc = new Set(parsed.map((d) => resolve(repoRoot, d.file)));
  for (const d of drafts) {
    if (!inRfc.has(d)) parsed.push(await readDraftFile(d, relative(repoRoot, d)));
  }
  const findings = lintDrafts(parsed);
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  if (findings.length > 0) {
    console.error(`drafts: ${findings.length} lint error(s); nothing exported`);
    return 1;
  }

  const kramdown = findKramdown();
  if (!kramdown) {
    console.error(`drafts: kramdown-rfc is not installed; install it with:\n  ${INSTALL_HINT}`);
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const results = await exportDrafts(kramdown, drafts, outDir);
  let bad = 0;
  for (const r of results) {
    for (const w of r.warnings) console.error(`${relative(repoRoot, r.draft)}: warning: ${w}`);
    if (r.errors.length > 0) {
      bad++;
      for (const e of r.errors) console.error(e);
    } else if (r.xmlPath) {
      console.log(`${r.docname}: ${relative(process.cwd(), r.xmlPath)}`);
    }
  }
  const ok = results.length - bad;
  console.log(`drafts: ${ok}/${results.length} XML file(s) written and checked in ${outDir}`);
  return bad > 0 ? 1 : 0;
}

process.exitCode = await main();
