/**
 * `npm run docs:api`: writes the API reference of sp-reference to docs/api/
 * (one Markdown page per exported item) from the library's doc comments.
 *
 * `npm run docs:api:check` (`--check`): builds the same pages into
 * .cache/apidocs/site/ and fails when docs/api/ differs from them, or when a
 * relative link in any Markdown file of the repository (docs/api/ included)
 * leads to no file or to no heading. Exit 0 when all is well, 1 otherwise.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  cacheDir,
  diffSites,
  ensureDeclarations,
  extractModel,
  here,
  listFiles,
  renderSite,
  repoRoot,
  siteDir,
  summarize,
  writeWarnings,
} from "./build.ts";

const started = performance.now();
const check = process.argv.includes("--check");
const log = (line: string) => console.log(line);
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/**
 * The link check reads the checked-in pages, not the ones about to be built,
 * so it runs in a second process from the start, on the second core.
 */
function startLinkCheck(): Promise<{ ok: boolean; said: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "check-links.ts")], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let said = "";
    child.stdout.on("data", (chunk) => {
      said += chunk;
    });
    child.stderr.on("data", (chunk) => {
      said += chunk;
    });
    child.on("error", (err) => resolve({ ok: false, said: `link check did not start: ${err}` }));
    child.on("close", (code) => resolve({ ok: code === 0, said: said.trimEnd() }));
  });
}

let failed = false;
const links = check ? startLinkCheck() : null;
try {
  ensureDeclarations(log);
  const warnings = await extractModel();
  for (const line of summarize(warnings)) log(line);
  if (warnings.length > 0) log(`  every one: ${writeWarnings(warnings)}`);

  const out = check ? join(cacheDir, "site") : siteDir;
  for (const line of renderSite(out)) log(`API Documenter: ${line}`);
  log(`docs:api: ${listFiles(out).length} pages in ${out.slice(repoRoot.length + 1)}/`);

  if (check) {
    const diff = diffSites(out, siteDir);
    const stale = [
      ...diff.missing.map((f) => `missing  docs/api/${f}`),
      ...diff.extra.map((f) => `extra    docs/api/${f}`),
      ...diff.changed.map((f) => `changed  docs/api/${f}`),
    ];
    if (stale.length > 0) {
      failed = true;
      console.error(`docs/api/ is out of date (${stale.length} files); run npm run docs:api`);
      for (const line of stale.slice(0, 20)) console.error(`  ${line}`);
      if (stale.length > 20) console.error(`  ... and ${stale.length - 20} more`);
    }
  }
} catch (err) {
  failed = true;
  console.error(err instanceof Error ? err.message : String(err));
}
if (links) {
  const result = await links;
  if (!result.ok) failed = true;
  (result.ok ? console.log : console.error)(result.said);
}
log(`docs:api${check ? ":check" : ""}: ${failed ? "FAILED" : "ok"} in ${seconds()}`);
process.exit(failed ? 1 : 0);
