/**
 * Line-based block scanner for kramdown-rfc Markdown. It splits a draft into
 * front matter, headings, fenced blocks, tables (with their IAL), HTML
 * comments and paragraphs, keeping 1-based line numbers.
 */

export interface SourceLine {
  readonly line: number;
  readonly text: string;
}

export type Block =
  | { kind: "frontMatter"; line: number; lines: SourceLine[] }
  | { kind: "part"; line: number; part: "abstract" | "middle" | "back" | "other" }
  | { kind: "heading"; line: number; level: number; title: string; anchor: string | null }
  | { kind: "fence"; line: number; lines: SourceLine[]; ial: Ial | null }
  | { kind: "table"; line: number; lines: SourceLine[]; ial: Ial | null }
  | { kind: "comment"; line: number; text: string }
  | { kind: "paragraph"; line: number; lines: SourceLine[] }
  | { kind: "ial"; line: number; ial: Ial };

/** A kramdown inline attribute list such as `{: #machine-req title="REQ"}`. */
export interface Ial {
  readonly line: number;
  readonly anchor: string | null;
  readonly title: string | null;
  readonly raw: string;
}

const FENCE = /^\s*(`{3,}|~{3,})/;
const HEADING = /^(#{1,6})\s+(.*?)\s*$/;
const IAL = /^\s*\{:.*\}\s*$/;
const PART = /^---\s+(\S+)/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+\.)\s+/;

/** Parses `{: #anchor title="..."}`; returns null when the text is not an IAL. */
export function parseIal(text: string, line: number): Ial | null {
  if (!IAL.test(text)) return null;
  const anchor = /#([A-Za-z][\w-]*)/.exec(text)?.[1] ?? null;
  const title = /title="([^"]*)"/.exec(text)?.[1] ?? null;
  return { line, anchor, title, raw: text.trim() };
}

/** Splits a heading's title from a trailing `{#anchor}`. */
function splitHeading(raw: string): { title: string; anchor: string | null } {
  const m = /^(.*?)\s*\{#([A-Za-z][\w-]*)\}\s*$/.exec(raw);
  if (m) return { title: m[1] ?? "", anchor: m[2] ?? null };
  return { title: raw, anchor: null };
}

/**
 * Scans the draft into blocks.
 *
 * @example
 * const blocks = scanBlocks("# Intro\n\nText.\n");
 * // [{ kind: "heading", ... }, { kind: "paragraph", ... }]
 */
export function scanBlocks(source: string): Block[] {
  const lines = source.split(/\r?\n/);
  const blocks: Block[] = [];
  let i = 0;
  const at = (k: number): string => lines[k] ?? "";

  if (at(0).trim() === "---") {
    let end = 1;
    while (end < lines.length && at(end).trim() !== "---" && !PART.test(at(end))) end++;
    const fm: SourceLine[] = [];
    for (let k = 1; k < end; k++) fm.push({ line: k + 1, text: at(k) });
    blocks.push({ kind: "frontMatter", line: 1, lines: fm });
    i = at(end).trim() === "---" ? end + 1 : end;
  }

  let para: SourceLine[] = [];
  const flush = () => {
    if (para.length > 0) {
      blocks.push({ kind: "paragraph", line: para[0]?.line ?? 0, lines: para });
      para = [];
    }
  };

  while (i < lines.length) {
    const text = at(i);
    const lineNo = i + 1;
    const fence = FENCE.exec(text);
    if (fence) {
      flush();
      const marker = fence[1] ?? "```";
      const body: SourceLine[] = [];
      let k = i + 1;
      while (k < lines.length && !at(k).trim().startsWith(marker)) {
        body.push({ line: k + 1, text: at(k) });
        k++;
      }
      const ial = parseIal(at(k + 1), k + 2);
      blocks.push({ kind: "fence", line: lineNo, lines: body, ial });
      i = ial ? k + 2 : k + 1;
      continue;
    }
    if (text.trimStart().startsWith("<!--")) {
      flush();
      let k = i;
      const parts: string[] = [];
      while (k < lines.length) {
        parts.push(at(k));
        if (at(k).includes("-->")) break;
        k++;
      }
      blocks.push({ kind: "comment", line: lineNo, text: parts.join("\n") });
      i = k + 1;
      continue;
    }
    const part = PART.exec(text);
    if (part) {
      flush();
      const name = part[1] ?? "";
      const known = name === "abstract" || name === "middle" || name === "back";
      blocks.push({
        kind: "part",
        line: lineNo,
        part: known ? (name as "abstract" | "middle" | "back") : "other",
      });
      i++;
      continue;
    }
    const heading = HEADING.exec(text);
    if (heading) {
      flush();
      const { title, anchor } = splitHeading(heading[2] ?? "");
      blocks.push({ kind: "heading", line: lineNo, level: heading[1]?.length ?? 1, title, anchor });
      i++;
      continue;
    }
    if (text.trimStart().startsWith("|")) {
      flush();
      const rows: SourceLine[] = [];
      let k = i;
      while (k < lines.length && at(k).trimStart().startsWith("|")) {
        rows.push({ line: k + 1, text: at(k) });
        k++;
      }
      const ial = parseIal(at(k), k + 1);
      blocks.push({ kind: "table", line: lineNo, lines: rows, ial });
      i = ial ? k + 1 : k;
      continue;
    }
    const ial = parseIal(text, lineNo);
    if (ial) {
      flush();
      blocks.push({ kind: "ial", line: lineNo, ial });
      i++;
      continue;
    }
    if (text.trim() === "") {
      flush();
      i++;
      continue;
    }
    if (LIST_ITEM.test(text) || /^\s*:\s/.test(text)) flush();
    para.push({ line: lineNo, text });
    i++;
  }
  flush();
  return blocks;
}

/** Splits a table row into trimmed cells; `\|` stays inside a cell. */
export function splitRow(text: string): string[] {
  let t = text.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|") && !t.endsWith("\\|")) t = t.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  let inCode = false;
  for (let k = 0; k < t.length; k++) {
    const c = t[k];
    if (c === "\\" && t[k + 1] === "|") {
      cur += "|";
      k++;
    } else if (c === "`") {
      inCode = !inCode;
      cur += c;
    } else if (c === "|" && !inCode) {
      cells.push(cur.trim());
      cur = "";
    } else {
      cur += c;
    }
  }
  cells.push(cur.trim());
  return cells;
}

/** True for a delimiter row such as `|---|:--:|`. */
export function isDelimiterRow(text: string): boolean {
  const cells = splitRow(text);
  return cells.length > 0 && cells.every((c) => /^:?-+:?$/.test(c));
}

/** Removes surrounding backticks from a cell (`` `req0` `` → `req0`). */
export function plainCell(cell: string): string {
  const m = /^`([^`]*)`$/.exec(cell);
  return (m ? (m[1] ?? "") : cell).trim();
}
