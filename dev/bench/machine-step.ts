/**
 * What one spec-machine actor costs per REQ round trip, in each form: the
 * statechart (`reqMachine`, xstate's interpreter) and the compiled form
 * (`reqCompiled`, what the reference runs). Each round trip is the three events
 * a REQ context's actor gets (`send` with the eventless `transmit` row,
 * `recv`, the matching `reply`) with actions that do nothing, so the figure is
 * the machine's own cost. Runs alternate between the forms; medians are printed.
 *
 *   npx tsx dev/bench/machine-step.ts [--trips N] [--runs K] [--json]
 */
import { createActor } from "xstate";
import {
  createReqLogic,
  createReqMachine,
  type ReqImplementation,
} from "../../spec/machines/req.ts";

interface Options {
  trips: number;
  runs: number;
  json: boolean;
}

function parse(argv: readonly string[]): Options {
  const o: Options = { trips: 200_000, runs: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--trips") o.trips = Number(argv[++i]);
    else if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--json") o.json = true;
    else throw new Error(`usage: machine-step.ts [--trips N] [--runs K] [--json]; unknown ${a}`);
  }
  return o;
}

const noop = () => {};
const impl: ReqImplementation = {
  actions: {
    newRequest: noop,
    failRecvState: noop,
    dropReply: noop,
    transmit: noop,
    cancelRequest: noop,
    awaitReply: noop,
    deliverReply: noop,
  },
  guards: { pipeAvailable: () => true, idMatches: () => true, carriedRequest: () => false },
  delays: { resendTime: 60_000 },
};

type Form = "statechart" | "compiled";

/** Nanoseconds per round trip over `trips` round trips. */
function measure(form: Form, trips: number): number {
  const logic = form === "statechart" ? createReqMachine(impl) : createReqLogic(impl);
  const actor = createActor(logic as ReturnType<typeof createReqLogic>).start();
  const send = { type: "send", arg: undefined } as const;
  const recv = { type: "recv", arg: undefined } as const;
  const reply = { type: "reply", arg: undefined } as const;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < trips; i++) {
    actor.send(send);
    actor.send(recv);
    actor.send(reply);
  }
  const ns = Number(process.hrtime.bigint() - t0) / trips;
  if (actor.getSnapshot().value !== "idle") throw new Error(`${form}: did not end in idle`);
  actor.stop();
  return ns;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

const o = parse(process.argv.slice(2));
// Warm-up: both forms, a tenth of the trips.
measure("statechart", Math.ceil(o.trips / 10));
measure("compiled", Math.ceil(o.trips / 10));
const runs: Record<Form, number[]> = { statechart: [], compiled: [] };
for (let r = 0; r < o.runs; r++) {
  runs.statechart.push(measure("statechart", o.trips));
  runs.compiled.push(measure("compiled", o.trips));
}
const result = {
  trips: o.trips,
  statechartNs: median(runs.statechart),
  compiledNs: median(runs.compiled),
  ratio: median(runs.statechart) / median(runs.compiled),
  runs,
};
if (o.json) console.log(JSON.stringify(result));
else {
  const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;
  console.log(`req round trip (send, recv, reply), ${o.trips} trips × ${o.runs} runs, median:`);
  console.log(
    `  statechart ${us(result.statechartNs)}  (runs: ${runs.statechart.map(us).join(", ")})`,
  );
  console.log(`  compiled   ${us(result.compiledNs)}  (runs: ${runs.compiled.map(us).join(", ")})`);
  console.log(`  statechart / compiled: ${result.ratio.toFixed(1)}×`);
}
