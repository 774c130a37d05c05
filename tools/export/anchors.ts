/**
 * Section anchors for the v3 export. Explicit anchors (`{#iana}` on a
 * heading, `{: #defaults}` on a table or figure) are kept as written; every
 * other section gets an automatic anchor from its title the way kramdown
 * builds one ("IANA Considerations" → `iana-considerations`). An automatic
 * anchor that would repeat an explicit one or an earlier automatic one gets
 * a `-1`, `-2`, ... suffix, so a section "Defaults" holding a table
 * `{: #defaults}` becomes `defaults-1`. Repeated explicit anchors are left
 * alone for the anchor check to report.
 *
 * @example
 * autoAnchor("IANA Considerations"); // "iana-considerations"
 */
import type { DocBlock, DocSection, DraftDocument } from "../draftparse/document.ts";

/** kramdown's automatic id for a heading title. */
export function autoAnchor(title: string): string {
  const id = title
    .toLowerCase()
    .replace(/[^a-z0-9\s_-]/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .replace(/^[^a-z]+/, "");
  return id === "" ? "section" : id;
}

function* sectionsOf(list: readonly DocSection[]): Generator<DocSection> {
  for (const s of list) {
    yield s;
    yield* sectionsOf(s.sections);
  }
}

function* blocksOf(doc: DraftDocument): Generator<DocBlock> {
  yield* doc.abstract;
  for (const s of sectionsOf([...doc.middle, ...doc.back])) yield* s.blocks;
}

/** Maps every section of the document to the anchor it is written with. */
export function sectionAnchors(
  doc: DraftDocument,
  reserved: Iterable<string> = [],
): Map<DocSection, string> {
  const taken = new Set<string>(reserved);
  const all = [...sectionsOf([...doc.middle, ...doc.back])];
  for (const s of all) if (s.anchor) taken.add(s.anchor);
  for (const b of blocksOf(doc)) {
    if ((b.kind === "table" || b.kind === "figure") && b.anchor) taken.add(b.anchor);
  }
  const out = new Map<DocSection, string>();
  for (const s of all) {
    if (s.anchor) {
      out.set(s, s.anchor);
      continue;
    }
    const base = autoAnchor(s.title);
    let id = base;
    for (let n = 1; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    out.set(s, id);
  }
  return out;
}
