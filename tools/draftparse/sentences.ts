/**
 * Splits prose paragraphs into sentences and finds BCP 14 key words and
 * requirement id tags (`[SP-REQREP-7]`) in them.
 */
import type { SourceLine } from "./blocks.ts";
import { BCP14_KEYWORDS, type Bcp14Keyword } from "./types.ts";

/** Matches one requirement id. */
export const ID_PATTERN = /SP-[A-Z0-9]+-\d+/;
const TAG = /\[(SP-[A-Z0-9]+-\d+(?:\s*,\s*SP-[A-Z0-9]+-\d+)*)\]/g;
/** A BCP 14 key word, with any run of spaces inside the two-word ones (global). */
export const KEYWORD = new RegExp(
  `\\b(${BCP14_KEYWORDS.map((k) => k.replace(" ", "\\s+")).join("|")})\\b`,
  "g",
);
const ABBREVIATIONS = new Set(["e.g", "i.e", "etc", "cf", "vs", "Fig", "Sec", "No", "approx"]);

/** A sentence with the line its first character is on. */
export interface RawSentence {
  readonly text: string;
  readonly line: number;
}

/**
 * Blanks out code spans and double-quoted words so that key words quoted in
 * prose (the BCP 14 boilerplate, "MUST" as a word) do not count. Lengths are
 * kept so that offsets stay valid.
 */
export function maskQuoted(text: string): string {
  return text
    .replace(/`[^`]*`/g, (m) => " ".repeat(m.length))
    .replace(/"[^"\n]*"/g, (m) => " ".repeat(m.length));
}

/** Key words in a piece of prose (after masking), in order of appearance. */
export function findKeywords(text: string): Bcp14Keyword[] {
  const found: Bcp14Keyword[] = [];
  for (const m of maskQuoted(text).matchAll(KEYWORD)) {
    found.push((m[1] ?? "").replace(/\s+/g, " ") as Bcp14Keyword);
  }
  return found;
}

/** Requirement ids in the tags of a piece of prose (code spans ignored). */
export function findTagIds(text: string): string[] {
  const masked = text.replace(/`[^`]*`/g, (m) => " ".repeat(m.length));
  const ids: string[] = [];
  for (const m of masked.matchAll(TAG)) {
    for (const id of (m[1] ?? "").split(",")) ids.push(id.trim());
  }
  return ids;
}

/** Removes id tags and collapses whitespace. */
export function stripTags(text: string): string {
  return text
    .replace(TAG, "")
    .replace(/\s+/g, " ")
    .replace(/\s+([.!?;,])/g, "$1")
    .trim();
}

/**
 * Splits a paragraph into sentences. A sentence ends at `.`, `!` or `?`
 * followed by white space or the end of the paragraph (abbreviations such as
 * "e.g." excepted). A tag that follows the final period is kept with the
 * sentence before it.
 */
export function splitSentences(lines: readonly SourceLine[]): RawSentence[] {
  let text = "";
  const lineAt: number[] = [];
  for (const l of lines) {
    const t = `${l.text} `;
    text += t;
    for (let k = 0; k < t.length; k++) lineAt.push(l.line);
  }
  const masked = text.replace(/`[^`]*`/g, (m) => "x".repeat(m.length));
  const out: RawSentence[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (body !== "") {
      const prev = out[out.length - 1];
      if (prev && /^(\[SP-[A-Z0-9]+-\d+[^\]]*\]\s*)+[.!?]?$/.test(body)) {
        out[out.length - 1] = { text: `${prev.text} ${body}`, line: prev.line };
      } else {
        out.push({ text: body, line: lineAt[start + lead] ?? lines[0]?.line ?? 0 });
      }
    }
    start = end;
  };
  for (let k = 0; k < masked.length; k++) {
    const c = masked[k];
    if (c !== "." && c !== "!" && c !== "?") continue;
    const next = masked[k + 1];
    if (next !== undefined && !/\s/.test(next)) continue;
    if (c === ".") {
      const word = /([A-Za-z.]+)$/.exec(masked.slice(Math.max(0, k - 8), k))?.[1] ?? "";
      if (ABBREVIATIONS.has(word)) continue;
    }
    push(k + 1);
  }
  push(text.length);
  return out;
}
