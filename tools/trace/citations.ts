/**
 * Finds requirement ids cited in source comments (`// SP-PUBSUB-4: ...`).
 * Short forms are expanded: `SP-PUBSUB-9/-10` and `SP-PUBSUB-9/10` name 9 and
 * 10, `SP-PAIR-11..14` names 11 to 14. Each citation keeps the text of the
 * comment it sits in, so a reviewer can hold it against the draft sentence.
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
  /**
   * The comment around the citation, markers (`//`, `*`) removed: the cited
   * line plus the neighbouring lines of the same comment paragraph that cite
   * nothing themselves.
   */
  readonly comment: string;
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

/** How a line takes part in comments. */
type LineKind = "none" | "slash" | "block" | "trailing";

interface CommentLine {
  readonly kind: LineKind;
  /** Comment text without markers, trimmed. */
  readonly text: string;
  /** The line starts a block comment (`/*`) or ends one. */
  readonly opens: boolean;
  readonly closes: boolean;
  readonly ids: readonly string[];
}

/** Removes comment markers: `//`, `/**`, a leading `*`, a trailing `*\/`. */
export function stripMarkers(comment: string): string {
  return comment
    .trim()
    .replace(/^\/\/+\s?/, "")
    .replace(/^\/\*+\s?/, "")
    .replace(/^\*(?!\/)\s?/, "")
    .replace(/\s*\*+\/\s*$/, "")
    .trim();
}

/** Classifies every line of a source text. */
export function commentLines(source: string): CommentLine[] {
  const out: CommentLine[] = [];
  let inBlock = false;
  for (const text of source.split("\n")) {
    const comment = commentOf(text, inBlock);
    const t = text.trimStart();
    let kind: LineKind = "none";
    if (comment !== "") {
      if (inBlock || t.startsWith("*") || t.startsWith("/*")) kind = "block";
      else if (t.startsWith("//")) kind = "slash";
      else kind = "trailing";
    }
    const open = text.lastIndexOf("/*");
    const close = text.lastIndexOf("*/");
    out.push({
      kind,
      text: stripMarkers(comment),
      opens: kind === "block" && t.startsWith("/*"),
      closes: kind === "block" && close >= 0 && close > open,
      ids: idsInComment(comment),
    });
    // Track /* ... */ blocks that span lines.
    if (open > close) inBlock = true;
    else if (close >= 0) inBlock = false;
  }
  return out;
}

/**
 * True when a comment line starts a new item with an id (`SP-PUB-3: ...`,
 * `SP-PAIR-2/-3 keep ...`) rather than carrying on a sentence that happens
 * to break before an id (`SP-INPROC-1). Host and ...`).
 */
export function startsItem(text: string): boolean {
  const m = /^\(?SP-[A-Z0-9]+-\d+(?:\s*(?:\/-?|\.\.|–)\s*\d+)*/.exec(text);
  return m !== null && !/^[).,;\]]/.test(text.slice(m[0].length));
}

/**
 * The comment paragraph around line index `k`: contiguous lines of the same
 * kind (`//` lines, or lines of one block comment), not blank, at most
 * `reach` lines each way, and not across a line that starts a new item
 * (see {@link startsItem}).
 */
export function paragraphAt(lines: readonly CommentLine[], k: number, reach = 4): string {
  const at = lines[k];
  if (!at) return "";
  if (at.kind === "trailing" || at.kind === "none") return at.text;
  const same = (n: CommentLine | undefined): n is CommentLine =>
    n !== undefined && n.kind === at.kind && n.text !== "";
  let first = k;
  let last = k;
  while (
    first > k - reach &&
    !lines[first]?.opens &&
    !startsItem(lines[first]?.text ?? "") &&
    same(lines[first - 1])
  ) {
    first--;
  }
  while (last < k + reach && !lines[last]?.closes) {
    const next = lines[last + 1];
    if (!same(next) || next.opens || startsItem(next.text)) break;
    last++;
  }
  return lines
    .slice(first, last + 1)
    .map((l) => l.text)
    .filter((t) => t !== "")
    .join(" ");
}

const SOURCE = /\.(ts|mts|js|mjs|c|h)$/;
const SKIP_FILE = /\.(test|spec)\.[a-z]+$/;
/** Build output and dependencies: copies of the sources, not sources. */
const SKIP_DIR = new Set(["node_modules", "dist", "build"]);

function walk(dir: string, files: string[]): void {
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (SKIP_DIR.has(e.name) || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, files);
    else if (SOURCE.test(e.name) && !SKIP_FILE.test(e.name)) files.push(p);
  }
}

/**
 * Scans the source files under `dir` (tests and build output excluded) for
 * ids in comments. Paths in the result are relative to `root`.
 */
export function scanCitations(dir: string, root: string): CodeCitation[] {
  const files: string[] = [];
  walk(dir, files);
  const out: CodeCitation[] = [];
  for (const file of files) {
    const rel = relative(root, file).split("\\").join("/");
    const lines = commentLines(readFileSync(file, "utf8"));
    lines.forEach((l, k) => {
      if (l.ids.length === 0) return;
      const comment = paragraphAt(lines, k);
      for (const id of l.ids) out.push({ id, file: rel, line: k + 1, comment });
    });
  }
  return out;
}
