/**
 * The whole content of a draft as a tree, for renderers such as the xml2rfc
 * v3 export: the abstract, the middle and back sections (nested by heading
 * level) and their blocks — paragraphs, bullet and numbered lists,
 * definition lists, tables and figures — with inline content parsed.
 * Built on {@link scanBlocks}; the rest of the reader does not depend on it.
 *
 * @example
 * const doc = parseDocument(await readFile("rfc/draft-sp-pair.md", "utf8"));
 * doc.middle[0]?.title; // "Introduction"
 */
import {
  type Block,
  type Ial,
  isDelimiterRow,
  type SourceLine,
  scanBlocks,
  splitRow,
} from "./blocks.ts";
import { readFrontMatter } from "./front-matter.ts";
import { type Inline, parseInline } from "./inline.ts";
import type { Diagnostic } from "./types.ts";

/** Column alignment from a table's delimiter row (null: not given). */
export type Align = "left" | "center" | "right" | null;

/** A block of a section's body. */
export type DocBlock =
  | { readonly kind: "paragraph"; readonly line: number; readonly content: readonly Inline[] }
  | {
      readonly kind: "list";
      readonly line: number;
      readonly ordered: boolean;
      /** First number of an ordered list. */
      readonly start: number;
      /** True when no blank line separates the items. */
      readonly compact: boolean;
      readonly items: readonly { readonly line: number; readonly content: readonly Inline[] }[];
    }
  | {
      readonly kind: "definitions";
      readonly line: number;
      readonly entries: readonly {
        readonly line: number;
        readonly term: readonly Inline[];
        readonly definitions: readonly (readonly Inline[])[];
      }[];
    }
  | {
      readonly kind: "table";
      readonly line: number;
      readonly anchor: string | null;
      readonly title: string | null;
      readonly align: readonly Align[];
      readonly header: readonly (readonly Inline[])[];
      readonly rows: readonly (readonly (readonly Inline[])[])[];
    }
  | {
      readonly kind: "figure";
      readonly line: number;
      readonly anchor: string | null;
      readonly title: string | null;
      /** The fence's info string (`~~~ abnf`), or null for plain art. */
      readonly language: string | null;
      readonly text: string;
    };

/** A heading and everything under it up to the next heading of its level or higher. */
export interface DocSection {
  readonly line: number;
  readonly level: number;
  readonly title: string;
  /** `{#anchor}` as written, or null (renderers derive one). */
  readonly anchor: string | null;
  /** False for `{:numbered="false"}`. */
  readonly numbered: boolean;
  readonly blocks: DocBlock[];
  readonly sections: DocSection[];
}

/** A draft as a tree. */
export interface DraftDocument {
  readonly frontMatter: Record<string, unknown> | null;
  readonly abstract: readonly DocBlock[];
  readonly middle: readonly DocSection[];
  readonly back: readonly DocSection[];
  /** Constructs the tree could not place. */
  readonly issues: readonly Diagnostic[];
}

const ITEM = /^(\s*)(?:([-*+])|(\d+)\.)\s+/;
const DEFINITION = /^\s*:\s+/;

function alignOf(cell: string): Align {
  const t = cell.trim();
  if (t.startsWith(":") && t.endsWith(":")) return "center";
  if (t.endsWith(":")) return "right";
  return t.startsWith(":") ? "left" : null;
}

function joined(lines: readonly SourceLine[], strip: RegExp): string {
  return lines
    .map((l, k) => (k === 0 ? l.text.replace(strip, "") : l.text.trim()))
    .join("\n")
    .trim();
}

function readTableBlock(lines: readonly SourceLine[], ial: Ial | null, line: number): DocBlock {
  const [head, delim, ...rest] = lines;
  const hasDelim = delim !== undefined && isDelimiterRow(delim.text);
  const cells = (l: SourceLine | undefined) => (l ? splitRow(l.text) : []).map(parseInline);
  return {
    kind: "table",
    line,
    anchor: ial?.anchor ?? null,
    title: ial?.title ?? null,
    align: hasDelim ? splitRow(delim.text).map(alignOf) : [],
    header: cells(head),
    rows: (hasDelim ? rest : lines.slice(1)).map(cells),
  };
}

/** Groups paragraph blocks into paragraphs, lists and definition lists. */
function readParagraphs(paras: readonly Extract<Block, { kind: "paragraph" }>[]): DocBlock[] {
  const out: DocBlock[] = [];
  for (let k = 0; k < paras.length; k++) {
    const p = paras[k];
    if (!p) continue;
    const first = p.lines[0]?.text ?? "";
    const item = ITEM.exec(first);
    const last = out[out.length - 1];
    if (item) {
      const ordered = item[3] !== undefined;
      const entry = { line: p.line, content: parseInline(joined(p.lines, ITEM)) };
      const prev = paras[k - 1];
      const adjacent = prev !== undefined && prev.line + prev.lines.length === p.line;
      if (last?.kind === "list" && last.ordered === ordered && last.line < p.line) {
        out[out.length - 1] = {
          ...last,
          compact: last.compact && adjacent,
          items: [...last.items, entry],
        };
      } else {
        out.push({
          kind: "list",
          line: p.line,
          ordered,
          start: ordered ? Number(item[3]) : 1,
          compact: true,
          items: [entry],
        });
      }
      continue;
    }
    if (DEFINITION.test(first)) {
      const definition = parseInline(joined(p.lines, DEFINITION));
      const prev = paras[k - 1];
      if (last?.kind === "paragraph" && prev && prev.lines.length === 1) {
        out[out.length - 1] = {
          kind: "definitions",
          line: last.line,
          entries: [{ line: last.line, term: last.content, definitions: [definition] }],
        };
      } else if (last?.kind === "definitions") {
        const entries = [...last.entries];
        const tail = entries.pop();
        if (tail) entries.push({ ...tail, definitions: [...tail.definitions, definition] });
        out[out.length - 1] = { ...last, entries };
      } else {
        out.push({ kind: "paragraph", line: p.line, content: definition });
      }
      continue;
    }
    const next = paras[k + 1];
    const term = p.lines.length === 1 && next && DEFINITION.test(next.lines[0]?.text ?? "");
    const content = parseInline(joined(p.lines, /^\s+/));
    if (term && last?.kind === "definitions") {
      out[out.length - 1] = {
        ...last,
        entries: [...last.entries, { line: p.line, term: content, definitions: [] }],
      };
      // The definition that follows fills this entry.
      continue;
    }
    out.push({ kind: "paragraph", line: p.line, content });
  }
  return out;
}

/**
 * Reads a draft into a tree. Comments are dropped; an IAL on its own line
 * right after a heading (`{:numbered="false"}`) applies to that heading.
 */
export function parseDocument(source: string): DraftDocument {
  const issues: Diagnostic[] = [];
  const abstract: DocBlock[] = [];
  const middle: DocSection[] = [];
  const back: DocSection[] = [];
  let frontMatter: Record<string, unknown> | null = null;
  let part: "front" | "abstract" | "middle" | "back" = "front";
  const open: DocSection[] = [];
  let paras: Extract<Block, { kind: "paragraph" }>[] = [];
  let lastHeading: { section: DocSection; ialAllowed: boolean } | null = null;

  const target = (): DocBlock[] | null => {
    const top = open[open.length - 1];
    if (top) return top.blocks;
    return part === "abstract" ? abstract : null;
  };
  const add = (b: DocBlock) => {
    const t = target();
    if (t) t.push(b);
    else issues.push({ line: b.line, message: `${b.kind} outside any section` });
  };
  const flush = () => {
    if (paras.length > 0) for (const b of readParagraphs(paras)) add(b);
    paras = [];
  };

  const sourceLines = source.split(/\r?\n/);
  for (const b of scanBlocks(source)) {
    if (b.kind !== "paragraph") flush();
    const afterHeading = lastHeading?.ialAllowed === true;
    if (lastHeading) lastHeading.ialAllowed = false;
    switch (b.kind) {
      case "frontMatter": {
        frontMatter = readFrontMatter(b, issues);
        break;
      }
      case "part":
        if (b.part !== "other") part = b.part;
        open.length = 0;
        break;
      case "heading": {
        const section: DocSection = {
          line: b.line,
          level: b.level,
          title: b.title,
          anchor: b.anchor,
          numbered: true,
          blocks: [],
          sections: [],
        };
        while ((open[open.length - 1]?.level ?? 0) >= b.level) open.pop();
        const parent = open[open.length - 1];
        if (parent) parent.sections.push(section);
        else if (part === "middle") middle.push(section);
        else if (part === "back") back.push(section);
        else issues.push({ line: b.line, message: `heading "${b.title}" outside middle and back` });
        open.push(section);
        lastHeading = { section, ialAllowed: true };
        break;
      }
      case "ial": {
        const s = lastHeading?.section;
        if (afterHeading && s) {
          const numbered = !/numbered\s*=\s*"?false"?/.test(b.ial.raw);
          const anchor = b.ial.anchor ?? s.anchor;
          Object.assign(s, { numbered, anchor });
        } else issues.push({ line: b.line, message: `IAL ${b.ial.raw} applies to nothing` });
        break;
      }
      case "fence":
        add({
          kind: "figure",
          line: b.line,
          anchor: b.ial?.anchor ?? null,
          title: b.ial?.title ?? null,
          language:
            /^\s*(?:`{3,}|~{3,})\s*([\w-]+)/.exec(sourceLines[b.line - 1] ?? "")?.[1] ?? null,
          text: b.lines.map((l) => l.text).join("\n"),
        });
        break;
      case "table":
        add(readTableBlock(b.lines, b.ial, b.line));
        break;
      case "paragraph":
        paras.push(b);
        break;
      case "comment":
        break;
    }
  }
  flush();
  return { frontMatter, abstract, middle, back, issues };
}
