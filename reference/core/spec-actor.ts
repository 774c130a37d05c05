/**
 * The one place where the reference starts the actors of the generated spec
 * machines (spec/machines/*.ts), so that the transitions they take can be
 * recorded against the rows of the drafts' tables.
 *
 * The reference runs the compiled form of each machine (`create<Name>Logic`):
 * each snapshot it makes names the rows its step took. The statechart form
 * (`create<Name>Machine`) is traced too, from xstate's `@xstate.microstep`
 * inspection events.
 *
 * Without a recorder, {@link createSpecActor} is xstate's `createActor` and
 * nothing more: no `inspect` callback, no cost per event. An actor created
 * while a recorder is installed ({@link recordTransitions}) gets an xstate
 * inspection callback that maps each transition the actor takes and each
 * entry into a state that has an `entry` row back to that row's id
 * (`req:waiting:reply[idMatches]`, `req:waiting:after:resendTime`,
 * `tcp-pipe:handshake:entry`), and hands the id to the recorders that were
 * installed when the actor was created and are still installed.
 *
 * Used by the conformance suite's transition check
 * (conformance/cases/verified.test.ts, tools/trace/covers.ts): a
 * case's `covers` may list only transitions the reference walks while the
 * case runs (CONTRACTS §1).
 */
import {
  type Actor,
  type ActorOptions,
  type AnyActorLogic,
  type AnyTransitionDefinition,
  createActor,
  type InspectionEvent,
} from "xstate";
import { CompiledSnapshot } from "../../spec/machines/compiled.ts";
import { type AnyTransition, allTransitions } from "../../spec/machines/index.ts";

/** What a recorder learns about one transition taken. */
export interface TransitionInfo {
  /** The machine's id (`req`, `tcp-pipe`). */
  readonly machine: string;
  /**
   * False when no row of the generated tables matches (a machine regenerated
   * from an edited draft, say); the id is then built from the transition.
   */
  readonly known: boolean;
  /** What `tag` (see {@link RecordOptions}) returned when the actor was created. */
  readonly tag: unknown;
}

/** Options of {@link recordTransitions}. */
export interface RecordOptions {
  /**
   * Called once per actor, when it is created; the value is passed back with
   * every transition of that actor. Lets a caller attribute transitions to
   * whatever was running when the actor was made (a conformance case).
   */
  tag?: () => unknown;
}

interface Recorder {
  readonly onTransition: (id: string, info: TransitionInfo) => void;
  readonly tag: (() => unknown) | undefined;
  installed: boolean;
}

const recorders = new Set<Recorder>();

/**
 * Installs a process-wide recorder of spec-machine transitions: from now on,
 * every actor created by {@link createSpecActor} reports each transition it
 * takes, as the id of the draft table's row. Actors created before this call
 * are not traced. Returns the function that uninstalls the recorder; after it,
 * the recorder hears nothing more.
 *
 * @example
 * ```ts
 * const walked = new Set<string>();
 * const stop = recordTransitions((id) => walked.add(id));
 * const req = new Req0Socket();
 * // ... drive the socket ...
 * stop();
 * console.log([...walked]); // e.g. ["req:idle:send", "req:pending:pipeAdded", ...]
 * ```
 */
export function recordTransitions(
  onTransition: (id: string, info: TransitionInfo) => void,
  options: RecordOptions = {},
): () => void {
  const r: Recorder = { onTransition, tag: options.tag, installed: true };
  recorders.add(r);
  return () => {
    r.installed = false;
    recorders.delete(r);
  };
}

/**
 * Creates an actor of a spec machine, exactly as xstate's `createActor` does;
 * when a recorder is installed ({@link recordTransitions}) the actor also
 * reports the draft rows it walks. The caller starts it.
 *
 * @example
 * ```ts
 * const actor = createSpecActor(createReqMachine(impl));
 * actor.start();
 * actor.send({ type: "send", arg: body });
 * ```
 */
export function createSpecActor<TLogic extends AnyActorLogic>(
  logic: TLogic,
  options?: ActorOptions<TLogic>,
): Actor<TLogic> {
  // The cast passes the options through createActor's conditional rest parameter unchanged.
  const create = createActor as (l: TLogic, o?: ActorOptions<TLogic>) => Actor<TLogic>;
  if (recorders.size === 0) return create(logic, options);
  const listeners = [...recorders].map((r) => ({ r, tag: r.tag?.() }));
  const own = options?.inspect;
  const inspect = (ev: InspectionEvent): void => {
    if (typeof own === "function") own(ev);
    else own?.next?.(ev);
    for (const { id, info } of rowsOf(ev)) {
      for (const { r, tag } of listeners) if (r.installed) r.onTransition(id, { ...info, tag });
    }
  };
  return create(logic, { ...options, inspect } as ActorOptions<TLogic>);
}

type Found = { id: string; info: Omit<TransitionInfo, "tag"> };

/** The draft rows one inspection event stands for (none for most events). */
function rowsOf(ev: InspectionEvent): Found[] {
  if (ev.type === "@xstate.snapshot" && ev.snapshot instanceof CompiledSnapshot) {
    // The compiled form names the rows of each step in the snapshot it makes.
    const machine = ev.snapshot.machine.id;
    return ev.snapshot.taken.map((id) => ({ id, info: { machine, known: knownIds().has(id) } }));
  }
  if (ev.type === "@xstate.snapshot" && ev.event.type === "xstate.init") {
    // The initial state is entered without a microstep: its entry row, if any.
    const snap = ev.snapshot as { machine?: { id?: string }; value?: unknown };
    const machine = snap.machine?.id;
    if (machine === undefined || typeof snap.value !== "string") return [];
    const row = entryRow(machine, snap.value);
    return row ? [{ id: row.id, info: { machine, known: true } }] : [];
  }
  if (ev.type !== "@xstate.microstep") return [];
  const found: Found[] = [];
  for (const t of ev._transitions) {
    const machine = t.source.machine.id;
    found.push(rowOf(machine, t));
    for (const target of t.target ?? []) {
      // Entering a state (again, for a re-entering self transition) runs its entry row.
      if (target === t.source && !t.reenter) continue;
      const row = entryRow(machine, target.path.join("."));
      if (row) found.push({ id: row.id, info: { machine, known: true } });
    }
  }
  return found;
}

/** The row of `machine`'s table that transition `t` is, or an id built from `t`. */
function rowOf(machine: string, t: AnyTransitionDefinition): Found {
  const state = t.source.path.join(".");
  const event = eventName(t.eventType, t.source.id);
  const guard = guardName(t.guard);
  const candidates = rowsByKey().get(`${machine}:${state}:${event}`) ?? [];
  const matching = candidates.filter((r) => r.guard === guard);
  const row =
    matching.length <= 1
      ? matching[0]
      : // Never seen in the generated tables (ids are unique per state, event and guard),
        // kept for safety: tell rows apart by where they go.
        (matching.find((r) => sameTarget(r, t)) ?? matching[0]);
  if (row) return { id: row.id, info: { machine, known: true } };
  const suffix = guard === null ? "" : `[${guard}]`;
  return { id: `${machine}:${state}:${event}${suffix}`, info: { machine, known: false } };
}

/** The table's event name: `always` for eventless rows, `after:<delay>` for delayed ones. */
function eventName(eventType: string, sourceId: string): string {
  if (eventType === "") return "always";
  const after = "xstate.after.";
  const tail = `.${sourceId}`;
  if (eventType.startsWith(after) && eventType.endsWith(tail)) {
    return `after:${eventType.slice(after.length, eventType.length - tail.length)}`;
  }
  return eventType;
}

/** The table's guard cell: the name, `!name` for `not("name")`, null for none. */
function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") {
    // xstate's not() returns a function carrying the negated guard in `guards`.
    const inner = (guard as { guards?: unknown[] }).guards;
    if (guard.name === "not" && Array.isArray(inner) && inner.length === 1) {
      const name = guardName(inner[0]);
      if (name !== null) return `!${name}`;
    }
    return guard.name || "?";
  }
  if (typeof guard === "object" && typeof (guard as { type?: unknown }).type === "string") {
    return (guard as { type: string }).type;
  }
  return "?";
}

function sameTarget(row: AnyTransition, t: AnyTransitionDefinition): boolean {
  const target = t.target?.[0];
  if (!target || (target === t.source && !t.reenter)) return row.target === null;
  return row.target === target.path.join(".");
}

let known: Set<string> | undefined;

/** The ids of every row of the generated tables. */
function knownIds(): Set<string> {
  known ??= new Set(allTransitions.map((t) => t.id));
  return known;
}

let byKey: Map<string, AnyTransition[]> | undefined;
let entries: Map<string, AnyTransition> | undefined;

/** Rows by `machine:state:event`, built on first use. */
function rowsByKey(): Map<string, AnyTransition[]> {
  if (byKey) return byKey;
  byKey = new Map();
  for (const t of allTransitions) {
    const key = `${t.machine}:${t.source}:${t.event}`;
    const list = byKey.get(key) ?? [];
    list.push(t);
    byKey.set(key, list);
  }
  return byKey;
}

function entryRow(machine: string, state: string): AnyTransition | undefined {
  if (!entries) {
    entries = new Map();
    for (const t of allTransitions) {
      if (t.event === "entry") entries.set(`${t.machine}:${t.source}`, t);
    }
  }
  return entries.get(`${machine}:${state}`);
}
