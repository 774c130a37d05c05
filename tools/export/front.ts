/**
 * The front-matter half of the v3 export: the `<rfc>` attributes, `<front>`
 * (title, seriesInfo, authors, date, area, workgroup, keywords) and the
 * reference lists, all taken from a draft's kramdown-rfc YAML front matter.
 * References must be written inline (the export is offline); a reference
 * without data is reported.
 *
 * @example
 * rfcAttributes(fm, "draft-sp-tcp-00").version; // "3"
 */
import type { XmlOut } from "./xmlout.ts";

type Map = Record<string, unknown>;

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const str = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
const asMap = (v: unknown): Map | null =>
  v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) ? (v as Map) : null;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v == null ? [] : [v]);

/** `<date>` attributes from `2026-11-25`, `1997-03`, `2026` or a YAML date. */
export function dateAttributes(value: unknown): Record<string, string> {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : (str(value) ?? "");
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?/.exec(text.trim());
  if (!m) return {};
  const out: Record<string, string> = { year: m[1] ?? "" };
  if (m[2]) out.month = MONTHS[Number(m[2]) - 1] ?? m[2];
  if (m[3]) out.day = String(Number(m[3]));
  return out;
}

/** The attributes of `<rfc>` for a draft. */
export function rfcAttributes(fm: Map, docName: string): Record<string, string> {
  const attrs: Record<string, string> = {
    "xmlns:xi": "http://www.w3.org/2001/XInclude",
    version: "3",
    docName,
    ipr: str(fm.ipr) ?? "trust200902",
  };
  const category = str(fm.category);
  if (category) attrs.category = category;
  const stream = str(fm.submissiontype);
  if (stream) attrs.submissionType = stream;
  const pis = asList(fm.pi).map(str);
  if (pis.includes("toc")) attrs.tocInclude = "true";
  if (pis.includes("sortrefs")) attrs.sortRefs = "true";
  if (pis.includes("symrefs")) attrs.symRefs = "true";
  attrs["xml:lang"] = "en";
  return attrs;
}

/** Writes one `<author>` from `{ins, name, org, email}`. */
function writeAuthor(parent: XmlOut, a: Map): void {
  const attrs: Record<string, string> = {};
  const ins = str(a.ins);
  const m = ins ? /^((?:[^\s.]+\.\s*)+)\s*(.+)$/.exec(ins) : null;
  if (m) {
    attrs.initials = (m[1] ?? "").trim();
    attrs.surname = m[2] ?? "";
  } else if (ins) attrs.surname = ins;
  const name = str(a.name);
  if (name) attrs.fullname = name;
  else if (ins) attrs.fullname = ins;
  const author = parent.block("author", attrs);
  const org = str(a.org);
  if (org) author.block("organization").node.txt(org);
  const email = str(a.email);
  if (email) author.block("address").block("email").node.txt(email);
}

/** Writes `<front>` of the document; the abstract is added by the caller. */
export function writeFront(rfc: XmlOut, fm: Map, docName: string): XmlOut {
  const front = rfc.block("front");
  const abbrev = str(fm.abbrev);
  front.block("title", abbrev ? { abbrev } : {}).node.txt(str(fm.title) ?? docName);
  front.block("seriesInfo", { name: "Internet-Draft", value: docName });
  for (const a of asList(fm.author)) {
    const m = asMap(a);
    if (m) writeAuthor(front, m);
  }
  front.block("date", dateAttributes(fm.date));
  for (const key of ["area", "workgroup"] as const) {
    const v = str(fm[key]);
    if (v) front.block(key).node.txt(v);
  }
  for (const k of asList(fm.keyword)) {
    const v = str(k);
    if (v) front.block("keyword").node.txt(v);
  }
  return front;
}

function writeReference(parent: XmlOut, anchor: string, data: Map): void {
  const target = str(data.target);
  const ref = parent.block("reference", target ? { anchor, target } : { anchor });
  const front = ref.block("front");
  front.block("title").node.txt(str(data.title) ?? anchor);
  const authors = asList(data.author).map(asMap);
  for (const a of authors) if (a) writeAuthor(front, a);
  if (authors.length === 0) front.block("author");
  front.block("date", dateAttributes(data.date));
  for (const [name, value] of Object.entries(asMap(data.seriesinfo) ?? {})) {
    const v = str(value);
    if (v) ref.block("seriesInfo", { name, value: v });
  }
}

/**
 * Writes one top-level `<references>` section each for the front matter's
 * `normative` and `informative` lists into `<back>` (idnits wants these
 * sections named "Normative References" and "Informative References");
 * returns the anchors written and the names of references that carry no data.
 */
export function writeReferences(back: XmlOut, fm: Map): { anchors: string[]; missing: string[] } {
  const anchors: string[] = [];
  const missing: string[] = [];
  const lists = [
    ["normative", "Normative References"],
    ["informative", "Informative References"],
  ] as const;
  for (const [key, title] of lists) {
    const entries = Object.entries(asMap(fm[key]) ?? {});
    if (entries.length === 0) continue;
    const refs = back.block("references", { anchor: `sec-${key}-references` });
    refs.block("name").node.txt(title);
    for (const [anchor, value] of entries) {
      const data = asMap(value);
      anchors.push(anchor);
      if (data) writeReference(refs, anchor, data);
      else missing.push(anchor);
    }
  }
  return { anchors, missing };
}
