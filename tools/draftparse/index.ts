/**
 * The one reader of SP drafts, shared by the generator and the linter.
 *
 * @example
 * import { readDraftFile } from "./index.ts";
 * const draft = await readDraftFile("rfc/draft-sp-reqrep.md");
 * console.log(draft.machines.map((m) => m.id)); // ["req", "rep"]
 */
import { readFile } from "node:fs/promises";
import { scanBlocks, splitRow } from "./blocks.ts";
import { readFrontMatter } from "./front-matter.ts";
import { findKeywords, findTagIds, splitSentences, stripTags } from "./sentences.ts";
import { readTable } from "./tables.ts";
import type {
  Citation,
  DefaultEntry,
  Diagnostic,
  Draft,
  Figure,
  MachineTable,
  ProtocolEntry,
  Requirement,
  Section,
  Sentence,
  WireConstant,
} from "./types.ts";

export * from "./types.ts";

/** Derives the id prefix from a docname: `draft-sp-reqrep-00` → `SP-REQREP`. */
export function prefixOf(name: string): string {
  const m = /^draft-sp-(.+)$/.exec(name);
  return `SP-${(m?.[1] ?? name).replace(/[^A-Za-z0-9]/g, "").toUpperCase()}`;
}

/** Reads a draft from its Markdown text. `file` is only used for reporting. */
export function parseDraft(source: string, file: string): Draft {
  const issues: Diagnostic[] = [];
  const blocks = scanBlocks(source);
  let frontMatter: Record<string, unknown> | null = null;
  const sections: Section[] = [];
  const sentences: Sentence[] = [];
  const machines: MachineTable[] = [];
  const protocols: ProtocolEntry[] = [];
  const defaults: DefaultEntry[] = [];
  const wireConstants: WireConstant[] = [];
  const figures: Figure[] = [];
  const citations: Citation[] = [];
  const retired: string[] = [];
  const statusMarkers = { begin: [] as number[], end: [] as number[] };
  const keywordCells: { line: number; keyword: string }[] = [];
  let part: Section["part"] = "front";
  let section = "";

  for (const b of blocks) {
    switch (b.kind) {
      case "frontMatter":
        frontMatter = readFrontMatter(b, issues);
        break;
      case "part":
        if (b.part !== "other") part = b.part;
        if (b.part === "abstract") section = "Abstract";
        break;
      case "heading":
        sections.push({ title: b.title, level: b.level, line: b.line, anchor: b.anchor, part });
        section = b.title;
        break;
      case "fence":
        figures.push({ line: b.line, lines: b.lines });
        break;
      case "comment": {
        const lines = b.text.split("\n");
        lines.forEach((t, k) => {
          if (t.includes("implementation-status:begin")) statusMarkers.begin.push(b.line + k);
          if (t.includes("implementation-status:end")) statusMarkers.end.push(b.line + k);
        });
        const m = /retired-ids:([^>]*)-->/s.exec(b.text);
        if (m) retired.push(...(m[1] ?? "").split(/[\s,]+/).filter((s) => s !== ""));
        break;
      }
      case "table": {
        const r = readTable(b.lines, b.ial, issues);
        if (r.kind === "machine") {
          machines.push(r.machine);
          for (const row of r.machine.rows) {
            for (const id of row.requirements) {
              citations.push({ id, line: row.line, where: `machine "${r.machine.id}"` });
            }
          }
        } else if (r.kind === "protocols") protocols.push(...r.entries);
        else if (r.kind === "defaults") defaults.push(...r.entries);
        else if (r.kind === "wire") wireConstants.push(...r.entries);
        if (r.kind === "other") {
          for (const l of b.lines) {
            for (const cell of splitRow(l.text)) {
              for (const keyword of findKeywords(cell))
                keywordCells.push({ line: l.line, keyword });
            }
          }
        }
        break;
      }
      case "paragraph":
        for (const s of splitSentences(b.lines)) {
          sentences.push({
            text: s.text,
            line: s.line,
            section,
            keywords: findKeywords(s.text),
            ids: findTagIds(s.text),
          });
        }
        break;
      case "ial":
        break;
    }
  }

  const docname = typeof frontMatter?.docname === "string" ? frontMatter.docname : "";
  const name = docname.replace(/-\d+$/, "") || (file.split("/").pop() ?? file).replace(/\.md$/, "");
  const requirements: Requirement[] = [];
  for (const s of sentences) {
    if (s.keywords.length === 0 || s.ids.length !== 1) continue;
    requirements.push({
      id: s.ids[0] ?? "",
      keywords: s.keywords,
      text: stripTags(s.text),
      line: s.line,
      section: s.section,
    });
  }
  for (const e of [...defaults, ...wireConstants]) {
    for (const id of e.requirements) citations.push({ id, line: e.line, where: "table" });
  }

  return {
    file,
    frontMatter,
    name,
    prefix: prefixOf(name),
    sections,
    sentences,
    requirements,
    machines,
    protocols,
    defaults,
    wireConstants,
    figures,
    citations,
    retired,
    statusMarkers,
    keywordCells,
    issues,
  };
}

/** Reads and parses a draft file. */
export async function readDraftFile(path: string, displayPath = path): Promise<Draft> {
  return parseDraft(await readFile(path, "utf8"), displayPath);
}
