/**
 * The runner's command line: the usage text, the exit codes, and the parsing
 * of argv into a {@link Command}. Every mistake in the arguments becomes a
 * {@link UsageError} (exit 2, one line and the usage on stderr), never a
 * stack trace.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseHost } from "../harness/hosts.ts";
import { parseShard, type Shard } from "./shard.ts";

/** Exit codes of the runner (and of `merge`). */
export const EXIT = {
  /** Every result was as expected. */
  ok: 0,
  /** Some result was not: an unexpected fail or pass, or a flaky case. */
  failed: 1,
  /** The command line was wrong: unknown option, bad value, no case selected. */
  usage: 2,
  /** An IUT could not be started, or died and could not be restarted. */
  iut: 3,
} as const;

/** A mistake in the command line. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Print the usage text after the message. */
    readonly showUsage = true,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Cases at once by default. Most cases spend their time waiting on timers and
 * peers, not on the CPU, so twice the cores (at most 4) keeps a 2-core box busy
 * without starving the IUT; a failed case is re-run alone anyway.
 */
export const DEFAULT_JOBS = Math.min(4, 2 * availableParallelism());

export const USAGE = `usage: sp-conformance [options]            (in this repository: npm run conformance -- [options])
       sp-conformance merge DIR... [--report-dir DIR]
  --iut NAME|CMD        reference (default), nng, nanomsg, or an adapter command line
                        (run in the current directory); repeatable
  --iut-cat CLI         an nngcat-compatible CLI driven in cat mode (e.g. nngcat); repeatable
  --iut-host HOST       the IUT's address: its sockets listen there and the suite dials it
                        there (default: the host its adapter declares, else 127.0.0.1)
  --suite-host HOST     this machine's address as the IUT reaches it: the suite's peers
                        listen there and the IUT dials it (default: 127.0.0.1 for a
                        loopback IUT host, else the address of the route to the IUT)
  --jobs N              run N cases at once (default ${DEFAULT_JOBS}; 1 for the strictest timing)
  --shard i/n           run only the i-th of n deterministic slices of the cases (by case id)
  --repeat N            run everything N times; a verdict that changes is reported as flaky
  --report-dir DIR      where results.json, junit.xml and index.html go (default
                        ./reports/conformance/<iut>/, or .../matrix/ for several IUTs,
                        .../merged/ for merge; relative to the current directory)
  --seed N              seed for generated inputs (default: random, printed)
  --replay PATH         fast-check counterexample path to replay (with --seed)
  --filter GLOB         run the cases whose id, or an old id of theirs, matches
                        (* within a segment, ** across, ? one character; plain text
                        matches anywhere); repeatable: a case matching any filter runs
  --expectations FILE   your expected-failures file (format of conformance/expectations/
                        <iut>.json); it replaces the built-in file for every IUT
  --expectations IUT=FILE
                        the same for the IUT with that report name only (wins over a
                        plain FILE); repeatable
  --keep-transcripts    keep transcripts of passing cases too (for the HTML report)
  --list                list the selected cases and exit
  -h, --help            print this text and exit
exit status:
  0  every result as expected
  1  an unexpected fail or pass, or a flaky case (the recap lists them)
  2  usage error: unknown option, bad value, or no case matches the filters
  3  an IUT could not be started, or died and could not be restarted`;

/** Which expectations files the user gave (absolute paths). */
export interface ExpectationsArgs {
  /** `--expectations FILE`: for every IUT. */
  all?: string;
  /** `--expectations IUT=FILE`, by IUT report name. */
  byIut: Record<string, string>;
}

/** What the command line asks for. */
export type Command =
  | { kind: "help" }
  | { kind: "merge"; dirs: string[]; reportDir?: string }
  | {
      kind: "run";
      iuts: string[];
      catClis: string[];
      jobs: number;
      repeat: number;
      shard?: Shard;
      reportDir?: string;
      seed?: number;
      replay?: string;
      filters: string[];
      /** `--iut-host`, bare (no brackets). */
      iutHost?: string;
      /** `--suite-host`, bare (no brackets). */
      suiteHost?: string;
      expectations: ExpectationsArgs;
      keepTranscripts: boolean;
      list: boolean;
    };

const OPTIONS = {
  iut: { type: "string", multiple: true },
  "iut-cat": { type: "string", multiple: true },
  "iut-host": { type: "string" },
  "suite-host": { type: "string" },
  jobs: { type: "string" },
  shard: { type: "string" },
  repeat: { type: "string" },
  "report-dir": { type: "string" },
  seed: { type: "string" },
  replay: { type: "string" },
  filter: { type: "string", multiple: true },
  expectations: { type: "string", multiple: true },
  "keep-transcripts": { type: "boolean" },
  list: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Rewords node's parseArgs errors as one short line. */
function argError(e: unknown): UsageError {
  const code = (e as { code?: string }).code ?? "";
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return new UsageError(`unknown option ${option}`);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    return new UsageError(
      /argument missing/.test(message)
        ? `${option} needs a value`
        : `${option} takes no value (${message.split(".")[0]})`,
    );
  }
  return new UsageError(message.split("\n")[0] ?? message);
}

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} wants a positive integer, got '${text}'`);
  }
  return n;
}

function nonEmpty(text: string | undefined, flag: string): string | undefined {
  if (text !== undefined && text.trim() === "") throw new UsageError(`${flag} needs a value`);
  return text;
}

/** An IP literal (IPv6 with or without brackets) or a host name, returned bare. */
function host(text: string | undefined, flag: string): string | undefined {
  if (nonEmpty(text, flag) === undefined) return undefined;
  try {
    return parseHost(text as string);
  } catch (e) {
    throw new UsageError(`${flag}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Splits the `--expectations` values. `IUT=FILE` when the text before the
 * first `=` is a bare name (letters, digits, `.`, `+`, `_`, `-`; no path
 * separator); anything else is a FILE for every IUT. Files must exist.
 */
export function parseExpectationsArgs(values: readonly string[], cwd: string): ExpectationsArgs {
  const out: ExpectationsArgs = { byIut: {} };
  for (const value of values) {
    const m = /^([\w.+-]+)=(.+)$/.exec(value);
    const iut = m && !existsSync(resolve(cwd, value)) ? m[1] : undefined;
    const file = resolve(cwd, iut !== undefined ? (m?.[2] as string) : value);
    if (value.trim() === "") throw new UsageError("--expectations needs a file");
    if (!existsSync(file)) throw new UsageError(`--expectations: no such file ${file}`);
    if (iut === undefined) {
      if (out.all !== undefined) {
        throw new UsageError(
          "--expectations FILE given twice; use --expectations IUT=FILE to give one file per IUT",
        );
      }
      out.all = file;
    } else {
      if (out.byIut[iut] !== undefined) {
        throw new UsageError(`--expectations ${iut}=… given twice`);
      }
      out.byIut[iut] = file;
    }
  }
  return out;
}

/**
 * Parses the runner's arguments (without `node` and the script).
 * Throws {@link UsageError} on any mistake.
 *
 * @example
 * parseCommandLine(["--iut", "nng", "--filter", "pair/*", "--filter", "bus/*"], process.cwd());
 */
export function parseCommandLine(argv: readonly string[], cwd: string): Command {
  const parse = () => {
    try {
      return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw argError(e);
    }
  };
  const { values: v, positionals } = parse();
  if (v.help) return { kind: "help" };
  const reportDir = nonEmpty(v["report-dir"], "--report-dir");
  const resolvedReportDir = reportDir !== undefined ? { reportDir: resolve(cwd, reportDir) } : {};

  if (positionals[0] === "merge") {
    const runOnly = Object.keys(v).filter((k) => k !== "report-dir");
    if (runOnly.length > 0) {
      throw new UsageError(`merge takes only --report-dir, not --${runOnly[0]}`);
    }
    const dirs = positionals.slice(1);
    if (dirs.length === 0) throw new UsageError("merge wants at least one report directory");
    return { kind: "merge", dirs: dirs.map((d) => resolve(cwd, d)), ...resolvedReportDir };
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);

  let shard: Shard | undefined;
  if (v.shard !== undefined) {
    try {
      shard = parseShard(v.shard);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  let seed: number | undefined;
  if (v.seed !== undefined) {
    seed = Number(v.seed);
    if (!/^-?\d+$/.test(v.seed.trim()) || !Number.isSafeInteger(seed)) {
      throw new UsageError(`--seed wants an integer, got '${v.seed}'`);
    }
  }
  const filters = v.filter ?? [];
  if (filters.some((f) => f === "")) throw new UsageError("--filter needs a pattern");
  for (const iut of [...(v.iut ?? []), ...(v["iut-cat"] ?? [])]) {
    if (iut.trim() === "") throw new UsageError("--iut and --iut-cat need a name or a command");
  }
  const replay = nonEmpty(v.replay, "--replay");
  const iutHost = host(v["iut-host"], "--iut-host");
  const suiteHost = host(v["suite-host"], "--suite-host");
  return {
    kind: "run",
    iuts: v.iut ?? (v["iut-cat"] ? [] : ["reference"]),
    catClis: v["iut-cat"] ?? [],
    jobs: positiveInt(v.jobs, "--jobs", DEFAULT_JOBS),
    repeat: positiveInt(v.repeat, "--repeat", 1),
    ...(shard ? { shard } : {}),
    ...resolvedReportDir,
    ...(seed !== undefined ? { seed } : {}),
    ...(replay !== undefined ? { replay } : {}),
    filters,
    ...(iutHost !== undefined ? { iutHost } : {}),
    ...(suiteHost !== undefined ? { suiteHost } : {}),
    expectations: parseExpectationsArgs(v.expectations ?? [], cwd),
    keepTranscripts: v["keep-transcripts"] === true,
    list: v.list === true,
  };
}
