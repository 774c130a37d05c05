/**
 * Terminal view of single requirements for `npm run trace -- SP-REQREP-8`:
 * the draft sentence, the machine table rows and generated transitions that
 * carry it, the code comments that cite it, and the cases that check it with
 * their latest verdict per implementation.
 *
 * @example
 * const trace = await collectTrace({ root: "." });
 * const { ids } = selectIds(trace, ["SP-REQREP-8", "SP-TCP-1*"]);
 * for (const id of ids) console.log(renderId(trace, id).join("\n"));
 */
import { BCP14_KEYWORDS } from "../draftparse/index.ts";
import type { Trace, TracedCaseRef, TracedCode } from "./collect.ts";

/** Layout options. */
export interface ShowOptions {
  /** Wrap long text at this many columns (default 100). */
  readonly width?: number;
  /** ANSI emphasis for ids and key words (default false). */
  readonly color?: boolean;
}

/** A `*` / `?` glob over ids, case-insensitive; a plain id matches itself only. */
export function idPattern(pattern: string): RegExp {
  const body = pattern
    .trim()
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/**
 * The ids named by `patterns`, in the order given (a glob expands in draft
 * order), without repeats; `unmatched` lists patterns that name nothing
 * defined or cited.
 */
export function selectIds(
  trace: Trace,
  patterns: readonly string[],
): { ids: string[]; unmatched: string[] } {
  const known = [...trace.rows.map((r) => r.id), ...trace.undefinedRows.map((r) => r.id)];
  const ids: string[] = [];
  const unmatched: string[] = [];
  for (const p of patterns) {
    const re = idPattern(p);
    const hits = known.filter((id) => re.test(id));
    if (hits.length === 0) unmatched.push(p);
    for (const id of hits) if (!ids.includes(id)) ids.push(id);
  }
  return { ids, unmatched };
}

const LABEL = 12;
const pad = (label: string) => `  ${label.padEnd(LABEL)}`;
const cont = " ".repeat(LABEL + 2);

/** Splits `text` into lines of at most `width` columns (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(line);
  return out;
}

interface Style {
  id(s: string): string;
  dim(s: string): string;
  keywords(s: string): string;
}

const KEYWORD_RE = new RegExp(
  `\\b(${BCP14_KEYWORDS.map((k) => k.replace(" ", "\\s")).join("|")})\\b`,
  "g",
);

function style(color: boolean): Style {
  if (!color) return { id: (s) => s, dim: (s) => s, keywords: (s) => s };
  return {
    id: (s) => `\x1b[1m${s}\x1b[0m`,
    dim: (s) => `\x1b[2m${s}\x1b[0m`,
    keywords: (s) => s.replace(KEYWORD_RE, "\x1b[1;33m$1\x1b[0m"),
  };
}

/**
 * Lines under `label`: the first item starts on the label's line, every
 * further line of an item is indented under it.
 */
function block(label: string, items: readonly string[][]): string[] {
  const out: string[] = [];
  items.forEach((lines, k) => {
    lines.forEach((l, j) => {
      out.push(`${k === 0 && j === 0 ? pad(label) : cont}${j === 0 ? "" : "  "}${l}`);
    });
  });
  if (items.length === 0) out.push(`${pad(label)}none`);
  return out;
}

function codeItems(code: readonly TracedCode[], width: number): string[][] {
  return code.map((c) => [`${c.file}:${c.line}`, ...wrap(c.comment, width)]);
}

function verdictLine(trace: Trace, c: TracedCaseRef): string {
  if (trace.implementations.length === 0) return "verdicts: no report";
  return trace.implementations
    .map((i) => {
      const v = c.verdicts[i.name];
      const as = c.reportedAs?.[i.name];
      return `${i.name}: ${v ?? "no report"}${v && as ? ` (as ${as})` : ""}`;
    })
    .join(" · ");
}

function caseItems(trace: Trace, cases: readonly TracedCaseRef[], width: number): string[][] {
  return cases.map((c) => [
    `${c.id}  ${c.file === null ? "(file not found)" : `${c.file}:${c.line}`}`,
    ...wrap(c.title, width),
    ...wrap(verdictLine(trace, c), width),
  ]);
}

/** The terminal lines for one id (defined by a draft, or only cited). */
export function renderId(trace: Trace, id: string, opts: ShowOptions = {}): string[] {
  const s = style(opts.color ?? false);
  const width = Math.max(40, (opts.width ?? 100) - LABEL - 4);
  const row = trace.rows.find((r) => r.id === id);
  if (!row) {
    const orphan = trace.undefinedRows.find((r) => r.id === id);
    const why = orphan?.retiredIn ? `retired in ${orphan.retiredIn}` : "no draft defines it";
    return [
      `${s.id(id)}  cited, but ${why}`,
      ...block(`code (${orphan?.code.length ?? 0})`, codeItems(orphan?.code ?? [], width)),
      ...block(
        `cases (${orphan?.cases.length ?? 0})`,
        caseItems(trace, orphan?.cases ?? [], width),
      ),
    ];
  }
  const tables: string[][] = [
    ...row.tableRows.map((t) => [
      `${row.file}:${t.line}  machine ${t.machine}  | ${t.cells.join(" | ")} |`,
      `→ ${t.transition}  ${s.dim(t.spec ? `${t.spec.file}:${t.spec.line}` : "(not in spec/machines: run npm run gen)")}`,
    ]),
    ...row.settings.map((e) => [`${row.file}:${e.line}  ${e.table}  ${e.name} = ${e.value}`]),
  ];
  return [
    `${s.id(row.id)}  ${row.keywords.join(", ")}  ${s.dim(`${row.draft} § ${row.section}`)}`,
    ...block("draft", [[`${row.file}:${row.line}`, ...wrap(row.text, width).map(s.keywords)]]),
    ...block(`tables (${tables.length})`, tables),
    ...block(`code (${row.code.length})`, codeItems(row.code, width)),
    ...block(`cases (${row.cases.length})`, caseItems(trace, row.cases, width)),
  ];
}

/** Where the verdicts come from, printed once after the ids. */
export function verdictSources(trace: Trace): string[] {
  if (trace.implementations.length === 0) return ["verdicts: no results.json found (no report)"];
  return [
    "verdicts: latest per case, from",
    ...trace.implementations.map(
      (i) => `  ${i.name} ${i.version}: ${i.files.join(", ") || "(no case reported)"}`,
    ),
  ];
}
