/**
 * Generated machine-path cases: `<family>/path-<machine>-<n>` for req, rep, surveyor
 * and pair-slot. Each machine's tours cover every transition its model can
 * drive; simple lifecycles to the final state add orderings the tours miss.
 * Transitions no stimulus reaches are listed by {@link pathUnobservable};
 * those the reference handles before its machine, by {@link pathHandledOutside}.
 */

import { modelWalkCase, type WalkLimits } from "./common/model-walk.ts";
import { PathGenerator } from "./common/paths-model.ts";
import { type MachinePaths, pathCase } from "./common/paths-runtime.ts";
import { pairSlotPaths } from "./pair/paths-slot.ts";
import { repPaths } from "./reqrep/paths-rep.ts";
import { reqPaths } from "./reqrep/paths-req.ts";
import { surveyorPaths } from "./survey/paths-surveyor.ts";
import type { ConformanceCase } from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: each machine has its own world and driver types.
const machines: MachinePaths<any, any>[] = [reqPaths, repPaths, surveyorPaths, pairSlotPaths];

/** Upper bound on generated path cases. */
export const MAX_PATH_CASES = 40;

function generate() {
  const cases: ConformanceCase[] = [];
  const unobservable: { transition: string; reason: string }[] = [];
  const handledOutside: { transition: string; reason: string }[] = [];
  for (const m of machines) {
    const g = new PathGenerator(m.model);
    const tours = g.tours(m.limits.maxSteps, m.limits.maxTours);
    const paths = [...tours, ...g.lifecycles(m.limits.lifecycles, tours)];
    paths.forEach((p, i) => {
      cases.push(pathCase(m, i + 1, p));
    });
    unobservable.push(...g.unreached());
    for (const [transition, reason] of Object.entries(m.model.handledOutside ?? {})) {
      handledOutside.push({ transition, reason });
    }
  }
  if (cases.length > MAX_PATH_CASES) {
    throw new Error(`${cases.length} path cases generated, more than ${MAX_PATH_CASES}`);
  }
  return { cases, unobservable, handledOutside };
}

const generated = generate();

/** The generated path cases, in run order. */
export const pathCases: readonly ConformanceCase[] = generated.cases;

/** Transitions of the path machines that no stimulus mapping reaches, with the reason. */
export const pathUnobservable: readonly { transition: string; reason: string }[] =
  generated.unobservable;

/**
 * Walk limits per machine of the model cases (`<family>/model-<machine>`):
 * enough walks to try orderings the tours miss, few enough that a case stays
 * within seconds against a loaded 2-core machine.
 */
const WALKS: Record<string, WalkLimits> = {
  req: { runs: 12, maxSteps: 12 },
  rep: { runs: 12, maxSteps: 12 },
  surveyor: { runs: 10, maxSteps: 10 },
  "pair-slot": { runs: 12, maxSteps: 12 },
};

/** The model-based random-walk cases, one per path machine. */
export const modelCases: readonly ConformanceCase[] = machines.map((m) =>
  modelWalkCase(m, WALKS[m.machine] ?? { runs: 10, maxSteps: 10 }),
);

/**
 * Transitions the paths drive at the wire but that the reference handles
 * outside its machine, so no path case claims them, with the reason.
 */
export const pathHandledOutside: readonly { transition: string; reason: string }[] =
  generated.handledOutside;
