/**
 * Emits `spec/machines/compiled.ts`: the one runtime of the compiled form of
 * every machine. A machine's compiled form (emitted by emit-compiled.ts into its
 * own file) is a table: the draft's rows, a generated `select` switch that picks
 * the row an event takes, and where each state starts and stops timers. This
 * runtime turns such a table plus an implementation into xstate actor logic
 * that steps exactly as the statechart generated from the same table does
 * (tools/gen/compiled-equivalence.test.ts proves it, step for step):
 *
 * - an event takes the first row of the current state whose guard holds
 *   (table order); a row without a target runs its actions only, a row with
 *   one (the same state included) leaves the state (its timers are
 *   cancelled), runs its actions, enters the target (its entry row, then its
 *   timers, each delay resolved at entry);
 * - after every event, taken or not, eventless rows are tried until none
 *   holds or one leaves the state unchanged;
 * - a final state ends the actor (`done`);
 * - actions run at once while the actor runs and are deferred to `start()`
 *   for the initial state, timers are started and cancelled through xstate's
 *   scheduler after the step, as xstate does it.
 */
import { HEADER } from "./emit-shared.ts";

export function emitCompiledRuntime(): string {
  return `${HEADER("tools/gen/emit-compiled-runtime.ts (the same for every draft)")}
import type { ActorLogic, ActorScope, EventObject } from "xstate";

/** What the compiled form hands an action, a guard or a delay function: the current event. */
export interface CompiledArgs {
  readonly event: EventObject;
}

/** An implementation as the compiled form calls it; every \`<Name>Implementation\` fits. */
export interface CompiledImplementation {
  readonly actions: Readonly<Record<string, (args: CompiledArgs) => void>>;
  readonly guards: Readonly<Record<string, (args: CompiledArgs) => boolean>>;
  readonly delays: Readonly<Record<string, number | ((args: CompiledArgs) => number)>>;
}

/** The part of a table row the runtime needs. */
export interface CompiledRow {
  readonly id: string;
  readonly actions: readonly string[];
  readonly target: string | null;
}

/** One machine's compiled form, generated from its draft table. */
export interface CompiledMachine<S extends string = string> {
  readonly id: string;
  readonly initial: S;
  /** The draft's rows, in table order; \`select\` answers with an index into them. */
  readonly rows: readonly CompiledRow[];
  readonly finals: readonly S[];
  /** The index of each state's entry row. */
  readonly entry: Readonly<Partial<Record<S, number>>>;
  /** Each state's timers: the delay's name and the event type it raises. */
  readonly after: Readonly<Partial<Record<S, readonly (readonly [string, string])[]>>>;
  /**
   * The row that event \`type\` takes in \`state\` (guards tried in table order),
   * -1 for none. Eventless rows answer to the type "".
   */
  readonly select: (state: S, type: string, impl: never, args: CompiledArgs) => number;
}

/** The snapshot of a compiled actor: its state, and the ids of the rows its last step took. */
export class CompiledSnapshot<S extends string = string> {
  readonly output = undefined;
  readonly error = undefined;
  constructor(
    readonly machine: CompiledMachine<S>,
    readonly value: S,
    readonly status: "active" | "done" | "stopped",
    /** Row ids taken by the step that made this snapshot (entry rows included). */
    readonly taken: readonly string[],
  ) {}

  /** True in state \`value\` (states are flat). */
  matches(value: S): boolean {
    return this.value === value;
  }
}

/** xstate actor logic of a compiled machine, for events \`E\`. */
export type CompiledLogic<E extends EventObject, S extends string = string> = ActorLogic<
  CompiledSnapshot<S>,
  E,
  undefined
>;

type Scope = ActorScope<CompiledSnapshot<string>, EventObject>;

/** One step in progress. */
interface Step {
  readonly m: CompiledMachine<string>;
  readonly impl: CompiledImplementation;
  readonly scope: Scope;
  readonly args: CompiledArgs;
  readonly taken: string[];
  /** True while the initial snapshot is made: actions wait for \`start()\`. */
  readonly initial: boolean;
}

function runActions(s: Step, names: readonly string[]): void {
  for (const name of names) {
    const action = s.impl.actions[name];
    if (action === undefined) throw new Error(\`\${s.m.id} machine: action "\${name}" was not provided\`);
    if (s.initial) {
      const args = s.args;
      s.scope.defer(() => action(args));
    } else action(s.args);
  }
}

function leave(s: Step, state: string): void {
  const timers = s.m.after[state];
  if (timers === undefined) return;
  const { scope } = s;
  for (const [, type] of timers) scope.defer(() => scope.system.scheduler.cancel(scope.self, type));
}

function enter(s: Step, state: string): void {
  const entry = s.m.entry[state];
  if (entry !== undefined) {
    const row = s.m.rows[entry];
    if (row) {
      s.taken.push(row.id);
      runActions(s, row.actions);
    }
  }
  const timers = s.m.after[state];
  if (timers === undefined) return;
  const { scope } = s;
  for (const [name, type] of timers) {
    const value = s.impl.delays[name];
    const delay = typeof value === "function" ? value(s.args) : value;
    if (typeof delay !== "number") throw new Error(\`\${s.m.id} machine: delay "\${name}" is not a number\`);
    scope.defer(() => scope.system.scheduler.schedule(scope.self, scope.self, { type }, delay, type));
  }
}

/** Takes row \`index\` from \`state\`; returns the state after it. */
function take(s: Step, index: number, state: string): string {
  const row = s.m.rows[index];
  if (row === undefined) throw new Error(\`\${s.m.id} machine: no row \${index}\`);
  s.taken.push(row.id);
  if (row.target === null) {
    runActions(s, row.actions);
    return state;
  }
  leave(s, state);
  runActions(s, row.actions);
  enter(s, row.target);
  return row.target;
}

/**
 * Eventless rows, tried after every event until none holds or one leaves the state as it was
 * (a state without such rows, a final state included, answers -1 at once).
 */
function settle(s: Step, state: string): string {
  let current = state;
  for (;;) {
    const index = s.m.select(current, "", s.impl as never, s.args);
    if (index < 0) break;
    const next = take(s, index, current);
    if (next === current) break;
    current = next;
  }
  return current;
}

const NONE: readonly string[] = [];

/**
 * The actor logic of compiled machine \`m\` bound to \`impl\`; \`createActor\` takes it.
 * The generated \`create<Name>Logic\` of each machine types it.
 */
export function compiledLogic<E extends EventObject, S extends string>(
  m: CompiledMachine<S>,
  impl: CompiledImplementation,
): CompiledLogic<E, S> {
  const any = m as unknown as CompiledMachine<string>;
  const finals: ReadonlySet<string> = new Set(m.finals);
  const step = (scope: unknown, event: EventObject, initial: boolean): Step => ({
    m: any,
    impl,
    scope: scope as Scope,
    args: { event },
    taken: [],
    initial,
  });
  const snapshot = (value: string, taken: readonly string[]) =>
    new CompiledSnapshot(m, value as S, finals.has(value) ? "done" : "active", taken);
  return {
    getInitialSnapshot(scope) {
      const event = { type: "xstate.init", input: undefined };
      const s = step(scope, event, true);
      enter(s, m.initial);
      return snapshot(settle(s, m.initial), s.taken);
    },
    transition(snap, event, scope) {
      if (event.type === "xstate.stop") return new CompiledSnapshot(m, snap.value, "stopped", NONE);
      if (snap.status !== "active") return snap;
      const s = step(scope, event, false);
      let state: string = snap.value;
      const index = m.select(snap.value, event.type, impl as never, s.args);
      if (index >= 0) state = take(s, index, state);
      return snapshot(settle(s, state), s.taken);
    },
    getPersistedSnapshot: (snap) => snap,
  };
}
`;
}
