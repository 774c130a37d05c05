/**
 * Cat mode end to end: the runner drives nngcat and spcat as IUTs over every
 * case, and the run must end as its expectations say (exit status 0). Also:
 * no case without a cat plan may run, and nngcat must run at least
 * {@link MIN_RUN_NNGCAT} cases. The spcat run uses spcat bundled from the
 * current sources: cat mode starts one CLI per IUT socket, and a TypeScript
 * loader at every start (1-4 s on a loaded 2-core machine) would push
 * cases with three CLIs past their time bound.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCases } from "../../cases/index.ts";
import { type CaseRow, failsRun } from "../../runner/results.ts";
import { catName, MsgpackReader } from "./cat.ts";
import { portOfUrl } from "./proc.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Cases nngcat 1.5.2 runs (not `unsupported`) today; see the README, "Cat mode". */
const MIN_RUN_NNGCAT = 67;

type Row = CaseRow;

interface Run {
  status: number | null;
  output: string;
  iut: string;
  rows: Row[];
}

/** Runs the suite against `cli` in cat mode with two jobs; returns the exit status and results. */
function runCat(cli: string, dir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "conformance", "runner", "main.ts"),
        "--iut-cat",
        cli,
        "--jobs",
        "2",
        "--report-dir",
        dir,
      ],
      { cwd: root, env: { ...process.env, NO_COLOR: "1" } },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", reject);
    child.on("close", (status) => {
      const doc = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
        iuts: { name: string }[];
        cases: Row[];
      };
      resolve({ status, output, iut: doc.iuts[0]?.name ?? "", rows: doc.cases });
    });
  });
}

/**
 * The results that ran, and those that fail the run by the runner's own rule
 * (unexpected fail, flaky, unexpected pass), so that a failed run names them.
 */
function tally(run: Run) {
  const ran = run.rows.filter((r) => r.results[run.iut]?.verdict !== "unsupported");
  const wrong = run.rows.flatMap((r) => {
    const x = r.results[run.iut];
    if (!x || !failsRun(x, r.kind)) return [];
    return [`${r.id}: ${x.verdict} (expected ${x.expected}) ${x.reason ?? ""}`];
  });
  return { ran, wrong };
}

const planned = new Set(allCases.filter((c) => c.cat !== undefined).map((c) => c.id));

function unplannedRuns(run: Run): string[] {
  return tally(run)
    .ran.map((r) => r.id)
    .filter((id) => !planned.has(id));
}

describe("cat mode helpers", () => {
  it("splits --msgpack output into messages across chunk boundaries", () => {
    const r = new MsgpackReader();
    const big = Buffer.alloc(300, 7);
    const out = Buffer.concat([
      Buffer.from([0xc4, 2, 0x61, 0x62, 0xc4, 0]),
      Buffer.from([0xc5, 1, 44]),
      big,
    ]);
    const got = [
      ...r.push(out.subarray(0, 5)),
      ...r.push(out.subarray(5, 9)),
      ...r.push(out.subarray(9)),
    ];
    expect(got.map((m) => m.length)).toEqual([2, 0, 300]);
    expect(Buffer.from(got[0] as Uint8Array).toString()).toBe("ab");
    expect(() => new MsgpackReader().push(Buffer.from("not msgpack"))).toThrow(/not msgpack/);
  });

  it("finds the port of every TCP-based URL, TLS ones included", () => {
    expect(portOfUrl("tcp://127.0.0.1:5555")).toBe(5555);
    expect(portOfUrl("tls+tcp://[::1]:4433")).toBe(4433);
    expect(portOfUrl("wss://127.0.0.1:8443/sp")).toBe(8443);
    expect(portOfUrl("ipc:///tmp/x.sock")).toBeUndefined();
  });

  it("names the IUT after the tool", () => {
    expect(catName("nngcat")).toBe("cat-nngcat");
    expect(catName("node /tmp/x/spcat.js")).toBe("cat-spcat");
  });
});

const hasNngcat = spawnSync("nngcat", ["--version"]).status === 0;

describe.skipIf(!hasNngcat)("cat mode against nngcat", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cat-nngcat-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`runs at least ${MIN_RUN_NNGCAT} cases, each as expected`, async () => {
    const run = await runCat("nngcat", dir);
    const { ran, wrong } = tally(run);
    expect(wrong, run.output.slice(-4000)).toEqual([]);
    expect(run.status, run.output.slice(-4000)).toBe(0);
    expect(unplannedRuns(run)).toEqual([]);
    expect(ran.length).toBeGreaterThanOrEqual(MIN_RUN_NNGCAT);
  }, 240_000);
});

describe("cat mode against spcat", () => {
  let dir = "";
  let bundle = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cat-spcat-"));
    const built = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "spcat", "build.ts"), join(dir, "bin")],
      { cwd: root, encoding: "utf8" },
    );
    if (built.status !== 0) throw new Error(`spcat did not build: ${built.stderr}`);
    bundle = join(dir, "bin", "spcat.js");
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every planned case, each as expected", async () => {
    const run = await runCat(`node ${bundle}`, join(dir, "report"));
    const { ran, wrong } = tally(run);
    expect(run.iut).toBe("cat-spcat");
    expect(wrong, run.output.slice(-4000)).toEqual([]);
    expect(run.status, run.output.slice(-4000)).toBe(0);
    expect(unplannedRuns(run)).toEqual([]);
    expect(ran.length).toBeGreaterThanOrEqual(MIN_RUN_NNGCAT);
  }, 240_000);
});
