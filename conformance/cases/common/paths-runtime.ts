/**
 * Turns generated machine paths into conformance cases: each step's stimulus
 * is applied to the IUT or the wire by a per-machine driver, which also checks
 * the oracle of that step (what must be observable right after it).
 */
import type { Outcome } from "../../adapters/iut.ts";
import type { CaseContext, CaseNeeds, ConformanceCase } from "../types.ts";
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
      let i = 0;
      for (const step of path.steps) {
        i++;
        ctx.transcript.state(
          "iut",
          `${m.machine}:${step.from}`,
          `path step ${i}: ${step.stimulus.name} (model in ${step.from})`,
        );
        await m.driver.apply(ctx, d, step);
      }
      const last = path.steps[path.steps.length - 1];
      if (last)
        ctx.transcript.state("iut", `${m.machine}:${last.to}`, `path end (model in ${last.to})`);
    },
  };
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
