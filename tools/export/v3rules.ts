/**
 * Checks an exported document for what xml2rfc v3 would refuse or flag
 * before rendering: the root must be `<rfc version="3">`; no element of the
 * v2 vocabulary that RFC 7991 deprecates (`texttable`, `spanx`, `list`, ...)
 * nor any element outside the v3 vocabulary; no `title` attribute where v3
 * wants `<name>`; every `anchor` a unique XML name (they are xsd:ID);
 * every `<xref target>` naming an anchor that exists; no numbered section
 * after an unnumbered sibling or under an unnumbered parent (xml2rfc's
 * preptool refuses both).
 *
 * @example
 * checkV3(readTree('<rfc version="3"><middle><texttable/></middle></rfc>'));
 * // ["deprecated v2 element <texttable> in rfc/middle"]
 */
import { walk, type XmlElement } from "./xmltree.ts";

/** Elements RFC 7991 Section 3 deprecates (plus `facet`, never part of v3). */
export const DEPRECATED_ELEMENTS = [
  "c",
  "facet",
  "facsimile",
  "format",
  "list",
  "postamble",
  "preamble",
  "spanx",
  "texttable",
  "ttcol",
  "vspace",
] as const;

/** The v3 vocabulary (RFC 7991, with the additions of RFC 9280's era). */
const V3_ELEMENTS = new Set(
  `abstract address annotation area artset artwork aside author back bcp14 blockquote
   boilerplate br city cityarea code contact country cref date dd displayreference dl dt em
   email eref extaddr figure front iref keyword li link middle name note ol organization
   phone pobox postal postalLine refcontent reference referencegroup references region
   relref rfc section seriesInfo sort sourcecode stream street strong sub sup svg t table
   tbody td tfoot th thead title toc tr tt u ul uri workgroup xref xi:include`.split(/\s+/),
);

/** Elements whose v2 `title` attribute became a `<name>` child in v3. */
const NAMED = new Set(["section", "figure", "table", "references", "note", "texttable"]);

/** An xsd:ID is an NCName. */
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const where = (ancestors: readonly XmlElement[], e: XmlElement) =>
  [...ancestors, e].map((a) => a.name).join("/");

/** Returns one message per problem; empty when the document passes. */
export function checkV3(root: XmlElement): string[] {
  const problems: string[] = [];
  if (root.name !== "rfc") problems.push(`root element is <${root.name}>, not <rfc>`);
  if (root.attrs.version !== "3") {
    problems.push(`<rfc version="${root.attrs.version ?? ""}">: the version must be 3`);
  }
  const deprecated = new Set<string>(DEPRECATED_ELEMENTS);
  const anchors = new Map<string, string>();
  const targets: { target: string; at: string }[] = [];
  for (const { element: e, ancestors } of walk(root)) {
    const at = where(ancestors, e);
    if (deprecated.has(e.name)) problems.push(`deprecated v2 element <${e.name}> in ${at}`);
    else if (!V3_ELEMENTS.has(e.name)) problems.push(`<${e.name}> is not a v3 element (${at})`);
    if (NAMED.has(e.name) && e.attrs.title !== undefined) {
      problems.push(`<${e.name} title="..."> is v2; v3 uses a <name> child (${at})`);
    }
    const anchor = e.attrs.anchor;
    if (anchor !== undefined && !NCNAME.test(anchor)) {
      problems.push(`anchor "${anchor}" of ${at} is not an XML name`);
    }
    if (anchor !== undefined) {
      const first = anchors.get(anchor);
      if (first) problems.push(`anchor "${anchor}" of ${at} repeats the anchor of ${first}`);
      else anchors.set(anchor, at);
    }
    if (e.name === "xref" && e.attrs.target !== undefined) {
      targets.push({ target: e.attrs.target, at });
    }
  }
  problems.push(...checkNumbering(root));
  for (const { target, at } of targets) {
    if (!anchors.has(target)) problems.push(`<xref target="${target}"> names no anchor (${at})`);
  }
  return problems;
}

const sectionsIn = (e: XmlElement) =>
  e.children.filter((c): c is XmlElement => typeof c !== "string" && c.name === "section");

/** xml2rfc's rule for `numbered="false"`, applied to front, middle and back. */
function checkNumbering(root: XmlElement): string[] {
  const problems: string[] = [];
  const visit = (parent: XmlElement, unnumberedParent: boolean, path: string) => {
    let unnumberedSeen: string | null = null;
    for (const s of sectionsIn(parent)) {
      const id = `${path}/section[@anchor="${s.attrs.anchor ?? ""}"]`;
      const numbered = s.attrs.numbered !== "false";
      if (!numbered) unnumberedSeen ??= id;
      else if (unnumberedParent) problems.push(`numbered ${id} under an unnumbered section`);
      else if (unnumberedSeen) problems.push(`numbered ${id} after unnumbered ${unnumberedSeen}`);
      visit(s, !numbered, id);
    }
  };
  for (const part of root.children) {
    if (typeof part !== "string" && /^(front|middle|back)$/.test(part.name)) {
      visit(part, false, `rfc/${part.name}`);
    }
  }
  return problems;
}
