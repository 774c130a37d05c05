/**
 * `npm run drafts -- [--out DIR] [--no-idnits] [draft.md ...]` lints the
 * drafts, then writes each as xml2rfc v3 XML named after its docName
 * (default: every rfc/draft-*.md into build/drafts/, e.g.
 * build/drafts/draft-sp-ws-00.xml) and checks it: well-formed, v3
 * vocabulary only, unique anchors, xrefs that resolve, every line of the
 * text rendering within 72 columns, and idnits (submission mode, offline)
 * with no error and no warning beyond tools/export/idnits-waivers.json.
 * Prints every problem and exits 1 on any; `--no-idnits` skips idnits.
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readDraftFile } from "../draftparse/index.ts";
import { repoRoot } from "../gen/format.ts";
import { readDrafts } from "../gen/generate.ts";
import { lintDrafts } from "../lint/lint.ts";
import { exportDrafts } from "./export.ts";
import { loadWaivers } from "./idnits.ts";

function parseArgs(argv: string[]): { out: string; idnits: boolean; named: string[] } {
  let out = "build/drafts";
  let idnits = true;
  const named: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? "";
    if (a === "--out") out = argv[++k] ?? out;
    else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else if (a === "--no-idnits") idnits = false;
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run drafts -- [--out DIR] [--no-idnits] [draft.md ...]");
      process.exit(0);
    } else named.push(a);
  }
  return { out, idnits, named };
}

async function main(): Promise<number> {
  const { out, idnits, named } = parseArgs(process.argv.slice(2));
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

  mkdirSync(outDir, { recursive: true });
  const waivers = idnits ? await loadWaivers() : null;
  const results = await exportDrafts(drafts, outDir, { waivers });
  const seen = new Map<string, string>();
  let bad = 0;
  for (const r of results) {
    const draft = relative(repoRoot, r.draft);
    const errors = [...r.errors];
    const twin = seen.get(r.docName);
    if (twin) errors.push(`${draft}: docName ${r.docName} is also the docName of ${twin}`);
    seen.set(r.docName, draft);
    for (const w of r.warnings) console.error(`warning: ${w}`);
    for (const e of errors) console.error(e);
    const v = r.idnits;
    const nits = v
      ? `; idnits ${v.errors} error(s), ${v.warnings} warning(s), ${v.waived.length} waived`
      : "";
    const status = errors.length > 0 ? `FAILED (${errors.length} problem(s))` : "ok";
    console.log(`${r.docName}: ${relative(process.cwd(), r.xmlPath)} ${status}${nits}`);
    if (errors.length > 0) bad++;
  }
  const ok = results.length - bad;
  console.log(
    `drafts: ${ok}/${results.length} v3 XML file(s) written and passed the checks in ${outDir}`,
  );
  return bad > 0 ? 1 : 0;
}

process.exitCode = await main();
