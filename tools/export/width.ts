/**
 * Approximates xml2rfc's text rendering (72 columns) to find lines that
 * cannot fit: a word of a paragraph, list item, definition or heading
 * longer than the width left after indentation (xml2rfc never breaks a
 * word); an artwork line longer than 72 columns (xml2rfc only reduces the
 * indentation of wide artwork) or a sourcecode line longer than the width
 * left; a table whose narrowest layout is wider than the width left.
 *
 * Layout as in xml2rfc's text writer: section content is indented by 3
 * columns (so 69 are left), a bullet item by 3 more, a numbered item by the
 * width of its label plus 2, a definition by 3. A table's narrowest layout
 * gives each column the width of its longest word plus one space of padding
 * on each side, and draws a border between and around the columns:
 * `sum(longest word + 2) + columns + 1`.
 *
 * @example
 * checkWidth(readTree(xml)); // [] when every line fits
 */
import { textOf, type XmlElement } from "./xmltree.ts";

/** Width of the text rendering. */
export const PAGE_WIDTH = 72;
/** Indentation of section content. */
export const SECTION_INDENT = 3;

/** One thing that does not fit. */
export interface WidthProblem {
  /** Where: the names and anchors of the enclosing sections. */
  readonly where: string;
  readonly message: string;
}

/** Elements that make a list item hold blocks rather than text. */
const BLOCKS = new Set(["t", "ul", "ol", "dl", "figure", "artwork", "sourcecode", "table"]);
const SKIP = new Set(["references", "author", "title", "seriesInfo", "date", "keyword"]);

/** Text as the renderer shows it: xrefs to references as `[NAME]`, others as "Section N". */
function rendered(e: XmlElement | string, refs: ReadonlySet<string>): string {
  if (typeof e === "string") return e;
  const inner = e.children.map((c) => rendered(c, refs)).join("");
  switch (e.name) {
    case "xref": {
      const t = e.attrs.target ?? "";
      return inner !== "" ? inner : refs.has(t) ? `[${t}]` : "Section 9.9";
    }
    case "eref":
      return inner !== "" ? inner : `<${e.attrs.target ?? ""}>`;
    case "em":
      return `_${inner}_`;
    case "strong":
      return `*${inner}*`;
    default:
      return inner;
  }
}

/** The longest whitespace-separated word (no-break spaces join words). */
export function longestWord(text: string): string {
  let best = "";
  for (const w of text.split(/[ \t\r\n]+/)) if ([...w].length > [...best].length) best = w;
  return best;
}

const len = (s: string) => [...s].length;

/** A table's narrowest layout. */
export interface TableLayout {
  /** Longest word per column, padding and borders. */
  readonly width: number;
  /** The same without padding (xml2rfc's absolute minimum before it splits at hyphens). */
  readonly bare: number;
  /** The longest word of each column. */
  readonly words: readonly string[];
}

/** Narrowest layout of a table given as rows of cell texts (header row first). */
export function tableLayout(rows: readonly (readonly string[])[]): TableLayout {
  const cols = Math.max(0, ...rows.map((r) => r.length));
  const words: string[] = [];
  for (let j = 0; j < cols; j++) {
    words.push(longestWord(rows.map((r) => longestWord(r[j] ?? "")).join(" ")));
  }
  const bare = cols + 1 + words.reduce((n, w) => n + len(w), 0);
  return { width: bare + 2 * cols, bare, words };
}

/** Checks the whole document; returns what cannot fit. */
export function checkWidth(root: XmlElement): WidthProblem[] {
  const problems: WidthProblem[] = [];
  const refs = new Set<string>();
  const collect = (e: XmlElement) => {
    if (e.name === "reference" && e.attrs.anchor) refs.add(e.attrs.anchor);
    for (const c of e.children) if (typeof c !== "string") collect(c);
  };
  collect(root);

  const words = (e: XmlElement, width: number, where: string, what: string) => {
    const w = longestWord(rendered(e, refs));
    if (len(w) > width) {
      problems.push({
        where,
        message: `${what}: "${w}" is ${len(w)} columns, wider than the ${width} left`,
      });
    }
  };

  const visit = (e: XmlElement, width: number, where: string): void => {
    if (SKIP.has(e.name)) return;
    const kids = e.children.filter((c): c is XmlElement => typeof c !== "string");
    switch (e.name) {
      case "section": {
        const name = kids.find((k) => k.name === "name");
        const title = `${textOf(name ?? "").trim()} (#${e.attrs.anchor ?? ""})`;
        const here = where === "" ? `section ${title}` : `${where} > ${title}`;
        if (name) words(name, PAGE_WIDTH - SECTION_INDENT, here, "section title");
        for (const k of kids) {
          if (k.name !== "name") visit(k, PAGE_WIDTH - SECTION_INDENT, here);
        }
        return;
      }
      case "abstract":
        for (const k of kids) visit(k, PAGE_WIDTH - SECTION_INDENT, "Abstract");
        return;
      case "t":
      case "name":
      case "dt":
        words(e, width, where, e.name === "t" ? "paragraph" : e.name);
        return;
      case "ul":
      case "ol": {
        const label = e.name === "ol" ? len(`${kids.length}.`) + 2 : 3;
        for (const li of kids) {
          if (li.children.some((c) => typeof c !== "string" && BLOCKS.has(c.name))) {
            for (const k of li.children) if (typeof k !== "string") visit(k, width - label, where);
          } else words(li, width - label, where, "list item");
        }
        return;
      }
      case "dd":
        if (kids.some((k) => k.name === "t")) for (const k of kids) visit(k, width - 3, where);
        else words(e, width - 3, where, "definition");
        return;
      case "artwork":
      case "sourcecode": {
        const limit = e.name === "artwork" ? PAGE_WIDTH : width;
        for (const line of textOf(e).split("\n")) {
          if (len(line.trimEnd()) > limit) {
            problems.push({
              where,
              message: `${e.name} line is ${len(line.trimEnd())} columns (at most ${limit}): ${line.trim().slice(0, 40)}`,
            });
          }
        }
        return;
      }
      case "table": {
        const rows = kids
          .filter((k) => /^(thead|tbody|tfoot)$/.test(k.name))
          .flatMap((p) => p.children.filter((r): r is XmlElement => typeof r !== "string"))
          .map((tr) =>
            tr.children
              .filter((c): c is XmlElement => typeof c !== "string")
              .map((c) => rendered(c, refs)),
          );
        const layout = tableLayout(rows);
        const name = kids.find((k) => k.name === "name");
        const label = e.attrs.anchor ? `#${e.attrs.anchor}` : `"${textOf(name ?? "").trim()}"`;
        if (layout.width > width) {
          const cols = layout.words.map((w) => `${w} (${len(w)})`).join(", ");
          problems.push({
            where,
            message:
              `table ${label} needs ${layout.width} columns with padding (${layout.bare} without), ` +
              `${width} are left; longest word per column: ${cols}`,
          });
        }
        if (name) words(name, width, where, "table title");
        return;
      }
      default:
        for (const k of kids) visit(k, width, where);
    }
  };
  visit(root, PAGE_WIDTH, "");
  return problems.map((p) => (p.where === "" ? { ...p, where: "document" } : p));
}
