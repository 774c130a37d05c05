/**
 * Runs a set of cases against several IUTs: `jobs` workers take (case, IUT)
 * tasks from one queue, each worker with its own adapter process per IUT (a
 * case opens fresh sockets, so cases of one IUT may run side by side). A case
 * that fails unexpectedly is re-run once alone; if it then passes it is
 * `flaky`, a problem of the suite rather than of the IUT. With `repeat` > 1
 * every task runs that many times and a verdict that changes is `flaky` too.
 */
import type { Iut } from "../adapters/iut.ts";
import type { ConformanceCase, Verdict } from "../cases/types.ts";
import type { Hosts } from "../harness/hosts.ts";
import { type CaseOutcome, executeCase } from "./execute.ts";
import type { CaseResult, ReportVerdict } from "./results.ts";

/** An IUT to run: how to start one more instance of it. */
export interface IutSource {
  /** What the user asked for (`nng`, a command line, `cat:nngcat`). */
  label: string;
  /** Report name known before start (`reference`), or null to use the `hello` name. */
  name: string | null;
  start(): Promise<Iut>;
}

/** Options of {@link runMatrix}. */
export interface MatrixOptions {
  jobs: number;
  repeat: number;
  seed: number;
  replayPath?: string;
  keepTranscripts: boolean;
  /** Expected verdict of a case for an IUT (from its expectations file). */
  expected(iut: string, caseId: string): Verdict;
  /** Called once per finished (case, IUT, repetition), after any re-run. */
  onResult(event: ResultEvent): void;
  /** Called when an unexpected failure is set aside to be run again alone. */
  onRerun?(event: RerunEvent): void;
}

/** One finished (case, IUT, repetition). */
export interface ResultEvent {
  case: ConformanceCase;
  iut: string;
  /** More than one IUT in the run. */
  multi: boolean;
  verdict: ReportVerdict;
  expected: Verdict;
  /** The execution the verdict is about (for `flaky`, the one that did not fail). */
  outcome: CaseOutcome;
  /** For `flaky`: the execution that failed first. */
  firstRun?: CaseOutcome;
  /** 0-based repetition and their number (`--repeat`). */
  rep: number;
  repeat: number;
}

/** An unexpected failure that will be run again alone. */
export interface RerunEvent {
  case: ConformanceCase;
  iut: string;
  multi: boolean;
  reason: string;
}

/** An IUT could not be started, or not restarted after it died: the run cannot go on. */
export class IutStartError extends Error {
  constructor(
    readonly label: string,
    readonly detail: string,
    /** It had run, died, and did not come back. */
    readonly died = false,
  ) {
    super(
      died
        ? `the IUT ${label} died and could not be restarted: ${detail}`
        : `could not start the IUT ${label}: ${detail}`,
    );
    this.name = "IutStartError";
  }
}

/** Turns whatever `start()` threw into a message (with the adapter's stderr, when known). */
function startFailure(e: unknown): string {
  const stderr = e instanceof Error && "stderr" in e ? String(e.stderr).trim() : "";
  return `${e instanceof Error ? e.message : String(e)}${stderr ? `\n${stderr}` : ""}`;
}

/** The IUTs as they answered `hello`, under their report names. */
export interface StartedIut {
  name: string;
  version: string;
  source: IutSource;
  /** Where it and the suite are (runner/hosts.ts); absent: both on 127.0.0.1. */
  hosts?: Hosts;
}

/** Everything {@link runMatrix} found. */
export interface MatrixResult {
  iuts: StartedIut[];
  /** results[caseId][iutName]: every (case, IUT) that ran, all of them unless `stopped`. */
  results: Map<string, Map<string, CaseResult>>;
  /** Set when an IUT could not be (re)started and the run stopped early. */
  stopped?: IutStartError;
}

/** One worker's IUT instances, started on first use and restarted after a death. */
class Instances {
  private readonly live = new Map<number, Iut>();
  constructor(
    private readonly sources: readonly IutSource[],
    initial?: Iut[],
  ) {
    initial?.forEach((iut, i) => {
      this.live.set(i, iut);
    });
  }

  async get(i: number): Promise<Iut> {
    const have = this.live.get(i);
    if (have && !have.dead) return have;
    const source = this.sources[i];
    if (!source) throw new Error(`no IUT #${i}`);
    let iut: Iut;
    try {
      iut = await source.start();
    } catch (e) {
      throw new IutStartError(source.label, startFailure(e), have !== undefined);
    }
    this.live.set(i, iut);
    return iut;
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.live.values()].map((iut) => iut.shutdown()));
  }
}

function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted.replace(/[^\w.+-]+/g, "-") || "custom";
  for (let n = 2; taken.has(name); n++) name = `${wanted}-${n}`;
  taken.add(name);
  return name;
}

/**
 * Starts one instance of every source (for names and versions); throws an
 * {@link IutStartError} when one cannot start (after stopping the others).
 */
export async function startIuts(sources: readonly IutSource[]): Promise<{
  iuts: StartedIut[];
  first: Iut[];
}> {
  const first: Iut[] = [];
  const iuts: StartedIut[] = [];
  const taken = new Set<string>();
  for (const source of sources) {
    let iut: Iut;
    try {
      iut = await source.start();
    } catch (e) {
      await Promise.allSettled(first.map((x) => x.shutdown()));
      throw new IutStartError(source.label, startFailure(e));
    }
    first.push(iut);
    iuts.push({
      name: uniqueName(source.name ?? iut.info.name, taken),
      version: iut.info.version,
      source,
    });
  }
  return { iuts, first };
}

interface Task {
  c: ConformanceCase;
  iut: number;
}

/** Runs every case against every IUT. */
export async function runMatrix(
  cases: readonly ConformanceCase[],
  started: { iuts: StartedIut[]; first: Iut[] },
  opts: MatrixOptions,
): Promise<MatrixResult> {
  const { iuts } = started;
  const sources = iuts.map((i) => i.source);
  const jobs = Math.max(1, Math.floor(opts.jobs));
  const workers = Array.from(
    { length: jobs },
    (_, w) => new Instances(sources, w === 0 ? started.first : undefined),
  );
  const exec = { seed: opts.seed, keepTranscripts: opts.keepTranscripts } as const;
  const execOpts =
    opts.replayPath !== undefined ? { ...exec, replayPath: opts.replayPath } : { ...exec };
  const optsFor = (t: Task) => {
    const hosts = iuts[t.iut]?.hosts;
    return hosts ? { ...execOpts, hosts } : execOpts;
  };
  const multi = iuts.length > 1;
  // runs[caseId][iut] = one list of executions per repetition
  const runs = new Map<string, CaseOutcome[][][]>();
  const key = (t: Task) => t.c.id;

  const report = (
    t: Task,
    rep: number,
    o: CaseOutcome,
    verdict: ReportVerdict,
    firstRun?: CaseOutcome,
  ) => {
    const iut = (iuts[t.iut] as StartedIut).name;
    opts.onResult({
      case: t.c,
      iut,
      multi,
      verdict,
      expected: opts.expected(iut, t.c.id),
      outcome: o,
      ...(firstRun ? { firstRun } : {}),
      rep,
      repeat: opts.repeat,
    });
  };

  // The first IUT that cannot be (re)started stops the run: every worker
  // finishes its current case and takes no more.
  let stopped: IutStartError | undefined;
  try {
    for (let rep = 0; rep < opts.repeat && !stopped; rep++) {
      const queue: Task[] = cases.flatMap((c) => iuts.map((_, iut) => ({ c, iut })));
      const record = (t: Task, o: CaseOutcome) => {
        const perCase = runs.get(key(t)) ?? iuts.map(() => [] as CaseOutcome[][]);
        runs.set(key(t), perCase);
        const perIut = perCase[t.iut] as CaseOutcome[][];
        perIut[rep] = [...(perIut[rep] ?? []), o];
      };
      const instance = async (w: Instances, t: Task): Promise<Iut | undefined> => {
        try {
          return await w.get(t.iut);
        } catch (e) {
          if (!(e instanceof IutStartError)) throw e;
          stopped ??= e;
          queue.length = 0;
          return undefined;
        }
      };
      const failedAlone: Task[] = [];
      await Promise.all(
        workers.map(async (w) => {
          for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
            const iut = await instance(w, t);
            if (!iut) return;
            const o = await executeCase(t.c, iut, optsFor(t));
            record(t, o);
            const name = (iuts[t.iut] as StartedIut).name;
            if (o.verdict === "fail" && opts.expected(name, t.c.id) !== "fail") {
              opts.onRerun?.({ case: t.c, iut: name, multi, reason: firstLine(o.reason) });
              failedAlone.push(t);
            } else report(t, rep, o, o.verdict);
          }
        }),
      );
      // Flaky detection: every unexpected failure once more, alone.
      const solo = workers[0] as Instances;
      for (const t of failedAlone) {
        if (stopped) break;
        const iut = await instance(solo, t);
        if (!iut) break;
        const o = await executeCase(t.c, iut, optsFor(t));
        record(t, o);
        const first = runs.get(key(t))?.[t.iut]?.[rep]?.[0] as CaseOutcome;
        if (o.verdict === "fail") report(t, rep, first, "fail");
        else report(t, rep, o, "flaky", first);
      }
    }
  } finally {
    await Promise.allSettled(workers.map((w) => w.shutdown()));
  }
  // A stopped run still returns what ran, so that its reports can be written.
  const results = new Map<string, Map<string, CaseResult>>();
  for (const c of cases) {
    const perIut = new Map<string, CaseResult>();
    runs.get(c.id)?.forEach((reps, i) => {
      const iut = iuts[i] as StartedIut;
      perIut.set(iut.name, aggregate(reps, opts.expected(iut.name, c.id)));
    });
    results.set(c.id, perIut);
  }
  return stopped ? { iuts, results, stopped } : { iuts, results };
}

/** Folds the executions of one (case, IUT) into its reported result. */
export function aggregate(reps: CaseOutcome[][], expected: Verdict): CaseResult {
  const all = reps.flat();
  const verdicts = all.map((o) => o.verdict);
  const perRep = reps.map((r) => r[r.length - 1]?.verdict);
  const retriedOk = reps.some((r) => r.length > 1 && r[r.length - 1]?.verdict !== "fail");
  const changed = new Set(perRep).size > 1;
  // A re-run that failed again leaves "fail" as the repetition's last verdict.
  const verdict: ReportVerdict = retriedOk || changed ? "flaky" : (perRep[0] ?? "fail");
  // Details come from the first execution that did not pass (the interesting one).
  const shown = all.find((o) => o.verdict !== "pass") ?? (all[0] as CaseOutcome);
  const reason =
    verdict === "flaky"
      ? `verdicts changed between runs (${verdicts.join(", ")})${shown.reason ? `; the failing run said: ${shown.reason}` : ""}`
      : shown.reason;
  return {
    verdict,
    expected,
    durationMs: shown.durationMs,
    ...(reason !== undefined ? { reason } : {}),
    ...(shown.notes.length > 0 ? { notes: shown.notes } : {}),
    ...(shown.transcript !== undefined ? { transcript: shown.transcript } : {}),
    ...(shown.events !== undefined ? { events: shown.events } : {}),
    ...(shown.stderr !== undefined ? { stderr: shown.stderr } : {}),
    ...(all.length > 1 ? { runs: verdicts } : {}),
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}
