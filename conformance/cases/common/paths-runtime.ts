/**
 * Turns generated machine paths into conformance cases: each step's stimulus
 * is applied to the IUT or the wire by a per-machine driver, which also checks
 * the oracle of that step (what must be observable right after it).
 */
import type { Outcome } from "../../adapters/iut.ts";
import { type CaseContext, CaseFailure, type CaseNeeds, type ConformanceCase } from "../types.ts";
import type { MachinePath, PathModel, PathStep } from "./paths-model.ts";

/** The harness's pause, offered here to the path cases. */
export { sleep } from "../../harness/wait.ts";

/** Applies stimuli of one machine's paths to a live IUT. */
export interface PathDriver<W, D> {
  /** What a case walking `path` needs from the IUT. */
  needs(path: MachinePath<W>): CaseNeeds;
  /** Opens the IUT socket and harness peers for `path`. */
  setup(ctx: CaseContext, path: MachinePath<W>): Promise<D>;
  /** Applies one step's stimulus and checks what must be observed after it. */
  apply(ctx: CaseContext, d: D, step: PathStep<W>): Promise<void>;
}

/** A machine with its model and driver. */
export interface MachinePaths<W, D> {
  /** Machine id (`req`). */
  machine: string;
  /** Case family, the first segment of the generated case ids (`reqrep`). */
  family: string;
  model: PathModel<W>;
  driver: PathDriver<W, D>;
  /** Tour limits: steps per tour, tours; and lifecycles kept. */
  limits: { maxSteps: number; maxTours: number; lifecycles: number };
  /**
   * Requirements the driver checks at a transition beyond those of its row in
   * the model table, by transition id (SP-FRAMEWORK-20 where it compares an
   * error name).
   */
  driverChecks?: Readonly<Record<string, readonly string[]>>;
}

/** The requirement ids of the transitions `ids`: their rows' and what the driver adds. */
export function requirementsOf<W, D>(m: MachinePaths<W, D>, ids: readonly string[]): string[] {
  return [
    ...new Set(
      ids.flatMap((id) => [
        ...(m.model.table.find((r) => r.id === id)?.requirements ?? []),
        ...(m.driverChecks?.[id] ?? []),
      ]),
    ),
  ];
}

/** A readable one-line description of a path. */
export function describePath(path: MachinePath<unknown>): string {
  return path.steps.map((s) => s.stimulus.name).join(" → ");
}

/** Builds the case `<family>/path-<machine>-<n>` for a path. */
export function pathCase<W, D>(
  m: MachinePaths<W, D>,
  n: number,
  path: MachinePath<W>,
): ConformanceCase {
  const walked = [...new Set(path.steps.flatMap((s) => s.transitions))];
  const requirements = requirementsOf(m, walked);
  return {
    id: `${m.family}/path-${m.machine}-${n}`,
    title: `${m.machine} ${path.origin} ${n}: ${describePath(path)}`,
    requirements,
    kind: "example",
    needs: m.driver.needs(path),
    covers: walked.filter((id) => m.model.handledOutside?.[id] === undefined),
    timeoutMs: 4000 + 1500 * path.steps.length,
    async run(ctx: CaseContext) {
      ctx.note(`path: ${describePath(path)}`);
      const d = await m.driver.setup(ctx, path);
      await applySteps(ctx, m, d, path, "path");
      const last = path.steps[path.steps.length - 1];
      if (last)
        ctx.transcript.state("iut", `${m.machine}:${last.to}`, `path end (model in ${last.to})`);
    },
  };
}

/**
 * Applies the steps of `path` with the machine's driver, each announced in the
 * transcript as `<label> step i`. A step that fails ends the case with the
 * step, the transitions the model walked on it and their requirement ids.
 */
export async function applySteps<W, D>(
  ctx: CaseContext,
  m: MachinePaths<W, D>,
  d: D,
  path: MachinePath<W>,
  label: string,
): Promise<void> {
  let i = 0;
  for (const step of path.steps) {
    i++;
    ctx.transcript.state(
      "iut",
      `${m.machine}:${step.from}`,
      `${label} step ${i}: ${step.stimulus.name} (model in ${step.from})`,
    );
    try {
      await m.driver.apply(ctx, d, step);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const rows = step.transitions.length > 0 ? step.transitions.join(", ") : "no row";
      const reqs = requirementsOf(m, step.transitions);
      throw new CaseFailure(
        `step ${i} of ${path.steps.length} (${step.stimulus.name} in ${step.from}; ${rows}${reqs.length > 0 ? `; ${reqs.join(" ")}` : ""}): ${why}\n${label}: ${describePath(path)}`,
      );
    }
  }
}

/** An operation issued now and checked later. */
export class Pending<T> {
  settled = false;
  outcome: Outcome<T> | undefined;
  readonly promise: Promise<Outcome<T>>;
  constructor(p: Promise<Outcome<T>>) {
    this.promise = p.then((o) => {
      this.settled = true;
      this.outcome = o;
      return o;
    });
  }
  /** Waits up to `ms` for the operation to settle; returns whether it did. */
  async within(ms: number): Promise<boolean> {
    if (this.settled) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.promise,
      new Promise<void>((r) => {
        timer = setTimeout(r, ms);
      }),
    ]);
    clearTimeout(timer);
    return this.settled;
  }
}
