/**
 * Builds the traceability matrix: every requirement of the drafts → the
 * machine table rows and generated transitions that carry it → the code
 * comments that cite it (reference/, spcat/, conformance/adapters/) → the
 * conformance cases that check it, with their latest verdicts.
 *
 * @example
 * const trace = await collectTrace({ root: "." });
 * console.log(trace.summary.mustWithCase, "/", trace.summary.must);
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Bcp14Keyword } from "../draftparse/index.ts";
import { transitionId } from "../gen/emit-machine.ts";
import { repoRoot } from "../gen/format.ts";
import { readDrafts } from "../gen/generate.ts";
import type { Verdict } from "../status/results.ts";
import { indexCaseFiles, type SourceSite } from "./case-files.ts";
import { type CodeCitation, scanCitations } from "./citations.ts";
import { loadVerdicts, type ReportedImplementation } from "./verdicts.ts";

/** Key words that make a requirement absolute (a "MUST" for coverage). */
const ABSOLUTE: readonly Bcp14Keyword[] = ["MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"];

/** True when a requirement sentence uses an absolute key word. */
export const isMust = (keywords: readonly string[]): boolean =>
  keywords.some((k) => (ABSOLUTE as readonly string[]).includes(k));

/** A case as far as tracing is concerned. */
export interface TracedCase {
  readonly id: string;
  readonly title: string;
  readonly requirements: readonly string[];
  readonly covers: readonly string[];
}

/** A machine table row whose Requirement cell names the id. */
export interface TracedTableRow {
  readonly machine: string;
  /** The generated transition id, e.g. `req:waiting:after:resendTime`. */
  readonly transition: string;
  /** Line of the row in the draft. */
  readonly line: number;
  /** The row's cells as written: state, event, guard, actions, next. */
  readonly cells: readonly string[];
  /** Where spec/machines declares the transition; null when it is not generated (stale spec/). */
  readonly spec: SourceSite | null;
}

/** A row of the draft's defaults or wire-constants table that names the id. */
export interface TracedSetting {
  readonly table: "defaults" | "wire-constants";
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

/** A code comment citing the id. */
export interface TracedCode {
  readonly file: string;
  readonly line: number;
  /** The comment's text (see {@link CodeCitation.comment}). */
  readonly comment: string;
}

/** A case naming the id in its `requirements`. */
export interface TracedCaseRef {
  readonly id: string;
  readonly title: string;
  /** Where the case is defined, when found. */
  readonly file: string | null;
  readonly line: number | null;
  /** Latest verdict per implementation; an implementation missing here has no report of the case. */
  readonly verdicts: Record<string, Verdict>;
  /** Implementation → the old id of the case in the report its verdict came from (renamed cases only). */
  readonly reportedAs?: Record<string, string>;
}

/** One requirement and everything that traces to it. */
export interface TraceRow {
  readonly id: string;
  /** Draft name, e.g. `draft-sp-tcp`. */
  readonly draft: string;
  /** Draft file relative to the root, e.g. `rfc/draft-sp-tcp.md`. */
  readonly file: string;
  /** Title of the section holding the sentence. */
  readonly section: string;
  readonly line: number;
  readonly keywords: readonly string[];
  readonly must: boolean;
  readonly text: string;
  /** Transition ids whose Requirement cell names this id. */
  readonly transitions: readonly string[];
  /** The machine table rows behind {@link transitions}. */
  readonly tableRows: readonly TracedTableRow[];
  readonly settings: readonly TracedSetting[];
  readonly code: readonly TracedCode[];
  /** Cases naming the id, with the latest verdict per implementation. */
  readonly cases: readonly TracedCaseRef[];
}

/** An id that code or cases cite but no draft defines. */
export interface UndefinedRow {
  readonly id: string;
  /** The draft that lists it as retired, if one does. */
  readonly retiredIn: string | null;
  readonly code: readonly TracedCode[];
  readonly cases: readonly TracedCaseRef[];
}

/** Coverage figures. */
export interface TraceSummary {
  readonly requirements: number;
  readonly must: number;
  readonly mustWithCase: number;
  readonly mustWithCode: number;
  readonly mustWithTransition: number;
  readonly withCase: number;
  readonly withCode: number;
  readonly machines: number;
  readonly transitions: number;
  readonly cases: number;
  /** MUST ids no case names. */
  readonly mustWithoutCase: readonly string[];
}

/** The whole report. */
export interface Trace {
  readonly rows: readonly TraceRow[];
  readonly machines: readonly string[];
  readonly implementations: readonly ReportedImplementation[];
  /** Ids that code or cases cite but no draft defines. */
  readonly unknown: readonly { readonly id: string; readonly where: string }[];
  /** The same ids, one row each, with their code sites and cases. */
  readonly undefinedRows: readonly UndefinedRow[];
  readonly summary: TraceSummary;
}

/** Where to look; every path defaults to the usual place under `root`. */
export interface TraceOptions {
  readonly root: string;
  readonly draftsDir?: string;
  /** Only this folder is scanned for code citations (a shorthand for `codeDirs: [dir]`). */
  readonly referenceDir?: string;
  /** Folders scanned for code citations (default reference/, spcat/, conformance/adapters/). */
  readonly codeDirs?: readonly string[];
  /** A module exporting `allCases` (default `conformance/cases/index.ts`). */
  readonly casesModule?: string;
  /** A module exporting `caseAliases`, old id → new id (default `aliases.ts` beside `casesModule`). */
  readonly aliasesModule?: string;
  /** Where the case sources are, to find each case's file (default: the folder of `casesModule`). */
  readonly casesDir?: string;
  /** The generated machines (default `spec/machines`). */
  readonly specDir?: string;
  readonly reportsDir?: string;
}

/** Folders whose comments count as code citations, relative to the root. */
export const CODE_DIRS: readonly string[] = ["reference", "spcat", "conformance/adapters"];

/** Loads the cases' ids, requirement ids and covered transitions. */
export async function loadCases(modulePath: string): Promise<TracedCase[]> {
  if (!existsSync(modulePath)) return [];
  const mod = (await import(pathToFileURL(modulePath).href)) as { allCases?: unknown };
  if (!Array.isArray(mod.allCases)) {
    throw new Error(`${modulePath} does not export an allCases array`);
  }
  return (mod.allCases as Partial<TracedCase>[]).map((c) => ({
    id: String(c.id),
    title: String(c.title ?? ""),
    requirements: [...(c.requirements ?? [])],
    covers: [...(c.covers ?? [])],
  }));
}

/** Loads the renamed case ids, old → new; none when the module is absent. */
async function loadAliases(modulePath: string): Promise<Record<string, string>> {
  if (!existsSync(modulePath)) return {};
  const mod = (await import(pathToFileURL(modulePath).href)) as { caseAliases?: unknown };
  const map = mod.caseAliases;
  if (map === null || typeof map !== "object") return {};
  return Object.fromEntries(
    Object.entries(map).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders ids by prefix, then by number (`SP-TCP-2` before `SP-TCP-10`). */
export function byId(a: string, b: string): number {
  const [, pa = a, na = "0"] = /^(.*)-(\d+)$/.exec(a) ?? [];
  const [, pb = b, nb = "0"] = /^(.*)-(\d+)$/.exec(b) ?? [];
  return byString(pa, pb) || Number(na) - Number(nb);
}

/** Lines of `spec/machines/<machine>.ts` that declare each transition id. */
function specSites(specDir: string, root: string, machine: string): Map<string, SourceSite> {
  const out = new Map<string, SourceSite>();
  const path = join(specDir, `${machine}.ts`);
  if (!existsSync(path)) return out;
  const file = relative(root, path).split("\\").join("/");
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((text, k) => {
      const m = /^\s*id:\s*"([^"]+)"/.exec(text);
      if (m?.[1] && !out.has(m[1])) out.set(m[1], { file, line: k + 1 });
    });
  return out;
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
};

/** Collects the matrix from drafts, code comments, cases and results. */
export async function collectTrace(opts: TraceOptions): Promise<Trace> {
  const root = resolve(opts.root);
  const rel = (p: string) => relative(root, p).split("\\").join("/") || ".";
  const drafts = await readDrafts(opts.draftsDir ?? join(root, "rfc"));
  const codeDirs = opts.referenceDir
    ? [opts.referenceDir]
    : (opts.codeDirs ?? CODE_DIRS.map((d) => join(root, d)));
  const citations: CodeCitation[] = codeDirs.flatMap((d) => scanCitations(resolve(root, d), root));
  const casesModule = opts.casesModule ?? join(root, "conformance/cases/index.ts");
  const cases = await loadCases(casesModule);
  const caseFiles = indexCaseFiles(opts.casesDir ?? dirname(casesModule), root);
  const verdicts = loadVerdicts(opts.reportsDir ?? join(root, "reports/conformance"), {
    order: ["reference", "nng", "nanomsg"],
    root,
    aliases: await loadAliases(opts.aliasesModule ?? join(dirname(casesModule), "aliases.ts")),
  });
  const specDir = opts.specDir ?? join(root, "spec/machines");

  const tableRowsById = new Map<string, TracedTableRow[]>();
  const settingsById = new Map<string, TracedSetting[]>();
  const machines: string[] = [];
  let transitionCount = 0;
  for (const d of drafts) {
    for (const m of d.machines) {
      machines.push(m.id);
      const sites = specSites(specDir, root, m.id);
      for (const row of m.rows) {
        transitionCount++;
        const tid = transitionId(m.id, row);
        const traced: TracedTableRow = {
          machine: m.id,
          transition: tid,
          line: row.line,
          cells: [row.state, row.event, row.guard ?? "", row.actions.join(", "), row.next ?? ""],
          spec: sites.get(tid) ?? null,
        };
        for (const id of new Set(row.requirements)) push(tableRowsById, id, traced);
      }
    }
    for (const e of d.defaults) {
      for (const id of new Set(e.requirements)) {
        push(settingsById, id, {
          table: "defaults",
          name: e.name,
          value: String(e.value),
          line: e.line,
        });
      }
    }
    for (const e of d.wireConstants) {
      const value = e.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      for (const id of new Set(e.requirements)) {
        push(settingsById, id, { table: "wire-constants", name: e.name, value, line: e.line });
      }
    }
  }

  const defined = new Set(drafts.flatMap((d) => d.requirements.map((r) => r.id)));
  const unknown: { id: string; where: string }[] = [];
  const codeById = new Map<string, TracedCode[]>();
  for (const c of citations) {
    if (!defined.has(c.id)) unknown.push({ id: c.id, where: `${c.file}:${c.line}` });
    push(codeById, c.id, { file: c.file, line: c.line, comment: c.comment });
  }
  const casesById = new Map<string, TracedCaseRef[]>();
  for (const c of cases) {
    const site = caseFiles.locate(c.id);
    const ref: TracedCaseRef = {
      id: c.id,
      title: c.title,
      file: site?.file ?? null,
      line: site?.line ?? null,
      verdicts: { ...(verdicts.byCase.get(c.id) ?? {}) },
      ...(verdicts.reportedAs.has(c.id)
        ? { reportedAs: { ...verdicts.reportedAs.get(c.id) } }
        : {}),
    };
    for (const id of new Set(c.requirements)) {
      if (!defined.has(id)) unknown.push({ id, where: `case ${c.id}` });
      push(casesById, id, ref);
    }
  }

  const rows: TraceRow[] = [];
  for (const d of drafts) {
    const own = d.requirements.filter((r) => r.id.startsWith(`${d.prefix}-`));
    const num = (id: string) => Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
    for (const r of [...own].sort((a, b) => num(a.id) - num(b.id))) {
      const tableRows = tableRowsById.get(r.id) ?? [];
      rows.push({
        id: r.id,
        draft: d.name,
        file: rel(resolve(repoRoot, d.file)),
        section: r.section,
        line: r.line,
        keywords: [...new Set(r.keywords)],
        must: isMust(r.keywords),
        text: r.text,
        transitions: tableRows.map((t) => t.transition),
        tableRows,
        settings: settingsById.get(r.id) ?? [],
        code: codeById.get(r.id) ?? [],
        cases: casesById.get(r.id) ?? [],
      });
    }
  }

  const retired = new Map<string, string>();
  for (const d of drafts) for (const id of d.retired) retired.set(id, d.name);
  const undefinedIds = [...new Set(unknown.map((u) => u.id))].sort(byId);
  const must = rows.filter((r) => r.must);
  return {
    rows,
    machines: machines.sort(byString),
    implementations: verdicts.implementations,
    unknown: unknown.sort((a, b) => byId(a.id, b.id) || byString(a.where, b.where)),
    undefinedRows: undefinedIds.map((id) => ({
      id,
      retiredIn: retired.get(id) ?? null,
      code: codeById.get(id) ?? [],
      cases: casesById.get(id) ?? [],
    })),
    summary: {
      requirements: rows.length,
      must: must.length,
      mustWithCase: must.filter((r) => r.cases.length > 0).length,
      mustWithCode: must.filter((r) => r.code.length > 0).length,
      mustWithTransition: must.filter((r) => r.transitions.length > 0).length,
      withCase: rows.filter((r) => r.cases.length > 0).length,
      withCode: rows.filter((r) => r.code.length > 0).length,
      machines: machines.length,
      transitions: transitionCount,
      cases: cases.length,
      mustWithoutCase: must.filter((r) => r.cases.length === 0).map((r) => r.id),
    },
  };
}
