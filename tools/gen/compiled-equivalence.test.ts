/**
 * The two generated forms of every machine step alike. For each machine of
 * spec/machines, fast-check drives an actor of the statechart
 * (`createActor(<name>Machine.provide(impl))`) and an actor of the compiled
 * form (`compiledLogic(<name>Compiled, impl)`) with the same random run:
 * events of the table in any order (also where no row takes them), time
 * passing on a simulated clock (timers fire), guard answers drawn from one
 * random sequence, delays chosen at random, and actions that send the actor
 * further events while it is stepping (xstate queues them). After every
 * command both actors must agree on the state, the status, the actions run and
 * the guards asked (in order, with the event each saw) and the timers pending
 * (event type and delay). The compiled form is what the reference runs; the
 * statechart is what paths, reports and docs use.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnyActorLogic, createActor, SimulatedClock } from "xstate";
import { compiledLogic } from "../../spec/machines/compiled.ts";
import { machineForms } from "../../spec/machines/index.ts";

type Forms = (typeof machineForms)[keyof typeof machineForms];

type Command = { kind: "event"; name: string; arg: number } | { kind: "time"; ms: number };

interface Run {
  readonly commands: readonly Command[];
  /** Guard answers, used in turn (cycled). */
  readonly answers: readonly boolean[];
  /** The delay of each timer, by name. */
  readonly delays: Readonly<Record<string, number>>;
  /** Delays given as functions rather than numbers. */
  readonly delayAsFunction: boolean;
  /** An action that sends the actor an event while it steps: action name → event name. */
  readonly echo: Readonly<Record<string, string>>;
}

interface Probe {
  readonly actor: { send(e: { type: string; arg?: unknown }): void; getSnapshot(): unknown };
  readonly clock: SimulatedClock;
  readonly log: string[];
}

function runArb(forms: Forms): fc.Arbitrary<Run> {
  const events = forms.events as readonly string[];
  const command: fc.Arbitrary<Command> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("event" as const),
        name: fc.constantFrom(...events),
        arg: fc.nat(3),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("time" as const),
        ms: fc.integer({ min: 1, max: 120 }),
      }),
    },
  );
  const names = forms.actions as readonly string[];
  return fc.record({
    commands: fc.array(command, { minLength: 1, maxLength: 40 }),
    answers: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
    delays: fc.record(
      Object.fromEntries(
        (forms.delays as readonly string[]).map((d) => [d, fc.integer({ min: 1, max: 100 })]),
      ),
    ),
    delayAsFunction: fc.boolean(),
    echo:
      names.length === 0 || events.length === 0
        ? fc.constant({})
        : fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...events), { maxKeys: 2 }),
  }) as fc.Arbitrary<Run>;
}

/** One form's actor, with an implementation that logs every call and answers guards from `run`. */
function probe(forms: Forms, run: Run, which: "statechart" | "compiled"): Probe {
  const log: string[] = [];
  const clock = new SimulatedClock();
  let answer = 0;
  let echoes = 0;
  let self: Probe["actor"] | undefined;
  const seen = (e: { type: string; arg?: unknown }) =>
    `${e.type}${e.arg === undefined ? "" : `(${String(e.arg)})`}`;
  const actions = Object.fromEntries(
    (forms.actions as readonly string[]).map((name) => [
      name,
      ({ event }: { event: { type: string; arg?: unknown } }) => {
        log.push(`action ${name} ${seen(event)}`);
        const echo = run.echo[name];
        // A bounded number of sends from inside actions: enough to exercise the mailbox.
        if (echo !== undefined && echoes < 3) {
          echoes++;
          self?.send({ type: echo, arg: 9 });
        }
      },
    ]),
  );
  const guards = Object.fromEntries(
    (forms.guards as readonly string[]).map((name) => [
      name,
      ({ event }: { event: { type: string; arg?: unknown } }) => {
        const value = run.answers[answer++ % run.answers.length] ?? false;
        log.push(`guard ${name} ${seen(event)} ${value}`);
        return value;
      },
    ]),
  );
  const delays = Object.fromEntries(
    Object.entries(run.delays).map(([name, ms]) => [
      name,
      run.delayAsFunction
        ? () => {
            log.push(`delay ${name}`);
            return ms;
          }
        : ms,
    ]),
  );
  const impl = { actions, guards, delays };
  const logic: AnyActorLogic =
    which === "statechart"
      ? (forms.statechart as unknown as { provide(i: unknown): AnyActorLogic }).provide(impl)
      : compiledLogic(forms.compiled as never, impl as never);
  const actor = createActor(logic, { clock });
  self = actor as unknown as Probe["actor"];
  actor.start();
  return {
    actor: self,
    clock,
    log,
    // Reset per command by the caller through `log.length = 0`.
  };
}

/** What must be equal after each command. */
function observe(p: Probe): unknown {
  const snap = p.actor.getSnapshot() as { status: string; value: unknown };
  const system = (
    p.actor as unknown as {
      system: {
        getSnapshot(): {
          _scheduledEvents: Record<string, { event: { type: string }; delay: number }>;
        };
      };
    }
  ).system;
  const timers = Object.values(system.getSnapshot()._scheduledEvents)
    .map((t) => `${t.event.type}@${t.delay}`)
    .sort();
  const log = [...p.log];
  p.log.length = 0;
  return { status: snap.status, value: snap.value, log, timers };
}

function step(p: Probe, c: Command): void {
  const status = (p.actor.getSnapshot() as { status: string }).status;
  if (c.kind === "time") p.clock.increment(c.ms);
  else if (status === "active") p.actor.send({ type: c.name, arg: c.arg });
}

describe("the compiled form of every machine steps as its statechart", () => {
  for (const [id, forms] of Object.entries(machineForms)) {
    it(`${id}: same states, actions, guards and timers on random runs`, () => {
      fc.assert(
        fc.property(runArb(forms), (run) => {
          const a = probe(forms, run, "statechart");
          const b = probe(forms, run, "compiled");
          expect(observe(b)).toEqual(observe(a));
          run.commands.forEach((c, i) => {
            step(a, c);
            step(b, c);
            expect(observe(b), `after command ${i}: ${JSON.stringify(c)}`).toEqual(observe(a));
          });
        }),
        { numRuns: 300 },
      );
    });
  }

  it("walks every row of every table in these runs (the property is not vacuous)", () => {
    for (const [id, forms] of Object.entries(machineForms)) {
      const taken = new Set<string>();
      fc.assert(
        fc.property(runArb(forms), (run) => {
          const b = probe(forms, run, "compiled");
          const record = () => {
            for (const t of (b.actor.getSnapshot() as { taken: readonly string[] }).taken)
              taken.add(t);
          };
          record();
          // Watch every snapshot, so rows taken by timers and by echoed events count too.
          (b.actor as unknown as { subscribe(f: () => void): void }).subscribe(record);
          for (const c of run.commands) step(b, c);
        }),
        // A fixed seed: this checks the generator of runs, not the machines, so it must not flake.
        { numRuns: 500, seed: 20261207 },
      );
      const rows = forms.compiled.rows.map((r) => r.id);
      expect(
        rows.filter((r) => !taken.has(r)),
        id,
      ).toEqual([]);
    }
  });
});
