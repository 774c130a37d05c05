/**
 * The step of the GitHub Action (action.yml at the repository root) that runs
 * the suite. The action installs and builds the suite in its own checkout
 * (`$GITHUB_ACTION_PATH`), then starts this file with the checkout's tsx and
 * the action's inputs in `INPUT_*` variables (a composite action has to pass
 * them itself; action.yml maps each one in the step's `env`):
 *
 *   INPUT_IUT           adapter commands or built-in names, one per line (required)
 *   INPUT_IUT_CAT       nngcat-compatible CLIs for cat mode, one per line
 *   INPUT_FILTER        case globs separated by spaces or newlines, one --filter each
 *   INPUT_EXPECTATIONS  expectations files ([IUT=]FILE), one per line
 *   INPUT_REPORT_DIR    where the reports go (default reports/conformance)
 *
 * It runs the built runner (`conformance/dist/sp-conformance.js` of the
 * action's checkout) in the current directory (the workflow's workspace, so
 * adapter commands and paths are relative to the user's repository), copies
 * its output to the log, and exits with the runner's status: 0 all as
 * expected, 1 unexpected results, 2 usage error, 3 the IUT could not start.
 * It exits 2 itself when the inputs name no IUT or the suite is not built.
 *
 * For GitHub it writes the outputs `exit-code`, `report-dir` (absolute) and
 * `summary` (the runner's last line) to `$GITHUB_OUTPUT`, and a short table
 * to `$GITHUB_STEP_SUMMARY`, when those variables are set.
 *
 * `SP_CONFORMANCE_ENTRY` replaces the runner's entry point (a .js file, or a
 * .ts file that is then loaded through tsx); the tests use it to run the
 * suite from its sources.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The action inputs this script reads, as declared in action.yml. */
export const SCRIPT_INPUTS = ["iut", "iut-cat", "filter", "expectations", "report-dir"] as const;
export type ScriptInput = (typeof SCRIPT_INPUTS)[number];

/** The outputs this script writes, as declared in action.yml. */
export const SCRIPT_OUTPUTS = ["exit-code", "report-dir", "summary"] as const;
type ScriptOutput = (typeof SCRIPT_OUTPUTS)[number];

/** The report directory when the input is empty (the input's default in action.yml). */
export const DEFAULT_REPORT_DIR = "reports/conformance";

/** Exit status of the script for its own setup problems (same as a usage error of the runner). */
export const EXIT_SETUP = 2;

/** The environment variable that carries an input: `report-dir` → `INPUT_REPORT_DIR`. */
export function inputVariable(name: ScriptInput): string {
  return `INPUT_${name.replace(/[- ]/g, "_").toUpperCase()}`;
}

/** The inputs, split into the values they stand for. */
export interface ActionInputs {
  iuts: string[];
  catClis: string[];
  filters: string[];
  expectations: string[];
  reportDir: string;
}

/** Non-empty trimmed lines (a value that may hold spaces, such as a command). */
function lines(text: string | undefined): string[] {
  return (text ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** Words separated by any white space (globs never hold spaces). */
function words(text: string | undefined): string[] {
  return (text ?? "").split(/\s+/).filter((w) => w !== "");
}

/** Reads the inputs from `env` (INPUT_* variables). */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const get = (name: ScriptInput) => env[inputVariable(name)];
  return {
    iuts: lines(get("iut")),
    catClis: lines(get("iut-cat")),
    filters: words(get("filter")),
    expectations: lines(get("expectations")),
    reportDir: get("report-dir")?.trim() || DEFAULT_REPORT_DIR,
  };
}

/** The runner's arguments for these inputs; the report directory is always given. */
export function runnerArgs(inputs: ActionInputs): string[] {
  return [
    ...inputs.iuts.flatMap((iut) => ["--iut", iut]),
    ...inputs.catClis.flatMap((cli) => ["--iut-cat", cli]),
    ...inputs.filters.flatMap((glob) => ["--filter", glob]),
    ...inputs.expectations.flatMap((file) => ["--expectations", file]),
    "--report-dir",
    inputs.reportDir,
  ];
}

/** The action's checkout: two levels above this file. */
const actionRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The runner's entry point and the node options it needs. */
export function runnerEntry(
  env: NodeJS.ProcessEnv,
  cwd: string,
): { entry: string; node: string[] } {
  const override = env.SP_CONFORMANCE_ENTRY?.trim();
  const entry = override
    ? resolve(cwd, override)
    : join(actionRoot, "conformance", "dist", "sp-conformance.js");
  const node = entry.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [];
  return { entry, node };
}

/** Quotes an argument for the log line when it needs it. */
function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Prints a GitHub error annotation (workflow-command escaping of the message). */
function annotate(message: string): void {
  const escaped = message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  console.log(`::error title=sp-conformance::${escaped}`);
}

/** What each status means, for the step summary. */
const MEANING: Record<number, string> = {
  0: "every result as expected",
  1: "unexpected results (an unexpected fail or pass, or a flaky case)",
  2: "usage or setup error",
  3: "the IUT could not be started, or died and could not be restarted",
};

/** Appends `name=value` pairs to the file GitHub reads outputs from. */
function writeOutputs(env: NodeJS.ProcessEnv, values: Record<ScriptOutput, string>): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  const text = Object.entries(values)
    .map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, " ")}\n`)
    .join("");
  appendFileSync(file, text);
}

function writeSummary(
  env: NodeJS.ProcessEnv,
  code: number,
  lastLine: string,
  reportDir: string,
): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const text = [
    "### SP conformance",
    "",
    "| | |",
    "|---|---|",
    `| exit status | ${code}: ${MEANING[code] ?? "the runner stopped abnormally"} |`,
    `| result | \`${lastLine || "(no result line)"}\` |`,
    `| reports | \`${reportDir}\` (index.html, junit.xml, results.json; uploaded as an artifact) |`,
    "",
  ].join("\n");
  appendFileSync(file, text);
}

/** Runs the suite for the inputs in `env` from `cwd`; resolves to the exit status. */
export async function runAction(env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const inputs = readInputs(env);
  const reportDir = resolve(cwd, inputs.reportDir);
  const finish = (code: number, lastLine: string) => {
    writeOutputs(env, { "exit-code": String(code), "report-dir": reportDir, summary: lastLine });
    writeSummary(env, code, lastLine, reportDir);
    return code;
  };
  if (inputs.iuts.length === 0 && inputs.catClis.length === 0) {
    annotate("the input 'iut' is empty: name an adapter command, nng, nanomsg or reference");
    return finish(EXIT_SETUP, "");
  }
  const { entry, node } = runnerEntry(env, cwd);
  if (!existsSync(entry)) {
    annotate(
      `the suite is not built: ${entry} is missing (npm ci and npm run build -w sp-reference -w sp-conformance in ${actionRoot})`,
    );
    return finish(EXIT_SETUP, "");
  }
  const args = runnerArgs(inputs);
  console.log(`sp-conformance ${args.map(shellQuote).join(" ")}`);
  let lastLine = "";
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [...node, entry, ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    // Copy the output through and keep the runner's result line for the summary.
    let partial = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      process.stdout.write(chunk);
      const text = partial + chunk;
      const all = text.split("\n");
      partial = all.pop() ?? "";
      for (const line of all) if (line.startsWith("conformance: ")) lastLine = line.trim();
    });
    child.stdout.on("end", () => {
      if (partial.startsWith("conformance: ")) lastLine = partial.trim();
    });
    // A cancelled job stops the runner, which stops its adapters.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("error", (e) => {
      annotate(`cannot start node: ${e.message}`);
      done(EXIT_SETUP);
    });
    child.on("close", (status, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      done(status ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
  if (code !== 0) {
    annotate(
      `${lastLine || `the runner exited with status ${code}`} (exit status ${code}: ${MEANING[code] ?? "stopped abnormally"})`,
    );
  }
  return finish(code, lastLine);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await runAction(process.env, process.cwd());
}
