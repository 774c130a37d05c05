/**
 * Model-based random testing against any IUT: `<family>/model-<machine>`.
 *
 * A fast-check property draws a list of choices; the machine's path model
 * (paths-model.ts: the generated spec/ machine composed with a small world
 * model) turns them into a walk, each choice picking one of the stimuli the
 * model offers in the state reached so far; the machine's path driver applies
 * every step to the IUT and the wire and checks that step's oracle (what must
 * be observable right after it). So the spec/ machine is the oracle, and the
 * walks reach orderings that the fixed tours and lifecycles never try.
 *
 * On a failure fast-check shrinks the choices to a short failing walk; the
 * verdict names the failing step, the transitions the model walked on it and
 * their requirement ids, and the command that replays it (`--seed`, `--replay`).
 * Every run opens its own IUT socket and harness peers, closed after the run.
 */
import fc from "fast-check";
import type { IutSocket } from "../../adapters/iut.ts";
import type { WirePeer, WireServer } from "../../harness/wire.ts";
import type { CaseContext, CaseIut, ConformanceCase } from "../types.ts";
import { type MachinePath, PathGenerator } from "./paths-model.ts";
import { applySteps, describePath, type MachinePaths, requirementsOf } from "./paths-runtime.ts";
import { checkProperty } from "./property.ts";

/** How many walks a model case tries and how long each may be. */
export interface WalkLimits {
  runs: number;
  maxSteps: number;
}

/** The time bound of a model case. */
const walkTimeout = (limits: WalkLimits) => 20000 + limits.runs * limits.maxSteps * 500;

/** A case context whose sockets and peers are closed when the run ends. */
function scoped(ctx: CaseContext): { ctx: CaseContext; close(): Promise<void> } {
  const sockets: IutSocket[] = [];
  const servers: WireServer[] = [];
  const peers: WirePeer[] = [];
  const outer = ctx.iut;
  const iut: CaseIut = {
    name: outer.name,
    open: async (protocol, opts) => {
      const s = await outer.open(protocol, opts);
      sockets.push(s);
      return s;
    },
    device: (a, b) => outer.device(a, b),
    stats: (sock) => outer.stats(sock),
    hasFeature: (name) => outer.hasFeature(name),
    sibling: () => outer.sibling(),
  };
  const inner: CaseContext = {
    ...ctx,
    iut,
    connect: async (target, label) => {
      const p = await ctx.connect(target, label);
      peers.push(p);
      return p;
    },
    server: async (label) => {
      const s = await ctx.server(label);
      servers.push(s);
      return s;
    },
  };
  return {
    ctx: inner,
    async close() {
      for (const p of peers) p.close();
      for (const s of servers) s.close();
      await Promise.allSettled(sockets.map((s) => s.close()));
    },
  };
}

/** Runs one walk against the IUT; a failure names its step, transitions and requirements. */
async function runWalk<W, D>(
  ctx: CaseContext,
  m: MachinePaths<W, D>,
  path: MachinePath<W>,
  n: number,
): Promise<void> {
  const run = scoped(ctx);
  ctx.transcript.event("case", `walk ${n}: ${describePath(path) || "(empty)"}`);
  try {
    const d = await m.driver.setup(run.ctx, path);
    await applySteps(run.ctx, m, d, path, `walk ${n}`);
  } finally {
    await run.close();
  }
}

/**
 * The model case of machine `m`: `limits.runs` random walks of up to
 * `limits.maxSteps` steps, each checked step by step by the machine's driver.
 */
export function modelWalkCase<W, D>(m: MachinePaths<W, D>, limits: WalkLimits): ConformanceCase {
  const g = new PathGenerator(m.model);
  const reachable = g.reachable();
  const requirements = requirementsOf(
    m,
    m.model.table.filter((r) => reachable.has(r.id)).map((r) => r.id),
  );
  // The walks may use any stimulus, so the case needs what a walk through all of them needs.
  const everything: MachinePath<W> = {
    origin: "walk",
    steps: g.tours(m.limits.maxSteps, m.limits.maxTours).flatMap((p) => p.steps),
  };
  return {
    id: `${m.family}/model-${m.machine}`,
    title: `${m.machine}: random walks of the spec machine, each step checked at the wire`,
    requirements,
    kind: "property",
    needs: m.driver.needs(everything),
    // Walks take ~0.1-1 s a step; shrinking a failure re-runs walks, so the bound is generous
    // but finite: a stuck IUT fails the case instead of stalling the run.
    timeoutMs: walkTimeout(limits),
    async run(ctx: CaseContext) {
      let n = 0;
      let steps = 0;
      const rows = new Set<string>();
      const choices = fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: limits.maxSteps });
      const { numRuns, seed } = await checkProperty(
        ctx,
        fc.asyncProperty(choices, async (c) => {
          const path = g.walk(c);
          steps += path.steps.length;
          for (const s of path.steps) for (const id of s.transitions) rows.add(id);
          await runWalk(ctx, m, path, ++n);
        }),
        // Leave time to report: shrinking on a live IUT can take longer than the walks.
        { numRuns: limits.runs, timeLimitMs: walkTimeout(limits) - 15000 },
      );
      ctx.note(
        `${numRuns} walks passed (seed ${seed}): ${steps} steps, ${rows.size} of ${reachable.size} reachable transitions walked`,
      );
    },
  };
}
