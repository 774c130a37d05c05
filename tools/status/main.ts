/**
 * `npm run status -- [--reports DIR] [--drafts DIR] [--expectations DIR] [--check]` regenerates
 * the Implementation Status section of every draft (the text between
 * `<!-- implementation-status:begin -->` and `:end -->`) from the latest
 * conformance results of reference, nng and nanomsg found in
 * DIR/<iut>/results.json (default reports/conformance). Known deviations are
 * described by the reasons the expectations files give now (default
 * conformance/expectations). Deterministic and idempotent. `--check` writes nothing and exits 1 when a draft would change.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseDraft } from "../draftparse/index.ts";
import { repoRoot } from "../gen/format.ts";
import { renderStatus, replaceStatus, STATUS_IMPLEMENTATIONS } from "./render.ts";
import { loadResults, withCurrentReasons } from "./results.ts";

function option(args: string[], name: string): string | undefined {
  const k = args.indexOf(name);
  if (k >= 0) return args[k + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function main(): number {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      "usage: npm run status -- [--reports DIR] [--drafts DIR] [--expectations DIR] [--check]",
    );
    return 0;
  }
  const check = args.includes("--check");
  const reportsDir = resolve(repoRoot, option(args, "--reports") ?? "reports/conformance");
  const draftsDir = resolve(repoRoot, option(args, "--drafts") ?? "rfc");
  const expectationsDir = resolve(
    repoRoot,
    option(args, "--expectations") ?? "conformance/expectations",
  );
  const runs = withCurrentReasons(
    loadResults(reportsDir, { only: STATUS_IMPLEMENTATIONS, order: STATUS_IMPLEMENTATIONS }),
    expectationsDir,
  );
  for (const r of runs) {
    console.log(
      `status: ${r.name} ${r.version}: ${r.cases.length} case(s) from ${relative(repoRoot, r.file)}`,
    );
  }
  if (runs.length === 0) {
    // Writing the drafts from no results would replace every Implementation Status with
    // "no results" (a mistyped --reports did that once): refuse instead.
    console.error(
      `status: no results under ${relative(repoRoot, reportsDir) || "."}; nothing ${check ? "checked" : "written"} (pass --reports DIR, the folder holding a run's results.json)`,
    );
    return 2;
  }

  let changed = 0;
  let failed = 0;
  const names = readdirSync(draftsDir)
    .filter((n) => /^draft-.*\.md$/.test(n))
    .sort();
  for (const n of names) {
    const path = join(draftsDir, n);
    const text = readFileSync(path, "utf8");
    const draft = parseDraft(text, n);
    const next = replaceStatus(text, renderStatus(draft.prefix, runs));
    if (next === null) {
      console.error(
        `${relative(repoRoot, path)}: needs exactly one pair of implementation-status markers`,
      );
      failed++;
      continue;
    }
    if (next === text) continue;
    changed++;
    if (check) console.error(`stale: ${relative(repoRoot, path)}`);
    else writeFileSync(path, next);
  }
  if (check) {
    console.log(`status --check: ${changed} of ${names.length} draft(s) would change`);
    return changed > 0 || failed > 0 ? 1 : 0;
  }
  console.log(`status: updated ${changed} of ${names.length} draft(s)`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main();
