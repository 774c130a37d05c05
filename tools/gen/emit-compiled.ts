/**
 * Emits the compiled form of one machine, appended to its `spec/machines/<id>.ts`:
 * the state type, a `select` switch (state × event → the first row whose guard
 * holds), the table the runtime of `spec/machines/compiled.ts` steps through,
 * and `create<Name>Logic`, which binds an implementation as `create<Name>Machine`
 * does for the statechart. Both forms come from the same rows.
 */
import type { MachineTable } from "../draftparse/index.ts";
import { camelCase, pascalCase, str, unique } from "./names.ts";

/** The event type that starts row `row` in state `state`: "" for eventless rows, xstate's after-event type for timers. */
function eventType(machineId: string, state: string, event: string): string {
  if (event === "always") return "";
  if (event.startsWith("after:")) return `xstate.after.${event.slice(6)}.${machineId}.${state}`;
  return event;
}

function guardCall(guard: string): string {
  const negated = guard.startsWith("!");
  const name = negated ? guard.slice(1) : guard;
  return `${negated ? "!" : ""}impl.guards.${name}(args as never)`;
}

/** The `case` of one state: its rows by event type, guards in table order. */
function stateCase(machine: MachineTable, state: string): string | null {
  const indexed = machine.rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row.state === state && row.event !== "entry");
  if (indexed.length === 0) return null;
  const types = unique(indexed.map(({ row }) => eventType(machine.id, state, row.event)));
  const cases = types.map((type) => {
    const lines: string[] = [];
    for (const { row, index } of indexed) {
      if (eventType(machine.id, state, row.event) !== type) continue;
      if (row.guard === null) {
        lines.push(`return ${index};`);
        break;
      }
      lines.push(`if (${guardCall(row.guard)}) return ${index};`);
    }
    const last = lines[lines.length - 1] ?? "";
    if (!last.startsWith("return")) lines.push("return -1;");
    return `case ${str(type)}:\n${lines.join("\n")}`;
  });
  return `case ${str(state)}:\nswitch (type) {\n${cases.join("\n")}\n}\nreturn -1;`;
}

/** The compiled form's source (unformatted). */
export function emitCompiledForm(
  machine: MachineTable,
  states: readonly string[],
  finals: ReadonlySet<string>,
  initial: string,
): string {
  const id = machine.id;
  const Name = pascalCase(id);
  const name = camelCase(id);
  const rows = machine.rows;
  const cases = states
    .filter((s) => !finals.has(s))
    .map((s) => stateCase(machine, s))
    .filter((c): c is string => c !== null);
  const entry = rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row.event === "entry")
    .map(({ row, index }) => `${row.state}: ${index},`);
  const timed = unique(rows.filter((r) => r.event.startsWith("after:")).map((r) => r.state));
  const after = timed.map((state) => {
    const delays = unique(
      rows.filter((r) => r.state === state && r.event.startsWith("after:")).map((r) => r.event),
    );
    const pairs = delays.map((e) => `[${str(e.slice(6))}, ${str(eventType(id, state, e))}]`);
    return `${state}: [${pairs.join(", ")}],`;
  });
  // A table without guards never asks the implementation.
  const unused = rows.some((r) => r.guard !== null) ? "" : "_";

  return `
/** The states of the \`${id}\` table. */
export type ${Name}State = ${states.map(str).join(" | ")};

/**
 * Compiled form: the row of \`${name}Transitions\` that an event of \`type\` takes
 * in \`state\`, the first whose guard holds, or -1. Eventless rows answer to "".
 */
function ${name}Select(
  state: ${Name}State,
  type: string,
  ${unused}impl: ${Name}Implementation,
  ${unused}args: CompiledArgs,
): number {
  switch (state) {
${cases.join("\n")}
  }
  return -1;
}

/**
 * The compiled form of the table, which the reference runs: the same rows as
 * {@link ${name}Machine}, stepped by a generated switch instead of xstate's
 * statechart interpreter. Bind it with {@link create${Name}Logic}.
 */
export const ${name}Compiled: CompiledMachine<${Name}State> = {
  id: ${str(id)},
  initial: ${str(initial)},
  rows: ${name}Transitions,
  finals: [${[...finals].map(str).join(", ")}],
  entry: { ${entry.join(" ")} },
  after: { ${after.join(" ")} },
  select: ${name}Select,
};

/** The actor logic of the compiled form, whose actors take the events of payload map \`A\`. */
export type ${Name}Logic<A extends ${Name}EventArgs = ${Name}EventArgs> = CompiledLogic<${Name}Event<A>, ${Name}State>;

/**
 * Binds an implementation to the compiled form, as {@link create${Name}Machine}
 * does to the statechart; the result is what \`createActor\` takes. \`compiled\`
 * may be a variant regenerated from an edited draft (tests).
 */
export function create${Name}Logic<
  A extends ${Name}EventArgs & { [K in Exclude<keyof A, ${Name}EventName>]: never },
>(impl: ${Name}Implementation<A>, compiled: CompiledMachine<${Name}State> = ${name}Compiled): ${Name}Logic<A> {
  return compiledLogic(compiled, impl as never);
}
`;
}
