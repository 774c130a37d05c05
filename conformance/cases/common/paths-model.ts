/**
 * Path generation from the spec/ machines. A machine is paired with a small
 * abstract "world" (is a peer connected, is a recv outstanding, ...) that
 * decides which stimuli the harness can apply in a state and what the
 * machine's guards evaluate to. The product of the generated machine and the
 * world is an xstate logic (`fromTransition`) that `xstate/graph` traverses:
 * `getShortestPaths` steers greedy transition tours and `getSimplePaths`
 * lists the simple lifecycles that end in the final state.
 *
 * The machine semantics come from the generated machine itself (xstate
 * computes every next state); the table in `<name>Transitions` only labels
 * each step with the transition ids it walked, and the two are cross-checked.
 */
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  fromTransition,
  getNextSnapshot,
  initialTransition,
  type Snapshot,
} from "xstate";
import { getShortestPaths, getSimplePaths } from "xstate/graph";

/** One row of a generated machine table (the fields the generator needs). */
export interface TableRow {
  readonly id: string;
  readonly source: string;
  readonly event: string;
  readonly guard: string | null;
  readonly target: string | null;
  readonly requirements: readonly string[];
}

/**
 * A stimulus the harness can apply: a machine event (`send`, `reply`,
 * `after:resendTime`) with the guard values that hold when it is applied and
 * the world after it.
 */
export interface Stimulus<W> {
  /** Readable name, unique among the stimuli of one state, e.g. `reply[idMatches]`. */
  name: string;
  /** The machine event: an event type or `after:<delay>`. */
  event: string;
  /** Guard values seen by the event's transition and by any `always` row it leads to. */
  guards: Record<string, boolean>;
  /** The world after the stimulus. */
  world: W;
}

/** A machine plus the world model that maps it onto harness stimuli. */
export interface PathModel<W> {
  /** The generated (unprovided) machine. */
  machine: AnyStateMachine;
  /** The generated table (`<name>Transitions`). */
  table: readonly TableRow[];
  initialWorld: W;
  /** Stimuli the harness can apply in `state` with `world`. */
  stimuli(state: string, world: W): Stimulus<W>[];
  /** Why each transition no stimulus reaches cannot be driven from outside. */
  unobservable: Record<string, string>;
  /**
   * Rows a stimulus reaches in the model that the reference handles before its
   * machine sees the event (a reply whose id no request holds is dropped by the
   * socket's id map), with the reason. Paths still apply the stimulus and check
   * its outcome at the wire, but their cases do not claim these rows in
   * `covers`, which lists only rows the reference walks (tools/trace/covers.ts).
   */
  handledOutside?: Record<string, string>;
}

/** One step of a generated path. */
export interface PathStep<W> {
  stimulus: Stimulus<W>;
  /** Machine state before the step. */
  from: string;
  /** Machine state after the step (and after any `always` row). */
  to: string;
  /** Transition ids walked by the step (an event row, then `always` rows), maybe none. */
  transitions: string[];
}

/** A generated path: a walk from the initial state. */
export interface MachinePath<W> {
  /**
   * `tour` (greedy transition coverage), `lifecycle` (a simple path to the
   * final state) or `walk` (random, chosen by a property; model-walk.ts).
   */
  origin: "tour" | "lifecycle" | "walk";
  steps: PathStep<W>[];
}

interface Abstract<W> {
  snap: AnyMachineSnapshot;
  world: W;
}
interface GraphEvent<W> {
  type: string;
  stim: Stimulus<W>;
}

const noop = () => {};

/** Binds no-op actions and guards that read `event.arg.guards` to a generated machine. */
function abstractMachine(machine: AnyStateMachine): AnyStateMachine {
  const actions = Object.fromEntries(
    Object.keys(machine.implementations.actions).map((name) => [name, noop]),
  );
  const guards = Object.fromEntries(
    Object.keys(machine.implementations.guards).map((name) => [
      name,
      ({ event }: { event: { arg?: { guards?: Record<string, boolean> } } }) =>
        event.arg?.guards?.[name] === true,
    ]),
  );
  return machine.provide({ actions, guards });
}

function stateOf(snap: AnyMachineSnapshot): string {
  return String(snap.value);
}

function guardHolds(guard: string | null, values: Record<string, boolean>): boolean {
  if (guard === null) return true;
  if (guard.startsWith("!")) return values[guard.slice(1)] !== true;
  return values[guard] === true;
}

/** The rows walked for `stim` from `state`, by table order (CONTRACTS §1). */
function walkTable(
  table: readonly TableRow[],
  state: string,
  stim: { event: string; guards: Record<string, boolean> },
): { ids: string[]; to: string } {
  const ids: string[] = [];
  const row = table.find(
    (r) => r.source === state && r.event === stim.event && guardHolds(r.guard, stim.guards),
  );
  if (!row) return { ids, to: state };
  ids.push(row.id);
  let to = row.target ?? state;
  for (let hop = 0; hop < 4; hop++) {
    const always = table.find(
      (r) => r.source === to && r.event === "always" && guardHolds(r.guard, stim.guards),
    );
    if (!always) break;
    ids.push(always.id);
    to = always.target ?? to;
  }
  return { ids, to };
}

/** A machine event for a stimulus (`after:X` becomes xstate's delayed event type). */
function machineEvent(machine: AnyStateMachine, state: string, stim: Stimulus<unknown>) {
  if (stim.event.startsWith("after:")) {
    const delay = stim.event.slice("after:".length);
    const node = machine.getStateNodeById(`${machine.id}.${state}`);
    const t = node.after.find((x) => x.eventType.startsWith(`xstate.after.${delay}.`));
    if (!t) throw new Error(`${machine.id}: no after:${delay} in state ${state}`);
    return { type: t.eventType, arg: { guards: stim.guards } };
  }
  return { type: stim.event, arg: { guards: stim.guards } };
}

/** Path generation for one model. */
export class PathGenerator<W> {
  private readonly provided: AnyStateMachine;
  private readonly logic;
  private readonly events: (s: Snapshot<unknown> & { context: Abstract<W> }) => GraphEvent<W>[];
  private readonly serializeState = (s: Snapshot<unknown> & { context?: Abstract<W> }) =>
    s.context ? `${stateOf(s.context.snap)}|${JSON.stringify(s.context.world)}` : "?";

  constructor(private readonly model: PathModel<W>) {
    this.provided = abstractMachine(model.machine);
    const initial: Abstract<W> = {
      snap: initialTransition(this.provided)[0],
      world: model.initialWorld,
    };
    this.logic = fromTransition(
      (a: Abstract<W>, e: GraphEvent<W>) => this.next(a, e.stim),
      initial,
    );
    this.events = (s) => {
      const a = s.context;
      if (a.snap.status !== "active") return [];
      return model.stimuli(stateOf(a.snap), a.world).map((stim) => ({ type: stim.name, stim }));
    };
  }

  /** Applies one stimulus with the real machine, and checks the table agrees. */
  private next(a: Abstract<W>, stim: Stimulus<W>): Abstract<W> {
    const from = stateOf(a.snap);
    const snap = getNextSnapshot(this.provided, a.snap, machineEvent(this.provided, from, stim));
    const expected = walkTable(this.model.table, from, stim).to;
    if (stateOf(snap) !== expected) {
      throw new Error(
        `${this.model.machine.id}: ${stim.name} from ${from} reached ${stateOf(snap)} in the machine but ${expected} by the table`,
      );
    }
    return { snap, world: stim.world };
  }

  private toSteps(
    steps: readonly { event: GraphEvent<W>; state: { context: Abstract<W> } }[],
    start: Abstract<W>,
  ): PathStep<W>[] {
    let from = stateOf(start.snap);
    const out: PathStep<W>[] = [];
    for (const s of steps) {
      if (s.event.type === "xstate.init") continue;
      const { ids } = walkTable(this.model.table, from, s.event.stim);
      const to = stateOf(s.state.context.snap);
      out.push({ stimulus: s.event.stim, from, to, transitions: ids });
      from = to;
    }
    return out;
  }

  private initial(): Snapshot<unknown> & { context: Abstract<W> } {
    return this.logic.getInitialSnapshot(
      // biome-ignore lint/suspicious/noExplicitAny: the actor scope is unused by fromTransition.
      {} as any,
      undefined,
    ) as Snapshot<unknown> & { context: Abstract<W> };
  }

  /**
   * The walk that `choices` select: from the initial state, each number picks
   * one of the stimuli the model offers there (modulo their count), until the
   * choices run out or the machine ends; only the last choice may end the
   * machine (a stimulus such as `close` is offered everywhere and would cut
   * most walks short). The same choices give the same walk, and fewer or
   * smaller choices give a shorter or earlier one, so a property over the
   * choices shrinks to a short failing walk.
   */
  walk(choices: readonly number[]): MachinePath<W> {
    let cur = this.initial().context;
    const steps: PathStep<W>[] = [];
    for (const [k, c] of choices.entries()) {
      if (cur.snap.status !== "active") break;
      const from = stateOf(cur.snap);
      const all = this.model.stimuli(from, cur.world);
      const going = all.filter((stim) => !this.ends(from, stim));
      const offered = k === choices.length - 1 || going.length === 0 ? all : going;
      const stim = offered[c % offered.length];
      if (stim === undefined) break;
      const next = this.next(cur, stim);
      steps.push({
        stimulus: stim,
        from,
        to: stateOf(next.snap),
        transitions: walkTable(this.model.table, from, stim).ids,
      });
      cur = next;
    }
    return { origin: "walk", steps };
  }

  /** True when `stim` from `state` takes the machine to its final state. */
  private ends(state: string, stim: Stimulus<W>): boolean {
    const to = walkTable(this.model.table, state, stim).to;
    return this.model.machine.getStateNodeById(`${this.model.machine.id}.${to}`).type === "final";
  }

  private reach: Set<string> | undefined;

  /** Every transition id some stimulus sequence reaches. */
  reachable(): Set<string> {
    if (this.reach) return new Set(this.reach);
    const ids = new Set<string>();
    for (const p of getShortestPaths(this.logic, {
      events: this.events,
      serializeState: this.serializeState,
    })) {
      const ctx = (p.state as { context: Abstract<W> }).context;
      for (const stim of this.model.stimuli(stateOf(ctx.snap), ctx.world)) {
        if (ctx.snap.status !== "active") continue;
        for (const id of walkTable(this.model.table, stateOf(ctx.snap), stim).ids) ids.add(id);
      }
    }
    this.reach = ids;
    return new Set(ids);
  }

  /**
   * Greedy transition tours: from the initial state, repeatedly take the
   * shortest path (getShortestPaths) to the nearest stimulus that walks a
   * transition not yet walked, preferring ones that do not end the machine,
   * until `maxSteps` or the final state. Repeats until every reachable
   * transition is walked or `maxTours` tours exist.
   */
  tours(maxSteps: number, maxTours: number): MachinePath<W>[] {
    const todo = this.reachable();
    const tours: MachinePath<W>[] = [];
    while (todo.size > 0 && tours.length < maxTours) {
      let cur = this.initial();
      const steps: PathStep<W>[] = [];
      while (steps.length < maxSteps && cur.context.snap.status === "active") {
        const paths = getShortestPaths(this.logic, {
          events: this.events,
          serializeState: this.serializeState,
          // The traversal hands our own snapshots back; its declared type is narrower.
          fromState: cur as never,
        });
        let best: { path: (typeof paths)[number]; stim: Stimulus<W>; cost: number } | undefined;
        for (const p of paths) {
          const ctx = (p.state as { context: Abstract<W> }).context;
          if (ctx.snap.status !== "active") continue;
          for (const stim of this.model.stimuli(stateOf(ctx.snap), ctx.world)) {
            const walked = walkTable(this.model.table, stateOf(ctx.snap), stim);
            if (!walked.ids.some((id) => todo.has(id))) continue;
            const ends = this.model.machine.getStateNodeById(
              `${this.model.machine.id}.${walked.to}`,
            ).type;
            const cost = p.steps.length + (ends === "final" ? 100 : 0);
            if (!best || cost < best.cost) best = { path: p, stim, cost };
          }
        }
        if (!best || steps.length + best.path.steps.length > maxSteps) break;
        const prefix = this.toSteps(
          best.path.steps as unknown as { event: GraphEvent<W>; state: { context: Abstract<W> } }[],
          cur.context,
        );
        const endCtx = (best.path.state as { context: Abstract<W> }).context;
        const nextCtx = this.next(endCtx, best.stim);
        const from = stateOf(endCtx.snap);
        const ids = walkTable(this.model.table, from, best.stim).ids;
        steps.push(...prefix, {
          stimulus: best.stim,
          from,
          to: stateOf(nextCtx.snap),
          transitions: ids,
        });
        for (const s of steps) for (const id of s.transitions) todo.delete(id);
        cur = { ...cur, context: nextCtx } as typeof cur;
      }
      if (steps.length === 0) break;
      tours.push({ origin: "tour", steps });
    }
    return tours;
  }

  /**
   * Simple paths (getSimplePaths) from the initial state to the final state,
   * longest first, keeping those that walk a pair of consecutive transitions
   * no earlier path walked; at most `max`.
   */
  lifecycles(max: number, already: readonly MachinePath<W>[]): MachinePath<W>[] {
    const pairs = new Set<string>();
    const pairsOf = (p: MachinePath<W>) => {
      const ids = p.steps.flatMap((s) => s.transitions);
      return ids.slice(1).map((id, i) => `${ids[i]}>${id}`);
    };
    for (const p of already) for (const k of pairsOf(p)) pairs.add(k);
    const all = getSimplePaths(this.logic, {
      events: this.events,
      serializeState: this.serializeState,
      toState: (s) => (s as { context: Abstract<W> }).context.snap.status === "done",
    })
      .map((p) => ({
        origin: "lifecycle" as const,
        steps: this.toSteps(
          p.steps as unknown as { event: GraphEvent<W>; state: { context: Abstract<W> } }[],
          this.initial().context,
        ),
      }))
      .sort(
        (a, b) =>
          b.steps.length - a.steps.length ||
          a.steps
            .map((s) => s.stimulus.name)
            .join()
            .localeCompare(b.steps.map((s) => s.stimulus.name).join()),
      );
    const out: MachinePath<W>[] = [];
    for (const p of all) {
      if (out.length >= max) break;
      const fresh = pairsOf(p).filter((k) => !pairs.has(k));
      if (fresh.length === 0) continue;
      for (const k of fresh) pairs.add(k);
      out.push(p);
    }
    return out;
  }

  /** Table transitions no stimulus reaches, each with the model's reason (throws when a reason is missing). */
  unreached(): { transition: string; reason: string }[] {
    const reach = this.reachable();
    const out: { transition: string; reason: string }[] = [];
    for (const row of this.model.table) {
      if (row.event === "entry" || reach.has(row.id)) continue;
      const reason = this.model.unobservable[row.id];
      if (!reason) throw new Error(`${row.id}: no stimulus reaches it and no reason is given`);
      out.push({ transition: row.id, reason });
    }
    return out;
  }
}
