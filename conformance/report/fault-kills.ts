/**
 * How many of the seeded faults listed for a requirement the suite kills
 * (`npm run faults`, dev/faults/), shown next to "cited by" in the report's
 * requirement appendix: a requirement that cases cite but whose listed
 * faults survive is cited, not checked.
 *
 * The figures come from conformance/report/fault-kills.json: a ledger with
 * the last measured outcome of every seeded fault (`npm run faults` updates
 * the entries of the faults it ran, with the time of the run; a full run
 * refreshes all), and the per-requirement counts derived from it. It is
 * imported statically so the bundled suite shows the same column.
 */

import { esc } from "./escape.ts";
import kills from "./fault-kills.json" with { type: "json" };

/** The faults listed for one requirement and the ones no case caught. */
export interface RequirementKills {
  listed: number;
  caught: number;
  /** Ids of the listed faults no case caught. */
  uncaught: string[];
  /** Ids of the listed faults with no measured outcome yet (counted in `listed` only). */
  unmeasured?: string[];
}

/** The last measured outcome of one seeded fault. */
export interface LedgerEntry {
  caught: boolean;
  /** The case ids that caught it; absent when the run that measured it did not record them. */
  catching?: string[];
  /** When the run that measured it ended (ISO 8601). */
  measuredAt: string;
}

/** The file's shape. */
export interface FaultKills {
  /** When a fault run last wrote it (ISO 8601), or null before any run. */
  generatedAt: string | null;
  /** Per fault id, its last measured outcome (bugs only; legal variants are not counted). */
  faults?: Record<string, LedgerEntry>;
  byRequirement: Record<string, RequirementKills>;
}

/** What the ledger needs to know of a fault defined today. */
export interface KnownFault {
  id: string;
  requirements: readonly string[];
  conforming?: boolean;
}

/**
 * The ledger after a run: `previous` with the entries of the faults that ran
 * replaced and the per-requirement counts recomputed over every fault defined
 * today (a fault never measured is listed as unmeasured, not as caught).
 * Entries of faults this process does not know are kept (a fault another
 * checkout added meanwhile) unless `prune` is set, as a full run does: then
 * they are dropped.
 *
 * @example
 * ```ts
 * mergeKills({ generatedAt: null, byRequirement: {} },
 *   [{ id: "x/a", caught: true, catching: ["x/c"] }],
 *   [{ id: "x/a", requirements: ["SP-X-1"] }, { id: "x/b", requirements: ["SP-X-1"] }],
 *   "2026-12-07T00:00:00.000Z").byRequirement["SP-X-1"];
 * // { listed: 2, caught: 1, uncaught: [], unmeasured: ["x/b"] }
 * ```
 */
export function mergeKills(
  previous: FaultKills,
  ran: readonly { id: string; caught: boolean; catching: readonly string[] }[],
  known: readonly KnownFault[],
  now: string,
  prune = false,
): FaultKills {
  const bugs = known.filter((f) => !f.conforming);
  const ids = new Set(bugs.map((f) => f.id));
  const faults: Record<string, LedgerEntry> = {};
  for (const [id, e] of Object.entries(previous.faults ?? {})) {
    if (!prune || ids.has(id)) faults[id] = e;
  }
  for (const r of ran) {
    if (ids.has(r.id))
      faults[r.id] = { caught: r.caught, catching: [...r.catching], measuredAt: now };
  }
  const sorted: Record<string, LedgerEntry> = {};
  for (const id of [...Object.keys(faults)].sort()) sorted[id] = faults[id] as LedgerEntry;
  const measured = bugs.flatMap((f) => {
    const e = faults[f.id];
    return e ? [{ id: f.id, requirements: f.requirements, caught: e.caught }] : [];
  });
  const byRequirement = killsByRequirement(measured);
  for (const f of bugs) {
    if (faults[f.id]) continue;
    for (const req of f.requirements) {
      const k = byRequirement[req] ?? { listed: 0, caught: 0, uncaught: [] };
      k.listed++;
      k.unmeasured = [...(k.unmeasured ?? []), f.id];
      byRequirement[req] = k;
    }
  }
  return { generatedAt: now, faults: sorted, byRequirement };
}

/** The figures of the last full fault run. */
export const faultKills: FaultKills = kills as FaultKills;

/**
 * Per requirement, counts over the faults that list it: a bug counts as
 * caught when some case caught it. Legal variants are not counted.
 *
 * @example
 * ```ts
 * killsByRequirement([{ requirements: ["SP-X-1"], caught: true, id: "x/a" }]);
 * // { "SP-X-1": { listed: 1, caught: 1, uncaught: [] } }
 * ```
 */
export function killsByRequirement(
  results: readonly { id: string; requirements: readonly string[]; caught: boolean }[],
): Record<string, RequirementKills> {
  const out: Record<string, RequirementKills> = {};
  for (const r of results) {
    for (const id of r.requirements) {
      const k = out[id] ?? { listed: 0, caught: 0, uncaught: [] };
      k.listed++;
      if (r.caught) k.caught++;
      else k.uncaught.push(r.id);
      out[id] = k;
    }
  }
  return out;
}

/**
 * The appendix cell: `2/3 faults killed` with the survivors (and the faults
 * not run yet) as a tooltip, or empty. Marked when a fault survives; a fault
 * not run yet adds `(1 not run)`.
 */
export function killsCell(k: RequirementKills | undefined): string {
  if (!k) return "";
  const unmeasured = k.unmeasured ?? [];
  const parts = [
    ...(k.uncaught.length > 0 ? [`not killed: ${k.uncaught.join(", ")}`] : []),
    ...(unmeasured.length > 0 ? [`not run yet: ${unmeasured.join(", ")}`] : []),
  ];
  const title = parts.length > 0 ? ` title="${esc(parts.join("; "))}"` : "";
  const cls = k.uncaught.length > 0 ? "fk miss" : "fk";
  const notRun = unmeasured.length > 0 ? ` (${esc(unmeasured.length)} not run)` : "";
  return `<span class="${cls}"${title}>${esc(k.caught)}/${esc(k.listed)} faults killed${notRun}</span>`;
}
