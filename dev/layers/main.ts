/**
 * `npm run check:layers`: fails when an import points the wrong way between
 * the repository's rooms or when files import each other in a cycle.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { checkLayers } from "./check.ts";

const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => /\.[cm]?[jt]s$/.test(f) && !f.includes("/fixtures/"));
const files = new Map<string, string>();
for (const f of tracked) {
  try {
    files.set(f, readFileSync(f, "utf8"));
  } catch {
    // listed but deleted in the working tree
  }
}
const report = checkLayers(files);
for (const e of report.upward) console.error(`${e.from}:${e.line}: imports ${e.to} (${e.why})`);
for (const c of report.cycles) console.error(`import cycle: ${c.join(" ↔ ")}`);
const bad = report.upward.length + report.cycles.length;
console.log(
  `layers: ${files.size} files, ${report.upward.length} wrong-way imports, ${report.cycles.length} cycles`,
);
process.exit(bad === 0 ? 0 : 1);
