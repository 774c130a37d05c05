/**
 * What the runner prints while it runs and at the end.
 *
 * Not a terminal (CI logs, pipes): one plain line per (case, IUT) result, as
 * grep and log viewers like it, with the reason under every non-pass.
 * A terminal: one progress line redrawn in place (done/total, failures so
 * far, elapsed time, the last case), with only the results worth reading
 * printed above it; colour unless NO_COLOR is set.
 *
 * Either way the run ends with a recap of every result that needs a look
 * and the summary line (results.ts `lastLine`).
 */
import type { CaseOutcome } from "./execute.ts";
import type { RerunEvent, ResultEvent } from "./matrix.ts";
import { failsRun, type ReportVerdict, type Results } from "./results.ts";

/** Where the console writes; `process.stdout` in the runner. */
export interface ConsoleStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Does this stream get the live progress line, and colour? */
export function consoleMode(
  stream: ConsoleStream,
  env: Readonly<Record<string, string | undefined>>,
): { live: boolean; color: boolean } {
  const live = stream.isTTY === true;
  // no-color.org: NO_COLOR set to any non-empty value turns colour off.
  return { live, color: live && !env.NO_COLOR };
}

const LABEL: Record<ReportVerdict, string> = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  info: "INFO",
  unsupported: "UNSUP",
  flaky: "FLAKY",
};

const SGR: Record<ReportVerdict, string> = {
  pass: "32",
  fail: "31",
  warn: "33",
  info: "36",
  unsupported: "2",
  flaky: "35",
};

/** The colour of a result that fails the run: bold red, or bold magenta for flaky. */
function alarm(verdict: ReportVerdict): string {
  return verdict === "flaky" ? "1;35" : "1;31";
}

/** Wraps `text` in an ANSI colour when `on`. */
function paint(on: boolean, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}

function tail(text: string, lines: number): string {
  const all = text.split("\n");
  return (all.length > lines ? [`… (${all.length - lines} earlier lines in results.json)`] : [])
    .concat(all.slice(-lines))
    .join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
}

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The console of one run: result lines, the live progress line, the end. */
export class RunConsole {
  private done = 0;
  private failing = 0;
  private last = "";
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly stream: ConsoleStream,
    private readonly mode: { live: boolean; color: boolean },
    /** Results expected in all: cases × IUTs × repetitions. */
    private readonly total: number,
  ) {}

  /** Starts redrawing the progress line every second (live mode only). */
  start(): void {
    if (!this.mode.live) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  /** Removes the progress line; later output is plain lines. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** Prints a line that stays (above the progress line, when there is one). */
  line(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    if (this.timer) this.draw();
  }

  /** One finished (case, IUT, repetition). */
  result(e: ResultEvent): void {
    this.done++;
    const bad = failsRun({ verdict: e.verdict, expected: e.expected, durationMs: 0 }, e.case.kind);
    if (bad) this.failing++;
    this.last = `${e.multi ? `${e.iut} ` : ""}${e.case.id}`;
    const quiet = !bad && (e.verdict === "pass" || e.verdict === "unsupported");
    if (this.mode.live && quiet) {
      this.draw();
      return;
    }
    for (const l of this.resultLines(e, bad)) this.line(l);
  }

  /** An unexpected failure set aside for a re-run alone. */
  rerun(e: RerunEvent): void {
    const who = `${e.multi ? `${e.iut} ` : ""}${e.case.id}`;
    if (this.mode.live) {
      this.last = `${who} (failed; will run it again alone)`;
      this.draw();
    } else {
      this.line(`rerun ${who}: failed (${e.reason}); running it again alone`);
    }
  }

  private resultLines(e: ResultEvent, bad: boolean): string[] {
    const { verdict, expected, outcome: o } = e;
    const mark =
      verdict !== "pass" && verdict === expected
        ? "  (expected)"
        : verdict !== expected && expected !== "pass"
          ? `  (expected ${expected})`
          : "";
    const label = paint(
      this.mode.color,
      bad ? alarm(verdict) : SGR[verdict],
      LABEL[verdict].padEnd(6),
    );
    const who = e.multi ? `${e.iut.padEnd(10)} ` : "";
    const tag = e.repeat > 1 ? `  [run ${e.rep + 1}/${e.repeat}]` : "";
    const alone = verdict === "flaky" ? `  (failed, then ${o.verdict} when run alone)` : "";
    const out = [
      `${label}${who}${e.case.id}  (${o.durationMs} ms)  ${e.case.requirements.join(" ")}${mark}${tag}${alone}`,
    ];
    if (verdict === "fail" && expected !== "fail") {
      out.push(...details(o));
    } else if (verdict === "flaky" && e.firstRun) {
      // The first failure is what needs fixing in the suite: show it in full.
      out.push(indent(`first run: ${e.firstRun.reason ?? ""}`));
      if (e.firstRun.transcript) out.push(indent(tail(e.firstRun.transcript, 30)));
    } else if (verdict !== "pass" && o.reason) {
      out.push(indent(o.reason));
    }
    return out;
  }

  private clear(): void {
    if (this.shown) this.stream.write("\r\x1b[2K");
    this.shown = false;
  }

  private draw(): void {
    if (!this.mode.live) return;
    const count = `${String(this.done).padStart(String(this.total).length)}/${this.total}`;
    const failed = `${this.failing} failed`;
    const time = clock(performance.now() - this.started);
    const red = this.failing > 0 ? paint(this.mode.color, "1;31", failed) : failed;
    const head = `${count}  ${red}  ${time}`;
    const width = Math.max(20, (this.stream.columns || 100) - 1);
    // Colour codes take no columns: measure the plain text.
    const room = width - `${count}  ${failed}  ${time}`.length - 2;
    const last = this.last.length > room ? `…${this.last.slice(-(room - 1))}` : this.last;
    this.stream.write(`\r\x1b[2K${head}${room > 1 && last ? `  ${last}` : ""}`);
    this.shown = true;
  }
}

function details(o: CaseOutcome): string[] {
  const out = [indent(o.reason ?? "")];
  if (o.transcript) out.push(indent(tail(o.transcript, 30)));
  if (o.stderr) out.push(indent(`IUT stderr:\n${tail(o.stderr, 15)}`));
  return out;
}

/**
 * The end-of-run recap: the failures the expectations list, then every
 * result that fails the run (unexpected fail, flaky, unexpected pass), each
 * with its IUT, case id and the first line of its reason. What fails the run
 * comes last, next to the summary line, so that the tail of a CI log shows
 * it however many known failures precede it. Empty when there is nothing to
 * list.
 */
export function recap(results: Results, color = false): string[] {
  const failing: string[] = [];
  const known: string[] = [];
  const multi = results.iuts.length > 1;
  for (const row of results.cases) {
    for (const [iut, r] of Object.entries(row.results)) {
      const who = `${multi ? `${iut} ` : ""}${row.id}`;
      if (failsRun(r, row.kind)) {
        const what =
          r.verdict === "pass" ? "UNEXPECTED PASS" : r.verdict === "flaky" ? "FLAKY" : "FAIL";
        const why =
          r.verdict === "pass" ? `passed, but the expectations say ${r.expected}` : r.reason;
        failing.push(
          `  ${paint(color, alarm(r.verdict), what)} ${who}: ${firstLine(why) || "(no reason given)"}`,
        );
      } else if (r.verdict === "fail") {
        known.push(`  ${paint(color, "31", "FAIL")} ${who} (expected): ${firstLine(r.reason)}`);
      }
    }
  }
  const out: string[] = [];
  if (known.length > 0) out.push(`expected failures (${known.length}):`, ...known);
  if (failing.length > 0) out.push(`failing the run (${failing.length}):`, ...failing);
  return out;
}
