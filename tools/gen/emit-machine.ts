/**
 * Emits `spec/machines/<id>.ts` for one machine table, in the shape of the
 * golden `spec/machines/req.ts`. The text is formatted by biome afterwards.
 */
import type { MachineRow, MachineTable } from "../draftparse/index.ts";
import { emitCompiledForm } from "./emit-compiled.ts";
import { camelCase, pascalCase, str, unique } from "./names.ts";

/** Inputs of {@link emitMachine}. */
export interface MachineSource {
  readonly machine: MachineTable;
  /** Draft path relative to the repository, e.g. `rfc/draft-sp-reqrep.md`. */
  readonly draftPath: string;
  /** Default value of each delay, in milliseconds (missing = 0). */
  readonly delayDefaults: ReadonlyMap<string, number>;
}

const PSEUDO = (event: string) =>
  event === "entry" || event === "always" || event.startsWith("after:");

/** Transition id as in docs/CONTRACTS.md §1: `<machine>:<state>:<event>[guard]`. */
export function transitionId(machine: string, row: MachineRow): string {
  return `${machine}:${row.state}:${row.event}${row.guard ? `[${row.guard}]` : ""}`;
}

/** States in order of first appearance; finals are those only named in Next. */
export function statesOf(machine: MachineTable): { states: string[]; finals: Set<string> } {
  const sources = unique(machine.rows.map((r) => r.state));
  const targets = machine.rows.map((r) => r.next).filter((n): n is string => n !== null);
  const finals = new Set(targets.filter((t) => !sources.includes(t)));
  return { states: unique([...sources, ...targets]), finals };
}

function guardExpr(guard: string | null): string | null {
  if (guard === null) return null;
  return guard.startsWith("!") ? `not(${str(guard.slice(1))})` : str(guard);
}

function transitionObject(row: MachineRow): string {
  const parts: string[] = [];
  const g = guardExpr(row.guard);
  if (g) parts.push(`guard: ${g}`);
  if (row.next !== null) parts.push(`target: ${str(row.next)}`);
  if (row.next !== null && row.next === row.state) parts.push("reenter: true");
  if (row.actions.length > 0) parts.push(`actions: [${row.actions.map(str).join(", ")}]`);
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

/** One object for a single unguarded row, else an array tried in order. */
function transitionList(rows: MachineRow[]): string {
  const [only] = rows;
  if (rows.length === 1 && only && only.guard === null) return transitionObject(only);
  return `[${rows.map(transitionObject).join(", ")}]`;
}

function groupBy(rows: MachineRow[], key: (r: MachineRow) => string): Map<string, MachineRow[]> {
  const m = new Map<string, MachineRow[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k) ?? [];
    list.push(r);
    m.set(k, list);
  }
  return m;
}

function stateConfig(machine: MachineTable, state: string, final: boolean): string {
  if (final) return `${state}: { type: "final" },`;
  const rows = machine.rows.filter((r) => r.state === state);
  const parts: string[] = [];
  const entry = rows.filter((r) => r.event === "entry").flatMap((r) => r.actions);
  if (entry.length > 0) parts.push(`entry: [${entry.map(str).join(", ")}],`);
  const always = rows.filter((r) => r.event === "always");
  if (always.length > 0) parts.push(`always: [${always.map(transitionObject).join(", ")}],`);
  const after = groupBy(
    rows.filter((r) => r.event.startsWith("after:")),
    (r) => r.event.slice(6),
  );
  if (after.size > 0) {
    const items = [...after].map(([delay, list]) => `${delay}: ${transitionList(list)}`);
    parts.push(`after: { ${items.join(", ")} },`);
  }
  const on = groupBy(
    rows.filter((r) => !PSEUDO(r.event)),
    (r) => r.event,
  );
  if (on.size > 0) {
    const items = [...on].map(([event, list]) => `${event}: ${transitionList(list)},`);
    parts.push(`on: {\n${items.join("\n")}\n},`);
  }
  return `${state}: {\n${parts.join("\n")}\n},`;
}

/**
 * The events during which the rows that use `used` run: the named events of
 * those rows, or null when one of them is a pseudo-event row (`entry`,
 * `always`, `after:NAME`). During such a row the current event is whatever
 * event led there, or one xstate raises itself (start, timers), so the
 * implementation is handed any event.
 */
function eventsRunning(rows: readonly MachineRow[], used: (r: MachineRow) => boolean) {
  const mine = rows.filter(used);
  if (mine.some((r) => PSEUDO(r.event))) return null;
  return unique(mine.map((r) => r.event));
}

/** The type of an empty group of the implementation: `{}` fits, any member is an error. */
const NONE = "Record<string, never>";

/** Generates the TypeScript source of one machine (unformatted). */
export function emitMachine({ machine, draftPath, delayDefaults }: MachineSource): string {
  const id = machine.id;
  const Name = pascalCase(id);
  const name = camelCase(id);
  const rows = machine.rows;
  const events = unique(rows.map((r) => r.event).filter((e) => !PSEUDO(e)));
  const actions = unique(rows.flatMap((r) => r.actions));
  const guards = unique(
    rows
      .map((r) => r.guard)
      .filter((g): g is string => g !== null)
      .map((g) => g.replace(/^!/, "")),
  );
  const delays = unique(
    rows.filter((r) => r.event.startsWith("after:")).map((r) => r.event.slice(6)),
  );
  const usesNot = rows.some((r) => r.guard?.startsWith("!"));
  const { states, finals } = statesOf(machine);
  const initial = rows[0]?.state ?? "";

  // The event an action or guard of the implementation is called with, for payload map A.
  const eventParam = (running: string[] | null) =>
    running === null ? `${Name}AnyEvent<A>` : `${Name}EventsOf<A>[${running.map(str).join(" | ")}]`;
  const implMember = (member: string, running: string[] | null, result: string) => {
    const during = running === null ? "any event (a pseudo-event row)" : running.join(", ");
    return `/** During: ${during}. */\n${member}: (args: { event: ${eventParam(running)} }) => ${result};`;
  };
  const actionMembers = actions.map((a) =>
    implMember(
      a,
      eventsRunning(rows, (r) => r.actions.includes(a)),
      "void",
    ),
  );
  const guardMembers = guards.map((g) =>
    implMember(
      g,
      eventsRunning(rows, (r) => r.guard?.replace(/^!/, "") === g),
      "boolean",
    ),
  );

  const members = (list: string[]) => (list.length === 0 ? NONE : `{\n${list.join("\n")}\n}`);

  const transitions = rows.map((r) => {
    const fields = [
      `id: ${str(transitionId(id, r))}`,
      `source: ${str(r.state)}`,
      `event: ${str(r.event)}`,
      `guard: ${r.guard === null ? "null" : str(r.guard)}`,
      `actions: [${r.actions.map(str).join(", ")}]`,
      `target: ${r.next === null ? "null" : str(r.next)}`,
      `requirements: [${r.requirements.map(str).join(", ")}]`,
      `line: ${r.line}`,
    ];
    return `{ ${fields.join(", ")} },`;
  });

  return `// GENERATED by tools/gen from ${draftPath}, table "machine-${id}". Do not edit.
// Regenerate with \`npm run gen\`; \`npm run gen -- --check\` fails when this file is stale.
import { ${usesNot ? "not, " : ""}setup } from "xstate";
import type { MachineWithEvents, XstateEvent } from "./bind.ts";
import { type CompiledArgs, type CompiledLogic, type CompiledMachine, compiledLogic } from "./compiled.ts";

/** The events of the table (pseudo-events excluded). */
export const ${name}EventNames = [${events.map(str).join(", ")}] as const;
export type ${Name}EventName = (typeof ${name}EventNames)[number];

/**
 * What each event carries in \`arg\`, one key per event of the table. The draft
 * names the events; the implementation chooses the payloads by giving
 * \`create${Name}Machine\` its own map with every key (and no other).
 */
export type ${Name}EventArgs = { [K in ${Name}EventName]: unknown };

/** The event object of each event for payload map \`A\`; \`arg\` is optional where \`A\` admits undefined. */
export type ${Name}EventsOf<A extends ${Name}EventArgs = ${Name}EventArgs> = {
  [K in ${Name}EventName]: undefined extends A[K] ? { type: K; arg?: A[K] } : { type: K; arg: A[K] };
};

/** Events of the \`${id}\` machine, for payload map \`A\` (by default any payload). */
export type ${Name}Event<A extends ${Name}EventArgs = ${Name}EventArgs> = ${events.length === 0 ? "never" : `${Name}EventsOf<A>[${Name}EventName]`};

/** What an action or guard of a pseudo-event row (entry, always, after) may see: any event. */
export type ${Name}AnyEvent<A extends ${Name}EventArgs = ${Name}EventArgs> = ${Name}Event<A> | XstateEvent;

export const ${name}ActionNames = [${actions.map(str).join(", ")}] as const;
export type ${Name}Action = (typeof ${name}ActionNames)[number];

export const ${name}GuardNames = [${guards.map(str).join(", ")}] as const;
export type ${Name}Guard = (typeof ${name}GuardNames)[number];

export const ${name}DelayNames = [${delays.map(str).join(", ")}] as const;
export type ${Name}Delay = (typeof ${name}DelayNames)[number];

/**
 * What an implementation must supply: one function per action and guard and
 * one value per delay of the table, every key required. Each function gets
 * only the events of the rows that run it (any event for a row of a
 * pseudo-event), with the payloads of \`A\`.
 */
export interface ${Name}Implementation<A extends ${Name}EventArgs = ${Name}EventArgs> {
  actions: ${members(actionMembers)};
  guards: ${members(guardMembers)};
  delays: ${delays.length === 0 ? NONE : `Record<${Name}Delay, number | (() => number)>`};
}

/** One row of the draft's table; \`id\` is stable while the row's state, event and guard stay. */
export interface ${Name}Transition {
  readonly id: string;
  readonly source: string;
  readonly event: string;
  readonly guard: string | null;
  readonly actions: readonly ${Name}Action[];
  readonly target: string | null;
  readonly requirements: readonly string[];
  readonly line: number;
}

export const ${name}Transitions: readonly ${Name}Transition[] = [
${transitions.join("\n")}
];

const unprovided = (kind: string, name: string) => () => {
  throw new Error(\`${id} machine: \${kind} "\${name}" was not provided by the implementation\`);
};

/**
 * The machine with stub actions and guards; bind it with {@link create${Name}Machine}.
 * Marked pure so that a bundle which only runs the compiled form leaves it out.
 */
export const ${name}Machine = /* @__PURE__ */ (() =>
  setup({
  types: { events: {} as ${Name}Event },
  actions: {
${actions.map((a) => `${a}: unprovided("action", ${str(a)}),`).join("\n")}
  },
  guards: {
${guards.map((g) => `${g}: unprovided("guard", ${str(g)}) as () => boolean,`).join("\n")}
  },
  delays: { ${delays.map((d) => `${d}: ${delayDefaults.get(d) ?? 0}`).join(", ")} },
}).createMachine({
  id: ${str(id)},
  initial: ${str(initial)},
  states: {
${states.map((s) => stateConfig(machine, s, finals.has(s))).join("\n")}
  },
}))();

/** The machine whose actors take the events of payload map \`A\` (\`actor.send\` is checked against it). */
export type ${Name}Machine<A extends ${Name}EventArgs = ${Name}EventArgs> = MachineWithEvents<
  typeof ${name}Machine,
  ${Name}Event<A>
>;

/**
 * Binds an implementation to the machine; the result is what \`createActor\`
 * takes. \`A\` is the implementation's payload map: it must name every event of
 * the table and no other, and \`impl\` must supply every action, guard and delay,
 * so a table that gains one fails the type check until the implementation
 * follows. \`machine\` may be a variant regenerated from an edited draft (tests).
 */
export function create${Name}Machine<
  A extends ${Name}EventArgs & { [K in Exclude<keyof A, ${Name}EventName>]: never },
>(impl: ${Name}Implementation<A>, machine: ${Name}Machine = ${name}Machine): ${Name}Machine<A> {
  // xstate types every implementation function with the whole event union; the
  // table routes to each one only the events its type names.
  return machine.provide(impl as never) as ${Name}Machine<A>;
}
${emitCompiledForm(machine, states, finals, initial)}`;
}
