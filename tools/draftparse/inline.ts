/**
 * Inline Markdown of the drafts as a token list: plain text, code spans,
 * cross-references (`{{RFC2119}}`, `{{iana}}`), emphasis, links, and BCP 14
 * key words (upper case, outside code spans, quoted or not).
 *
 * @example
 * parseInline("it MUST close `x` {{SP-TCP}}");
 * // [text "it ", bcp14 "MUST", text " close ", code "x", text " ", xref "SP-TCP"]
 */
import { KEYWORD } from "./sentences.ts";

/** One inline piece of a paragraph, list item, term or table cell. */
export type Inline =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "bcp14"; readonly text: string }
  | { readonly kind: "xref"; readonly target: string }
  | { readonly kind: "em" | "strong"; readonly children: readonly Inline[] }
  | { readonly kind: "link"; readonly target: string; readonly children: readonly Inline[] };

/** Splits plain text into text and bcp14 pieces. */
function keywords(text: string): Inline[] {
  const out: Inline[] = [];
  let at = 0;
  for (const m of text.matchAll(KEYWORD)) {
    const k = m.index ?? 0;
    if (k > at) out.push({ kind: "text", text: text.slice(at, k) });
    out.push({ kind: "bcp14", text: (m[1] ?? "").replace(/\s+/g, " ") });
    at = k + m[0].length;
  }
  if (at < text.length) out.push({ kind: "text", text: text.slice(at) });
  return out;
}

/** Finds the closing delimiter of an emphasis run, or -1. */
function closing(s: string, from: number, delim: string): number {
  const k = s.indexOf(delim, from);
  return k > from && !/\s/.test(s[k - 1] ?? " ") ? k : -1;
}

/**
 * Parses one piece of inline Markdown (lines may be joined with "\n").
 * Backslash escapes of ASCII punctuation become literal characters.
 */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") out.push(...keywords(text));
    text = "";
  };
  const push = (piece: Inline) => {
    flush();
    out.push(piece);
  };
  let k = 0;
  while (k < source.length) {
    const c = source[k] ?? "";
    const rest = source.slice(k);
    if (c === "\\" && /^[!-/:-@[-`{-~]$/.test(source[k + 1] ?? "")) {
      text += source[k + 1];
      k += 2;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(rest)?.[0] ?? "`";
      const end = source.indexOf(run, k + run.length);
      if (end > 0) {
        push({
          kind: "code",
          text: source
            .slice(k + run.length, end)
            .replace(/\s+/g, " ")
            .trim(),
        });
        k = end + run.length;
        continue;
      }
    }
    const xref = /^\{\{\s*[?!]?([^{}\s,]+)\s*\}\}/.exec(rest);
    if (xref) {
      push({ kind: "xref", target: xref[1] ?? "" });
      k += xref[0].length;
      continue;
    }
    const auto = /^<((?:https?|mailto):[^\s<>]+)>/.exec(rest);
    if (auto) {
      push({ kind: "link", target: auto[1] ?? "", children: [] });
      k += auto[0].length;
      continue;
    }
    const link = /^\[([^\][]+)\]\(([^()\s]+)\)/.exec(rest);
    if (link) {
      push({ kind: "link", target: link[2] ?? "", children: parseInline(link[1] ?? "") });
      k += link[0].length;
      continue;
    }
    const delim = rest.startsWith("**") ? "**" : c === "*" || c === "_" ? c : "";
    const before = source[k - 1] ?? " ";
    if (delim !== "" && !/\s/.test(source[k + delim.length] ?? " ") && !/\w/.test(before)) {
      const end = closing(source, k + delim.length, delim);
      if (end > 0 && !(delim === "_" && /\w/.test(source[end + 1] ?? ""))) {
        push({
          kind: delim === "**" ? "strong" : "em",
          children: parseInline(source.slice(k + delim.length, end)),
        });
        k = end + delim.length;
        continue;
      }
    }
    text += c;
    k++;
  }
  flush();
  return out;
}

/** The plain text of inline pieces (code and key words as written, xrefs as `[target]`). */
export function inlineText(pieces: readonly Inline[]): string {
  return pieces
    .map((p) => {
      switch (p.kind) {
        case "text":
        case "code":
        case "bcp14":
          return p.text;
        case "xref":
          return `[${p.target}]`;
        case "link":
          return p.children.length > 0 ? inlineText(p.children) : p.target;
        default:
          return inlineText(p.children);
      }
    })
    .join("");
}
