/**
 * How many of the seeded faults listed for a requirement the suite kills
 * (`npm run faults`, dev/faults/), shown next to "cited by" in the report's
 * requirement appendix: a requirement that cases cite but whose listed
 * faults survive is cited, not checked.
 *
 * The figures come from conformance/report/fault-kills.json, which a full
 * `npm run faults` run writes (a run limited with --fault leaves it alone);
 * it is imported statically so the bundled suite shows the same column.
 */

import { esc } from "./escape.ts";
import kills from "./fault-kills.json" with { type: "json" };

/** The faults listed for one requirement and the ones no case caught. */
export interface RequirementKills {
  listed: number;
  caught: number;
  /** Ids of the listed faults no case caught. */
  uncaught: string[];
}

/** The file's shape. */
export interface FaultKills {
  /** When the fault run that wrote it ended (ISO 8601), or null before any run. */
  generatedAt: string | null;
  byRequirement: Record<string, RequirementKills>;
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

/** The appendix cell: `2/3 faults killed` with the survivors as a tooltip, or empty. */
export function killsCell(k: RequirementKills | undefined): string {
  if (!k) return "";
  const title =
    k.uncaught.length > 0 ? ` title="${esc(`not killed: ${k.uncaught.join(", ")}`)}"` : "";
  const cls = k.caught < k.listed ? "fk miss" : "fk";
  return `<span class="${cls}"${title}>${esc(k.caught)}/${esc(k.listed)} faults killed</span>`;
}
