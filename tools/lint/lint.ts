/**
 * Policy checks over parsed drafts. Every finding is an error.
 *
 * @example
 * const drafts = await readDrafts("rfc");
 * for (const f of lintDrafts(drafts)) console.log(`${f.file}:${f.line}: ${f.message}`);
 */
import { readFileSync } from "node:fs";
import type { Bcp14Keyword, Draft } from "../draftparse/index.ts";

/** One lint finding. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The three requirement levels of BCP 14 (RFC 2119 sections 1-5). */
export type RequirementLevel = "MUST" | "SHOULD" | "MAY";

/**
 * The level of a key word: MUST, MUST NOT, REQUIRED, SHALL and SHALL NOT are
 * absolute; SHOULD, SHOULD NOT, RECOMMENDED and NOT RECOMMENDED recommend;
 * MAY and OPTIONAL permit.
 *
 * @example
 * keywordLevel("NOT RECOMMENDED"); // "SHOULD"
 */
export function keywordLevel(keyword: Bcp14Keyword): RequirementLevel {
  if (/^(MUST|REQUIRED|SHALL)\b/.test(keyword)) return "MUST";
  if (/SHOULD|RECOMMENDED/.test(keyword)) return "SHOULD";
  return "MAY";
}

/** Options of {@link lintDrafts}. */
export interface LintOptions {
  /**
   * Ids whose sentence may still mix requirement levels (a temporary
   * allow-list); defaults to the ids in `tools/lint/mixed-levels-allow.json`.
   */
  readonly mixedLevelsAllowed?: ReadonlySet<string>;
}

const MIXED_LEVELS_ALLOW_FILE = new URL("./mixed-levels-allow.json", import.meta.url);

/** The ids listed in `tools/lint/mixed-levels-allow.json` (none when it is absent). */
export function readMixedLevelsAllowList(
  file: URL | string = MIXED_LEVELS_ALLOW_FILE,
): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return new Set();
  }
  const ids = (JSON.parse(text) as { ids?: unknown }).ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
    throw new Error(`${String(file)}: "ids" must be an array of requirement ids`);
  }
  return new Set(ids as string[]);
}

/** Widest line allowed in a figure (RFC style guide). */
export const MAX_FIGURE_COLUMNS = 72;

const REQUIRED_FRONT_MATTER = [
  "title",
  "abbrev",
  "docname",
  "category",
  "ipr",
  "area",
  "workgroup",
  "keyword",
  "author",
  "date",
];

const idNumber = (id: string) => Number(/-(\d+)$/.exec(id)?.[1] ?? "0");
const idPrefix = (id: string) => id.replace(/-\d+$/, "");

function lintOne(
  d: Draft,
  add: (line: number, message: string) => void,
  mixedLevelsAllowed: ReadonlySet<string>,
): void {
  for (const i of d.issues) add(i.line, i.message);

  if (d.frontMatter) {
    for (const key of REQUIRED_FRONT_MATTER) {
      if (!(key in d.frontMatter)) add(1, `front matter lacks "${key}"`);
    }
    if (!/^draft-sp-[a-z0-9-]+-\d\d$/.test(String(d.frontMatter.docname ?? ""))) {
      add(1, 'docname must look like "draft-sp-<name>-NN"');
    }
  } else if (!d.issues.some((i) => i.message.startsWith("front matter"))) {
    add(1, "draft has no YAML front matter");
  }

  for (const s of d.sentences) {
    if (s.keywords.length > 0 && s.ids.length === 0) {
      add(
        s.line,
        `sentence with ${unique(s.keywords).join(", ")} has no requirement id [${d.prefix}-N]`,
      );
    } else if (s.keywords.length === 0 && s.ids.length > 0) {
      add(s.line, `requirement id ${s.ids.join(", ")} tags a sentence without a BCP 14 key word`);
    } else if (s.ids.length > 1) {
      add(s.line, `a requirement sentence carries one id, found ${s.ids.join(", ")}`);
    }
    if (s.ids.length === 1 && !mixedLevelsAllowed.has(s.ids[0] ?? "")) {
      const levels = unique(s.keywords.map(keywordLevel));
      if (levels.length > 1) {
        add(
          s.line,
          `requirement id ${s.ids[0]} mixes the levels ${levels.join(", ")} (${unique(s.keywords).join(", ")}); ` +
            "give each level its own sentence and id",
        );
      }
    }
    for (const id of s.ids) {
      if (idPrefix(id) !== d.prefix) {
        add(s.line, `requirement id ${id} does not use this draft's prefix ${d.prefix}`);
      }
    }
  }

  for (const c of d.keywordCells) {
    add(c.line, `BCP 14 key word ${c.keyword} in a table; state requirements in tagged prose`);
  }

  for (const f of d.figures) {
    for (const l of f.lines) {
      const width = [...l.text].length;
      if (width > MAX_FIGURE_COLUMNS) {
        add(l.line, `figure line is ${width} columns wide (at most ${MAX_FIGURE_COLUMNS})`);
      }
    }
  }

  const { begin, end } = d.statusMarkers;
  if (begin.length !== 1 || end.length !== 1) {
    add(1, "need exactly one <!-- implementation-status:begin --> and one :end marker");
  } else if ((begin[0] ?? 0) > (end[0] ?? 0)) {
    add(end[0] ?? 1, "implementation-status:end comes before :begin");
  } else {
    const section = [...d.sections].reverse().find((s) => s.line < (begin[0] ?? 0));
    if (section?.title !== "Implementation Status") {
      add(
        begin[0] ?? 1,
        'implementation-status markers belong in the "Implementation Status" section',
      );
    }
  }

  const defined = new Map<string, number>();
  for (const r of d.requirements) {
    if (idPrefix(r.id) !== d.prefix) continue;
    const prev = defined.get(r.id);
    if (prev !== undefined)
      add(r.line, `requirement id ${r.id} defined twice (first at line ${prev})`);
    else defined.set(r.id, r.line);
  }
  const retired = new Set(d.retired);
  for (const id of retired) {
    const line = defined.get(id);
    if (line !== undefined) add(line, `requirement id ${id} is retired and must not be reused`);
  }
  const max = Math.max(0, ...[...defined.keys(), ...retired].map(idNumber));
  for (let n = 1; n <= max; n++) {
    const id = `${d.prefix}-${n}`;
    if (!defined.has(id) && !retired.has(id)) {
      const after = [...defined].filter(([k]) => idNumber(k) > n).map(([, line]) => line);
      add(
        after.length > 0 ? Math.min(...after) : 1,
        `requirement id ${id} is missing; ids are never renumbered (list withdrawn ids in <!-- retired-ids: ... -->)`,
      );
    }
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Lints a set of drafts together (citations may cross drafts). */
export function lintDrafts(drafts: readonly Draft[], options: LintOptions = {}): Finding[] {
  const allowed = options.mixedLevelsAllowed ?? readMixedLevelsAllowList();
  const findings: Finding[] = [];
  for (const d of drafts) {
    lintOne(d, (line, message) => findings.push({ file: d.file, line, message }), allowed);
  }
  const owner = new Map<string, string>();
  for (const d of drafts) {
    for (const r of d.requirements) {
      const prev = owner.get(r.id);
      if (prev && prev !== d.file) {
        findings.push({
          file: d.file,
          line: r.line,
          message: `requirement id ${r.id} also defined in ${prev}`,
        });
      }
      owner.set(r.id, d.file);
    }
  }
  const machineOwner = new Map<string, string>();
  for (const d of drafts) {
    for (const m of d.machines) {
      const prev = machineOwner.get(m.id);
      if (prev)
        findings.push({
          file: d.file,
          line: m.line,
          message: `machine "${m.id}" also defined in ${prev}`,
        });
      machineOwner.set(m.id, d.file);
    }
    // A machine row's id must be stated in this draft's prose: a reader of the
    // draft sees the rule the row performs without opening another document.
    for (const m of d.machines) {
      for (const row of m.rows) {
        for (const id of row.requirements) {
          const where = owner.get(id);
          if (where !== undefined && where !== d.file) {
            findings.push({
              file: d.file,
              line: row.line,
              message: `machine "${m.id}" row cites ${id}, which is stated in ${where}, not in this draft; state the rule here with an id of this draft`,
            });
          }
        }
      }
    }
    for (const c of d.citations) {
      if (!owner.has(c.id)) {
        findings.push({
          file: d.file,
          line: c.line,
          message: `${c.where} cites unknown requirement id ${c.id}`,
        });
      }
    }
  }
  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}
