/**
 * Builds the traceability matrix: every requirement of the drafts → the
 * machine transitions that carry it → the reference code that cites it →
 * the conformance cases that check it, with their latest verdicts.
 *
 * @example
 * const trace = await collectTrace({ root: "." });
 * console.log(trace.summary.mustWithCase, "/", trace.summary.must);
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Bcp14Keyword } from "../draftparse/index.ts";
import { transitionId } from "../gen/emit-machine.ts";
import { readDrafts } from "../gen/generate.ts";
import { type ImplementationRun, loadResults, type Verdict } from "../status/results.ts";
import { type CodeCitation, scanCitations } from "./citations.ts";

/** Key words that make a requirement absolute (a "MUST" for coverage). */
const ABSOLUTE: readonly Bcp14Keyword[] = ["MUST", "MUST NOT", "REQUIRED", "SHALL", "SHALL NOT"];

/** True when a requirement sentence uses an absolute key word. */
export const isMust = (keywords: readonly string[]): boolean =>
  keywords.some((k) => (ABSOLUTE as readonly string[]).includes(k));

/** A case as far as tracing is concerned. */
export interface TracedCase {
  readonly id: string;
  readonly requirements: readonly string[];
  readonly covers: readonly string[];
}

/** One requirement and everything that traces to it. */
export interface TraceRow {
  readonly id: string;
  /** Draft name, e.g. `draft-sp-tcp`. */
  readonly draft: string;
  readonly line: number;
  readonly keywords: readonly string[];
  readonly must: boolean;
  readonly text: string;
  /** Transition ids whose Requirement cell names this id. */
  readonly transitions: readonly string[];
  readonly code: readonly { readonly file: string; readonly line: number }[];
  /** Cases naming the id, with the latest verdict per implementation. */
  readonly cases: readonly { readonly id: string; readonly verdicts: Record<string, Verdict> }[];
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
  readonly implementations: readonly { name: string; version: string; file: string }[];
  /** Ids that code or cases cite but no draft defines. */
  readonly unknown: readonly { readonly id: string; readonly where: string }[];
  readonly summary: TraceSummary;
}

/** Where to look; every path defaults to the usual place under `root`. */
export interface TraceOptions {
  readonly root: string;
  readonly draftsDir?: string;
  readonly referenceDir?: string;
  /** A module exporting `allCases` (default `conformance/cases/index.ts`). */
  readonly casesModule?: string;
  readonly reportsDir?: string;
}

/** Loads the cases' ids, requirement ids and covered transitions. */
export async function loadCases(modulePath: string): Promise<TracedCase[]> {
  if (!existsSync(modulePath)) return [];
  const mod = (await import(pathToFileURL(modulePath).href)) as { allCases?: unknown };
  if (!Array.isArray(mod.allCases)) {
    throw new Error(`${modulePath} does not export an allCases array`);
  }
  return (mod.allCases as Partial<TracedCase>[]).map((c) => ({
    id: String(c.id),
    requirements: [...(c.requirements ?? [])],
    covers: [...(c.covers ?? [])],
  }));
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Collects the matrix from drafts, reference code, cases and results. */
export async function collectTrace(opts: TraceOptions): Promise<Trace> {
  const root = resolve(opts.root);
  const drafts = await readDrafts(opts.draftsDir ?? join(root, "rfc"));
  const citations: CodeCitation[] = scanCitations(
    opts.referenceDir ?? join(root, "reference"),
    root,
  );
  const cases = await loadCases(opts.casesModule ?? join(root, "conformance/cases/index.ts"));
  const runs: ImplementationRun[] = loadResults(
    opts.reportsDir ?? join(root, "reports/conformance"),
    { order: ["reference", "nng", "nanomsg"] },
  );

  const transitionsById = new Map<string, string[]>();
  const machines: string[] = [];
  let transitionCount = 0;
  for (const d of drafts) {
    for (const m of d.machines) {
      machines.push(m.id);
      for (const row of m.rows) {
        transitionCount++;
        const tid = transitionId(m.id, row);
        for (const id of row.requirements) {
          const list = transitionsById.get(id) ?? [];
          if (!list.includes(tid)) list.push(tid);
          transitionsById.set(id, list);
        }
      }
    }
  }

  const verdictOf = new Map<string, Record<string, Verdict>>();
  for (const run of runs) {
    for (const c of run.cases) {
      const v = verdictOf.get(c.id) ?? {};
      v[run.name] = c.verdict;
      verdictOf.set(c.id, v);
    }
  }

  const defined = new Set(drafts.flatMap((d) => d.requirements.map((r) => r.id)));
  const unknown: { id: string; where: string }[] = [];
  const codeById = new Map<string, { file: string; line: number }[]>();
  for (const c of citations) {
    if (!defined.has(c.id)) unknown.push({ id: c.id, where: `${c.file}:${c.line}` });
    const list = codeById.get(c.id) ?? [];
    list.push({ file: c.file, line: c.line });
    codeById.set(c.id, list);
  }
  const casesById = new Map<string, TracedCase[]>();
  for (const c of cases) {
    for (const id of new Set(c.requirements)) {
      if (!defined.has(id)) unknown.push({ id, where: `case ${c.id}` });
      const list = casesById.get(id) ?? [];
      list.push(c);
      casesById.set(id, list);
    }
  }

  const rows: TraceRow[] = [];
  for (const d of drafts) {
    const own = d.requirements.filter((r) => r.id.startsWith(`${d.prefix}-`));
    const num = (id: string) => Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
    for (const r of [...own].sort((a, b) => num(a.id) - num(b.id))) {
      rows.push({
        id: r.id,
        draft: d.name,
        line: r.line,
        keywords: [...new Set(r.keywords)],
        must: isMust(r.keywords),
        text: r.text,
        transitions: transitionsById.get(r.id) ?? [],
        code: codeById.get(r.id) ?? [],
        cases: (casesById.get(r.id) ?? []).map((c) => ({
          id: c.id,
          verdicts: verdictOf.get(c.id) ?? {},
        })),
      });
    }
  }

  const must = rows.filter((r) => r.must);
  return {
    rows,
    machines: machines.sort(byString),
    implementations: runs.map((r) => ({
      name: r.name,
      version: r.version,
      file: relative(root, r.file).split("\\").join("/"),
    })),
    unknown: unknown.sort((a, b) => byString(a.id, b.id) || byString(a.where, b.where)),
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
