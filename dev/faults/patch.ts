/**
 * Applies a fault's edits: each search text must occur exactly once in its
 * file (as the earlier edits of the same fault left it), otherwise the patch
 * no longer fits today's sources and applying it throws, naming the fault,
 * the file and how often the text was found.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Edit, type Fault, PATCHABLE_ROOTS } from "./types.ts";

/** Raised when an edit does not match exactly once. */
export class PatchError extends Error {}

/** How often `search` occurs in `text` (non-overlapping). */
export function occurrences(text: string, search: string): number {
  if (search === "") return 0;
  let n = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + search.length)) n++;
  return n;
}

/** Applies the edits of one file to its text, in order. Throws {@link PatchError}. */
export function applyEdits(faultId: string, file: string, text: string, edits: Edit[]): string {
  let out = text;
  for (const [i, e] of edits.entries()) {
    const n = occurrences(out, e.search);
    if (n !== 1) {
      const first = e.search.split("\n")[0];
      throw new PatchError(
        `fault ${faultId}: edit ${i + 1} on ${file} matches ${n} times (must be once): ${JSON.stringify(first)}`,
      );
    }
    if (e.replace === e.search)
      throw new PatchError(`fault ${faultId}: edit ${i + 1} changes nothing`);
    out = out.replace(e.search, () => e.replace);
  }
  return out;
}

/** The fault's edits grouped by file, in the fault's order. */
export function editsByFile(fault: Fault): Map<string, Edit[]> {
  const byFile = new Map<string, Edit[]>();
  for (const e of fault.patch) {
    if (!PATCHABLE_ROOTS.some((r) => e.file.startsWith(r)) || e.file.includes("..")) {
      throw new PatchError(
        `fault ${fault.id}: ${e.file} is not under ${PATCHABLE_ROOTS.join(" or ")}`,
      );
    }
    byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  }
  return byFile;
}

/**
 * The patched text of every file the fault touches, read from the tree at
 * `root` (nothing is written). Throws {@link PatchError}.
 */
export function patchedFiles(root: string, fault: Fault): Map<string, string> {
  const out = new Map<string, string>();
  if (fault.patch.length === 0) throw new PatchError(`fault ${fault.id}: empty patch`);
  for (const [file, edits] of editsByFile(fault)) {
    const text = readFileSync(join(root, file), "utf8");
    out.set(file, applyEdits(fault.id, file, text, edits));
  }
  return out;
}

/** Applies the fault to the tree at `root` (a scratch copy, never the repository). */
export function applyFault(root: string, fault: Fault): void {
  for (const [file, text] of patchedFiles(root, fault)) writeFileSync(join(root, file), text);
}
