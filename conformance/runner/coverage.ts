/**
 * Coverage of the drafts by a run: which requirements (spec/requirements.json)
 * some case checked, and which machine transitions (spec/machines) a passing
 * case drove. Also reports ids that cases name but the spec does not define,
 * so drift between drafts and suite shows up.
 */
import { allTransitions } from "../../spec/machines/index.ts";
import registry from "../../spec/requirements.json" with { type: "json" };
import type { ConformanceCase } from "../cases/types.ts";
import { type UncheckableRequirement, uncheckableRequirements } from "../cases/unobservable.ts";

/** Requirement coverage, as written to results.json. */
export interface RequirementCoverage {
  total: number;
  mustTotal: number;
  mustCovered: number;
  uncovered: string[];
  /**
   * MUSTs that no case checked and that cases/unobservable.ts lists
   * as uncheckable at the wire, with the reason. Not counted in `mustCovered`.
   */
  mustUncheckable?: UncheckableRequirement[];
  /** MUSTs that no case checked and that have no reason listed either. */
  mustUnexplained?: string[];
  /** Requirement ids named by cases but absent from spec/requirements.json. */
  unknown?: string[];
  /** Set when spec/requirements.json could not be read. */
  note?: string;
}

/** Transition coverage of one machine. */
export interface MachineCoverage {
  transitions: number;
  covered: number;
  uncovered: string[];
}

/** The `coverage` object of results.json. */
export interface Coverage {
  requirements: RequirementCoverage;
  machines: Record<string, MachineCoverage>;
  /** Transition ids named in `covers` that no machine defines. */
  unknownTransitions?: string[];
  note?: string;
}

/** What coverage needs to know of a case (a case, or a results.json row after `merge`). */
export type CoverageCase = Pick<ConformanceCase, "id" | "requirements" | "covers">;

interface RequirementRow {
  id: string;
  keyword: string;
  text?: string;
}

/** Every transition id of the spec's machines, grouped by machine. */
export async function loadTransitions(): Promise<Record<string, string[]>> {
  const byMachine: Record<string, string[]> = {};
  const all: unknown = allTransitions;
  const rows: { id: string }[] = Array.isArray(all)
    ? (all as { id: string }[])
    : Object.values(all as Record<string, { id: string }[]>).flat();
  for (const t of rows) {
    const machine = t.id.split(":")[0] ?? "?";
    const list = byMachine[machine] ?? [];
    byMachine[machine] = list;
    if (!list.includes(t.id)) list.push(t.id);
  }
  return byMachine;
}

/** The requirement registry (bundled with the suite, so an installed suite has it too). */
function loadRequirements(): RequirementRow[] {
  return (registry as { requirements?: RequirementRow[] }).requirements ?? [];
}

/**
 * A requirement is a MUST when its sentence holds an absolute key word, even
 * if it starts with another one ("MAY ..., and it MUST NOT ..."), as in
 * tools/trace.
 */
const isMust = (r: RequirementRow) =>
  /^(MUST|REQUIRED|SHALL)/.test(r.keyword.trim()) || /\b(MUST|REQUIRED|SHALL)\b/.test(r.text ?? "");

/**
 * Computes coverage. A requirement is covered when a case naming it ran (any
 * verdict but `unsupported`) for some IUT; a transition is covered when a case
 * naming it in `covers` got pass, warn or info.
 */
export async function computeCoverage(
  cases: readonly CoverageCase[],
  verdicts: Map<string, readonly string[]>,
): Promise<Coverage> {
  const ran = cases.filter((c) => (verdicts.get(c.id) ?? []).some((v) => v !== "unsupported"));
  const passed = cases.filter((c) =>
    (verdicts.get(c.id) ?? []).some((v) => v === "pass" || v === "warn" || v === "info"),
  );
  const checked = new Set(ran.flatMap((c) => c.requirements));
  const named = new Set(cases.flatMap((c) => c.requirements));

  const rows = loadRequirements();
  let requirements: RequirementCoverage;
  {
    const known = new Set(rows.map((r) => r.id));
    const must = rows.filter(isMust);
    const mustMissing = must.filter((r) => !checked.has(r.id)).map((r) => r.id);
    const reasons = new Map(uncheckableRequirements.map((u) => [u.requirement, u]));
    requirements = {
      total: rows.length,
      mustTotal: must.length,
      mustCovered: must.length - mustMissing.length,
      uncovered: rows.filter((r) => !checked.has(r.id)).map((r) => r.id),
      mustUncheckable: mustMissing.flatMap((id) => {
        const u = reasons.get(id);
        return u ? [u] : [];
      }),
      mustUnexplained: mustMissing.filter((id) => !reasons.has(id)),
      unknown: [...named].filter((id) => !known.has(id)).sort(),
    };
  }

  let transitions: Record<string, string[]> = {};
  let note: string | undefined;
  try {
    transitions = await loadTransitions();
  } catch (e) {
    note = `could not load spec/machines: ${e instanceof Error ? e.message : String(e)}`;
  }
  const drove = new Set(passed.flatMap((c) => c.covers ?? []));
  const machines: Record<string, MachineCoverage> = {};
  for (const [name, ids] of Object.entries(transitions)) {
    machines[name] = {
      transitions: ids.length,
      covered: ids.filter((id) => drove.has(id)).length,
      uncovered: ids.filter((id) => !drove.has(id)),
    };
  }
  const allIds = new Set(Object.values(transitions).flat());
  const unknownTransitions = [...new Set(cases.flatMap((c) => c.covers ?? []))]
    .filter((id) => !allIds.has(id) && transitions[id.split(":")[0] ?? ""] !== undefined)
    .sort();
  return {
    requirements,
    machines,
    ...(unknownTransitions.length > 0 ? { unknownTransitions } : {}),
    ...(note ? { note } : {}),
  };
}
