/**
 * Scratch copies of the repository for one fault each: only what the
 * in-process conformance run loads (reference/, spec/, conformance/,
 * testkit/, this folder and the root package.json and tsconfig.json), without
 * build output, with node_modules symlinked to the repository's. Whole
 * directories are copied, never symlinked: Node resolves a symlinked module
 * to its real path, so its relative imports would reach the unpatched tree.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/** Directories copied into a scratch tree. */
export const COPIED_DIRS: readonly string[] = [
  "reference",
  "spec",
  "conformance",
  "testkit",
  "dev/faults",
];
/** Root files copied into a scratch tree. */
export const COPIED_FILES: readonly string[] = ["package.json", "tsconfig.json"];
/** Never copied, at any depth: build output and installed packages. */
const SKIPPED = new Set(["node_modules", "dist", ".git", "reports", "build"]);

/** Copies what a run needs from `root` into a new directory under the OS temp dir. */
export function makeScratch(root: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sp-faults-${label.replace(/[^a-z0-9-]+/gi, "-")}-`));
  for (const d of COPIED_DIRS) {
    cpSync(join(root, d), join(dir, d), {
      recursive: true,
      filter: (src) => !SKIPPED.has(basename(src)),
    });
  }
  for (const f of COPIED_FILES) cpSync(join(root, f), join(dir, f));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Removes a scratch tree (the node_modules link only, not its target). */
export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
