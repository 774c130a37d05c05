/**
 * Static checks of the CI files: action.yml against the inputs and outputs
 * run.ts uses, the example workflow against action.yml and the README, and
 * the Dockerfile against the peer list and the workspaces. Nothing is run:
 * there is no GitHub runner and no Docker daemon here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_REPORT_DIR, inputVariable, SCRIPT_INPUTS, SCRIPT_OUTPUTS } from "./run.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  "working-directory"?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}

const actionText = read("action.yml");
const action = parse(actionText) as ActionYml;
const steps = action.runs.steps;
const runStep = steps.find((s) => s.id === "run");
/** The peer packages and openssl: what the suite needs from the archive. */
const PEERS = ["libnng-dev", "nng-utils", "libnanomsg-dev", "nanomsg-utils", "openssl"];

/** `${{ inputs.name }}` → name (or undefined when the value is anything else). */
function inputOf(value: string): string | undefined {
  return /^\$\{\{\s*inputs\.([\w-]+)\s*\}\}$/.exec(value.trim())?.[1];
}

describe("action.yml", () => {
  it("is a composite action whose run step runs run.ts with the checkout's tsx", () => {
    expect(action.runs.using).toBe("composite");
    expect(runStep?.run).toContain("$GITHUB_ACTION_PATH/node_modules/.bin/tsx");
    expect(runStep?.run).toContain("$GITHUB_ACTION_PATH/conformance/action/run.ts");
    expect(existsSync(join(ROOT, "conformance/action/run.ts"))).toBe(true);
    for (const step of steps.filter((s) => s.run !== undefined)) {
      expect(step.shell, step.name).toBe("bash");
    }
  });

  it("declares every input the script reads, and the script reads its inputs from the run step's env", () => {
    const env = runStep?.env ?? {};
    const mapped = Object.entries(env).flatMap(([k, v]) => {
      const input = inputOf(v);
      return input === undefined ? [] : [[k, input] as const];
    });
    expect(mapped.map(([, input]) => input).sort()).toEqual([...SCRIPT_INPUTS].sort());
    for (const [variable, input] of mapped) {
      expect(input in action.inputs, input).toBe(true);
      expect(variable).toBe(inputVariable(input as (typeof SCRIPT_INPUTS)[number]));
    }
  });

  it("uses every declared input, and declares every input it uses", () => {
    const used = new Set([...actionText.matchAll(/\binputs\.([\w-]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  it("has the inputs of the brief with their defaults", () => {
    expect(action.inputs.iut?.required).toBe(true);
    expect(action.inputs["report-dir"]?.default).toBe(DEFAULT_REPORT_DIR);
    expect(action.inputs["node-version"]?.default).toBe("20");
    expect(action.inputs["install-peers"]?.default).toBe("true");
    for (const name of ["iut-cat", "filter", "expectations"]) {
      expect(action.inputs[name]?.required, name).toBe(false);
    }
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description.length, name).toBeGreaterThan(10);
    }
  });

  it("declares the outputs the script writes, taken from the run step", () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...SCRIPT_OUTPUTS].sort());
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.value.replace(/\s/g, "")).toBe(`\${{steps.run.outputs.${name}}}`);
    }
  });

  it("sets up node, installs the peers only when asked, builds the suite in its own checkout", () => {
    const setup = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(inputOf(setup?.with?.["node-version"] ?? "")).toBe("node-version");
    const peers = steps.find((s) => s.run?.includes("install-peers.sh"));
    expect(peers?.if?.replace(/\s/g, "")).toBe("inputs.install-peers=='true'");
    const build = steps.find((s) => s.run?.includes("npm ci"));
    expect(build?.["working-directory"]).toMatch(/^\$\{\{\s*github\.action_path\s*\}\}$/);
    expect(build?.run).toMatch(/npm run build -w sp-reference -w sp-conformance/);
    const order = [setup, peers, build, runStep].map((s) => steps.indexOf(s as Step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("always uploads the report directory after the run step", () => {
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.if).toMatch(/always\(\)/);
    expect(upload?.with?.path).toMatch(/steps\.run\.outputs\.report-dir/);
    expect(upload?.with?.path).toMatch(/inputs\.report-dir/);
    expect(steps.indexOf(upload as Step)).toBeGreaterThan(steps.indexOf(runStep as Step));
  });
});

describe("install-peers.sh and the Dockerfile", () => {
  const script = read("conformance/action/install-peers.sh");
  const scriptPackages = /PACKAGES=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean);
  const dockerfile = read("conformance/Dockerfile");
  const aptLine = /apt-get install[^\n]*\\\n([^\n]*)/.exec(dockerfile)?.[1] ?? "";
  const dockerPackages = aptLine.replace(/\\$/, "").trim().split(/\s+/);

  it("both install the four peer packages, openssl and a C compiler", () => {
    for (const pkg of PEERS) {
      expect(scriptPackages, pkg).toContain(pkg);
      expect(dockerPackages, pkg).toContain(pkg);
    }
    expect(scriptPackages).toContain("gcc");
    expect(dockerPackages).toContain("build-essential");
    expect(dockerPackages).toContain("pkg-config");
    expect(scriptPackages).toContain("pkg-config");
  });

  it("the image starts from node 20 on Debian, copies every workspace manifest and runs sp-conformance", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    const workspaces = (JSON.parse(read("package.json")) as { workspaces: string[] }).workspaces;
    for (const ws of workspaces) {
      expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
    }
    expect(dockerfile).toMatch(/^ENTRYPOINT \[.*"sp-conformance"\]$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/work$/m);
  });

  it("the build context leaves out node_modules, builds and git", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const pattern of [".git", "**/node_modules", "**/dist", ".cache", "reports"]) {
      expect(ignored, pattern).toContain(pattern);
    }
  });
});

describe("the example workflow", () => {
  const text = read(".github/workflows/example-conformance.yml");
  const workflow = parse(text) as { jobs: Record<string, { steps: Step[] }> };

  it("uses the action with declared inputs only, iut among them", () => {
    const uses = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .filter((s) => s.uses?.endsWith("@v0"));
    expect(uses.length).toBe(1);
    const inputs = Object.keys(uses[0]?.with ?? {});
    expect(inputs).toContain("iut");
    for (const name of inputs) expect(name in action.inputs, name).toBe(true);
  });

  it("runs the Docker image the way conformance/README.md documents it", () => {
    expect(text).toContain("docker build -f .sp-suite/conformance/Dockerfile");
    expect(text).toMatch(/docker run --rm -v "\$PWD:\/work"/);
  });

  it("is quoted verbatim in conformance/README.md", () => {
    const readme = read("conformance/README.md");
    expect(readme).toContain("## In CI: GitHub Action, Docker");
    expect(readme).toContain(`\`\`\`yaml\n${text.trimEnd()}\n\`\`\``);
  });
});
