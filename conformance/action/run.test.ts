/**
 * The action's run step (run.ts) as the action starts it: the checkout's tsx,
 * the inputs in INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files, the workflow's workspace as the current directory (a temporary
 * folder here). The runner is the repository's own, from its sources
 * (SP_CONFORMANCE_ENTRY), against the reference IUT.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPORT_DIR, inputVariable, readInputs, runnerArgs, SCRIPT_INPUTS } from "./run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, "conformance", "action", "run.ts");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const RUNNER_SOURCES = join(ROOT, "conformance", "runner", "main.ts");
const REPORT_FILES = ["index.html", "junit.xml", "results.json"];

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  workspace: string;
  /** GITHUB_OUTPUT as name → value. */
  outputs: Record<string, string>;
  stepSummary: string;
}

/** Runs the step with these inputs in a fresh workspace; `files` are written there first. */
function runStep(
  inputs: Record<string, string>,
  options: { files?: Record<string, string>; entry?: string } = {},
): Promise<StepResult> {
  const workspace = mkdtempSync(join(tmpdir(), "sp-action-"));
  workspaces.push(workspace);
  for (const [name, text] of Object.entries(options.files ?? {})) {
    writeFileSync(join(workspace, name), text);
  }
  const outputFile = join(workspace, ".github-output");
  const summaryFile = join(workspace, ".github-step-summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("INPUT_") && !k.startsWith("GITHUB_")) env[k] = v;
  }
  Object.assign(env, inputs, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    SP_CONFORMANCE_ENTRY: options.entry ?? RUNNER_SOURCES,
    NO_COLOR: "1",
  });
  return new Promise((done) => {
    execFile(
      TSX,
      [SCRIPT],
      { cwd: workspace, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        const outputs: Record<string, string> = {};
        for (const line of readFileSync(outputFile, "utf8").split("\n")) {
          const eq = line.indexOf("=");
          if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
        }
        const stepSummary = readFileSync(summaryFile, "utf8");
        done({ code, stdout, stderr, workspace, outputs, stepSummary });
      },
    );
  });
}

function show(r: StepResult): string {
  return `code=${r.code}\nstdout=${r.stdout.slice(-3000)}\nstderr=${r.stderr.slice(-3000)}`;
}

interface ResultsJson {
  cases: { id: string; results: Record<string, { verdict: string; expected: string }> }[];
}

describe("inputs → runner arguments", () => {
  it("splits filters on spaces and newlines, IUT commands and expectations on newlines only", () => {
    const inputs = readInputs({
      INPUT_IUT: "python3 my_adapter.py --fast\n  nng \n",
      INPUT_IUT_CAT: "",
      INPUT_FILTER: " reqrep/* pair/pair0-*\n\tbus/**  \n",
      INPUT_EXPECTATIONS: "my expectations.json\nnng=nng.json",
      INPUT_REPORT_DIR: "out/sp",
    });
    expect(runnerArgs(inputs)).toEqual([
      "--iut",
      "python3 my_adapter.py --fast",
      "--iut",
      "nng",
      "--filter",
      "reqrep/*",
      "--filter",
      "pair/pair0-*",
      "--filter",
      "bus/**",
      "--expectations",
      "my expectations.json",
      "--expectations",
      "nng=nng.json",
      "--report-dir",
      "out/sp",
    ]);
  });

  it("always names the report directory, the action's default when the input is empty", () => {
    const args = runnerArgs(readInputs({ INPUT_IUT: "reference", INPUT_REPORT_DIR: "  " }));
    expect(args).toEqual(["--iut", "reference", "--report-dir", DEFAULT_REPORT_DIR]);
    expect(runnerArgs(readInputs({ INPUT_IUT_CAT: "nngcat" }))).toEqual([
      "--iut-cat",
      "nngcat",
      "--report-dir",
      DEFAULT_REPORT_DIR,
    ]);
  });

  it("names the variables the GitHub way, with underscores", () => {
    expect(SCRIPT_INPUTS.map(inputVariable)).toEqual([
      "INPUT_IUT",
      "INPUT_IUT_CAT",
      "INPUT_FILTER",
      "INPUT_EXPECTATIONS",
      "INPUT_REPORT_DIR",
    ]);
  });
});

// Each run starts tsx twice and the reference adapter: slow on a loaded machine.
describe.concurrent("the action's step against the suite of this repository", {
  timeout: 120_000,
}, () => {
  it("runs the two filtered cases, exits 0 and leaves the reports where the upload looks", async () => {
    const r = await runStep({
      INPUT_IUT: "reference",
      INPUT_FILTER: "pair/pair0-order pair/pair1-order",
      INPUT_REPORT_DIR: DEFAULT_REPORT_DIR,
    });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toContain(
      "sp-conformance --iut reference --filter pair/pair0-order --filter pair/pair1-order --report-dir reports/conformance",
    );
    expect(r.stdout).toMatch(/^conformance: 2 passed, 0 failed, 0 warn, 0 info, 0 unsupported$/m);
    const reportDir = join(r.workspace, DEFAULT_REPORT_DIR);
    for (const file of REPORT_FILES) expect(existsSync(join(reportDir, file)), file).toBe(true);
    const results = JSON.parse(
      readFileSync(join(reportDir, "results.json"), "utf8"),
    ) as ResultsJson;
    expect(results.cases.map((c) => c.id).sort()).toEqual(["pair/pair0-order", "pair/pair1-order"]);
    expect(results.cases.map((c) => c.results.reference?.verdict)).toEqual(["pass", "pass"]);
    expect(readFileSync(join(reportDir, "junit.xml"), "utf8")).toContain('name="pair/pair1-order"');
    expect(r.outputs).toEqual({
      "exit-code": "0",
      "report-dir": reportDir,
      summary: "conformance: 2 passed, 0 failed, 0 warn, 0 info, 0 unsupported",
    });
    expect(r.stepSummary).toContain("0: every result as expected");
  });

  it("passes a usage error through as 2 (a filter that matches no case)", async () => {
    const r = await runStep({ INPUT_IUT: "reference", INPUT_FILTER: "no-such-family/nothing-*" });
    expect(r.code, show(r)).toBe(2);
    expect(r.stderr).toMatch(/no case/i);
    expect(r.outputs["exit-code"]).toBe("2");
    expect(r.stdout).toContain("::error title=sp-conformance::");
  });

  it("passes 1 through when the expectations make a pass unexpected, and still writes the reports", async () => {
    const expectations = {
      iut: "reference",
      cases: { "pair/pair0-order": { verdict: "fail", reason: "pretend it is broken" } },
    };
    const r = await runStep(
      {
        INPUT_IUT: "reference",
        INPUT_FILTER: "pair/pair0-order",
        INPUT_EXPECTATIONS: "my-expectations.json",
        INPUT_REPORT_DIR: "out/conformance",
      },
      { files: { "my-expectations.json": JSON.stringify(expectations) } },
    );
    expect(r.code, show(r)).toBe(1);
    expect(r.outputs.summary).toMatch(/^conformance: 0 passed, 1 failed/);
    expect(r.stdout).toMatch(/unexpected pass: 1/);
    expect(r.outputs["report-dir"]).toBe(join(r.workspace, "out", "conformance"));
    for (const file of REPORT_FILES) {
      expect(existsSync(join(r.workspace, "out", "conformance", file)), file).toBe(true);
    }
  });

  it("exits 2 without starting the runner when no IUT is given, or the suite is not built", async () => {
    const empty = await runStep({ INPUT_IUT: " \n ", INPUT_FILTER: "pair/*" });
    expect(empty.code, show(empty)).toBe(2);
    expect(empty.stdout).toContain("input 'iut' is empty");
    expect(empty.outputs["exit-code"]).toBe("2");
    const unbuilt = await runStep({ INPUT_IUT: "reference" }, { entry: "dist/missing.js" });
    expect(unbuilt.code, show(unbuilt)).toBe(2);
    expect(unbuilt.stdout).toContain("the suite is not built");
  });
});
