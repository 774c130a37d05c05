/**
 * Finds requirement ids cited in source comments (`// SP-PUBSUB-4: ...`).
 * Short forms are expanded: `SP-PUBSUB-9/-10` and `SP-PUBSUB-9/10` name 9 and
 * 10, `SP-PAIR-11..14` names 11 to 14.
 *
 * @example
 * idsInComment("x = 1; // SP-TCP-3, SP-PAIR-11..13"); // ["SP-TCP-3", "SP-PAIR-11", "SP-PAIR-12", "SP-PAIR-13"]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Where code cites a requirement. */
export interface CodeCitation {
  readonly id: string;
  /** Path relative to the root given to {@link scanCitations}. */
  readonly file: string;
  readonly line: number;
}

const ID_RUN = /\b(SP-[A-Z0-9]+)-(\d+)((?:\s*(?:\/-?|\.\.|–)\s*\d+)*)/g;

/** The comment part of one source line, or "" when the line has none. */
export function commentOf(line: string, inBlock: boolean): string {
  if (inBlock) return line;
  const t = line.trimStart();
  if (t.startsWith("*") || t.startsWith("/*")) return line;
  const k = line.indexOf("//");
  const b = line.indexOf("/*");
  const starts = [k, b].filter((x) => x >= 0);
  return starts.length > 0 ? line.slice(Math.min(...starts)) : "";
}

/** Requirement ids named in `text`, short forms expanded, in order, without repeats. */
export function idsInComment(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ID_RUN)) {
    const prefix = m[1] ?? "";
    let last = Number(m[2]);
    out.push(`${prefix}-${last}`);
    for (const part of (m[3] ?? "").matchAll(/(\/-?|\.\.|–)\s*(\d+)/g)) {
      const n = Number(part[2]);
      if (part[1] === "/" || part[1] === "/-") out.push(`${prefix}-${n}`);
      else for (let k = last + 1; k <= n && k - last <= 50; k++) out.push(`${prefix}-${k}`);
      last = n;
    }
  }
  return [...new Set(out)];
}

const SOURCE = /\.(ts|mts|js|mjs|c|h)$/;
const SKIP_FILE = /\.(test|spec)\.[a-z]+$/;

function walk(dir: string, files: string[]): void {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, files);
    else if (SOURCE.test(e.name) && !SKIP_FILE.test(e.name)) files.push(p);
  }
}

/**
 * Scans the source files under `dir` (tests excluded) for ids in comments.
 * Paths in the result are relative to `root`.
 */
export function scanCitations(dir: string, root: string): CodeCitation[] {
  const files: string[] = [];
  walk(dir, files);
  const out: CodeCitation[] = [];
  for (const file of files) {
    const rel = relative(root, file).split("\\").join("/");
    let inBlock = false;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((text, k) => {
        const comment = commentOf(text, inBlock);
        for (const id of idsInComment(comment)) out.push({ id, file: rel, line: k + 1 });
        // Track /* ... */ blocks that span lines.
        const open = text.lastIndexOf("/*");
        const close = text.lastIndexOf("*/");
        if (open > close) inBlock = true;
        else if (close >= 0) inBlock = false;
      });
  }
  return out;
}
