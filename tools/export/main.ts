/**
 * Converts rfc/*.md to xml2rfc XML with Debian's kramdown-rfc
 * (`apt-get install -y ruby-kramdown-rfc2629`); works offline because every
 * reference is written inline in the front matter.
 *
 * Usage: `npx tsx tools/export/main.ts [--out DIR] [draft.md ...]`
 * (default: every rfc/draft-*.md into .cache/xml).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { repoRoot } from "../gen/format.ts";

/**
 * Escapes requirement tags so kramdown does not read them as link references;
 * code spans are left alone.
 */
export function escapeTags(markdown: string): string {
  return markdown
    .split(/(`[^`\n]*`)/)
    .map((part, k) => (k % 2 === 1 ? part : part.replace(/\[(SP-[A-Z0-9]+-\d+)\]/g, "\\[$1\\]")))
    .join("");
}

function main(): number {
  const args = process.argv.slice(2);
  const k = args.indexOf("--out");
  const out = resolve(repoRoot, k >= 0 ? (args[k + 1] ?? ".cache/xml") : ".cache/xml");
  const named = args.filter((a, i) => a.endsWith(".md") && i !== k + 1);
  const rfcDir = join(repoRoot, "rfc");
  const drafts =
    named.length > 0
      ? named.map((n) => resolve(n))
      : readdirSync(rfcDir)
          .filter((n) => /^draft-.*\.md$/.test(n))
          .sort()
          .map((n) => join(rfcDir, n));
  mkdirSync(join(out, "src"), { recursive: true });
  let failed = 0;
  for (const draft of drafts) {
    const name = basename(draft, ".md");
    const src = join(out, "src", `${name}.md`);
    writeFileSync(src, escapeTags(readFileSync(draft, "utf8")));
    const r = spawnSync("kramdown-rfc", ["--v3", src], { encoding: "utf8", timeout: 120_000 });
    if (r.error || r.status !== 0) {
      console.error(`${name}: kramdown-rfc failed: ${r.error?.message ?? r.stderr}`);
      failed++;
      continue;
    }
    writeFileSync(join(out, `${name}.xml`), r.stdout);
    const warnings = r.stderr
      .split("\n")
      .filter((l) => l.trim() !== "" && !/canned bibxml/.test(l));
    for (const w of warnings) console.error(`${name}: ${w}`);
    console.log(`${name}: ${join(out, `${name}.xml`)}`);
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(repoRoot, "tools/export/main.ts")) {
  process.exitCode = main();
}
