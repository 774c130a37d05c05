/**
 * Renders a draft as xml2rfc v3 XML (RFC 7991 as updated by RFC 9280's
 * vocabulary) from the project's own parse of the Markdown
 * (tools/draftparse/document.ts), without kramdown-rfc, whose Debian
 * release writes v2 elements. Sections become `<section>` with `<name>`,
 * paragraphs `<t>`, lists `<ul>`/`<ol>`/`<dl>`, tables
 * `<table>`/`<thead>`/`<tbody>`/`<tr>`/`<th>`/`<td>`, fenced blocks
 * `<artwork type="ascii-art">` (or `<sourcecode>` when the fence names a
 * language), inside `<figure>` when they have a title or anchor.
 *
 * @example
 * const { xml, docName } = renderV3(await readFile("rfc/draft-sp-tcp.md", "utf8"));
 * // docName "draft-sp-tcp-00"; xml starts with <?xml ...?><rfc ... version="3" ...>
 */
import type { DocBlock, DocSection } from "../draftparse/document.ts";
import { parseDocument } from "../draftparse/document.ts";
import { inlineText, parseInline } from "../draftparse/inline.ts";
import { sectionAnchors } from "./anchors.ts";
import { rfcAttributes, writeFront, writeReferences } from "./front.ts";
import { writeInline } from "./inlinexml.ts";
import { docNameOf } from "./naming.ts";
import { PAGE_WIDTH, SECTION_INDENT, tableLayout } from "./width.ts";
import { XmlOut } from "./xmlout.ts";

/** The rendered document and what stood in the way of a faithful rendering. */
export interface V3Result {
  readonly xml: string;
  /** Front-matter docname with its revision (`-00` added when missing). */
  readonly docName: string;
  /** Problems with a source line (0 when the problem has no line). */
  readonly issues: readonly { readonly line: number; readonly message: string }[];
  /** Things worth saying that do not make the XML wrong (a docname completed with -00). */
  readonly notes: readonly string[];
}

function writeBlock(parent: XmlOut, b: DocBlock): void {
  switch (b.kind) {
    case "paragraph":
      writeInline(parent.block("t").node, b.content);
      break;
    case "list": {
      const attrs: Record<string, string> = b.compact ? { spacing: "compact" } : {};
      if (b.ordered && b.start !== 1) attrs.start = String(b.start);
      const list = parent.block(b.ordered ? "ol" : "ul", attrs);
      for (const item of b.items) writeInline(list.block("li").node, item.content);
      break;
    }
    case "definitions": {
      const dl = parent.block("dl", { newline: "false", spacing: "normal" });
      for (const e of b.entries) {
        writeInline(dl.block("dt").node, e.term);
        const dd = dl.block("dd");
        if (e.definitions.length === 1) writeInline(dd.node, e.definitions[0] ?? []);
        else for (const d of e.definitions) writeInline(dd.block("t").node, d);
      }
      break;
    }
    case "table": {
      if (!fitsPage(b)) {
        writeTableAsList(parent, b);
        break;
      }
      const table = parent.block("table", b.anchor ? { anchor: b.anchor } : {});
      if (b.title) table.block("name").node.txt(b.title);
      const cellAttrs = (k: number): Record<string, string> => ({ align: b.align[k] ?? "left" });
      // A table needs a <tbody>; a table of only a header row gets it there.
      const headRow = table.block(b.rows.length > 0 ? "thead" : "tbody").block("tr");
      for (const [k, cell] of b.header.entries()) {
        writeInline(headRow.block("th", cellAttrs(k)).node, cell);
      }
      if (b.rows.length > 0) {
        const body = table.block("tbody");
        for (const row of b.rows) {
          const tr = body.block("tr");
          for (const [k, cell] of row.entries())
            writeInline(tr.block("td", cellAttrs(k)).node, cell);
        }
      }
      break;
    }
    case "figure": {
      const boxed = b.anchor !== null || b.title !== null;
      const holder = boxed ? parent.block("figure", b.anchor ? { anchor: b.anchor } : {}) : parent;
      if (b.title) holder.block("name").node.txt(b.title);
      const art = b.language
        ? holder.block("sourcecode", { type: b.language })
        : holder.block("artwork", { type: "ascii-art" });
      if (b.text.includes("]]>")) art.node.txt(`\n${b.text}\n`);
      else art.node.dat(`\n${b.text}\n`);
      break;
    }
  }
}

type TableBlock = Extract<DocBlock, { kind: "table" }>;

/** True when xml2rfc can lay the table out within the page (72 columns less the indent). */
function fitsPage(b: TableBlock): boolean {
  const text = (cells: TableBlock["header"]) => cells.map((c) => inlineText(c));
  const layout = tableLayout([text(b.header), ...b.rows.map(text)]);
  return layout.width <= PAGE_WIDTH - SECTION_INDENT;
}

/**
 * A table too wide for a 72-column page (the six-column state machines, whose
 * cells hold long unbreakable names such as `after:handshakeTimeout`) is
 * written as a titled definition list instead: one entry per row, the first
 * cell as the term and the other cells, each labelled with its column's
 * header, as the definition. The rows and their order are the table's; xml2rfc
 * would otherwise split names at hyphens (`SP-PAIR-` / `4`) or overrun the page.
 */
function writeTableAsList(parent: XmlOut, b: TableBlock): void {
  const intro = parent.block("t", b.anchor ? { anchor: b.anchor } : {});
  intro.node.txt(`${b.title ?? "Table"}:`);
  const dl = parent.block("dl", { newline: "true", spacing: "normal" });
  const labels = b.header.map((h) => inlineText(h).trim());
  for (const row of b.rows) {
    writeInline(dl.block("dt").node, row[0] ?? []);
    const dd = dl.block("dd").node;
    let first = true;
    for (const [k, cell] of row.entries()) {
      if (k === 0 || inlineText(cell).trim() === "") continue;
      dd.txt(`${first ? "" : "; "}${labels[k] ?? `column ${k + 1}`}: `);
      writeInline(dd, cell);
      first = false;
    }
    if (first) dd.txt("(no other values)");
  }
}

function writeSection(parent: XmlOut, s: DocSection, anchors: Map<DocSection, string>): void {
  const attrs: Record<string, string> = { anchor: anchors.get(s) ?? "" };
  if (!s.numbered) attrs.numbered = "false";
  const section = parent.block("section", attrs);
  writeInline(section.block("name").node, parseInline(s.title));
  for (const b of s.blocks) writeBlock(section, b);
  for (const sub of s.sections) writeSection(section, sub, anchors);
}

/** Renders Markdown draft `source` as v3 XML. */
export function renderV3(source: string): V3Result {
  const doc = parseDocument(source);
  const issues = doc.issues.map((d) => ({ line: d.line, message: d.message }));
  const fm = doc.frontMatter ?? {};
  if (!doc.frontMatter) issues.push({ line: 1, message: "no YAML front matter" });
  const named = docNameOf(fm);
  const notes: string[] = [];
  if (named.problem && doc.frontMatter?.docname) notes.push(named.problem);
  else if (named.problem) issues.push({ line: 1, message: named.problem });
  const docName = named.docName;

  const rfc = XmlOut.document("rfc", rfcAttributes(fm, docName));
  const front = writeFront(rfc, fm, docName);
  if (doc.abstract.length > 0) {
    const abstract = front.block("abstract");
    for (const b of doc.abstract) writeBlock(abstract, b);
  } else issues.push({ line: 1, message: "no abstract (--- abstract)" });

  const refNames = [
    ...Object.keys((fm.normative as object | null) ?? {}),
    ...Object.keys((fm.informative as object | null) ?? {}),
  ];
  const anchors = sectionAnchors(doc, refNames);
  const middle = rfc.block("middle");
  for (const s of doc.middle) writeSection(middle, s, anchors);
  const back = rfc.block("back");
  const refs = writeReferences(back, fm);
  for (const name of refs.missing) {
    issues.push({
      line: 1,
      message: `reference ${name} has no inline data (the export is offline)`,
    });
  }
  for (const s of doc.back) writeSection(back, s, anchors);
  return { xml: rfc.end(), docName, issues, notes };
}
