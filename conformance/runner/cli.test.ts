import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, parseCommandLine, UsageError } from "./cli.ts";
import { spawnRunner } from "./spawn-runner.ts";

const work = mkdtempSync(join(tmpdir(), "sp-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the runner the way a CI job does: tsx on main.ts, from another directory. */
const runner = (args: string[], cwd = work) => spawnRunner(args, cwd);

const lastLine = (text: string) => text.trimEnd().split("\n").pop() ?? "";
const STACK = /^\s+at .+[:(]/m;

describe("parseCommandLine", () => {
  const usage = (argv: string[]) => {
    try {
      parseCommandLine(argv, work);
    } catch (e) {
      return e instanceof UsageError ? e.message : `not a usage error: ${String(e)}`;
    }
    return "accepted";
  };

  it("keeps every --filter and resolves directories against the given cwd", () => {
    const cmd = parseCommandLine(
      ["--filter", "pair/*", "--filter", "bus/*", "--report-dir", "out"],
      work,
    );
    expect(cmd).toMatchObject({
      kind: "run",
      filters: ["pair/*", "bus/*"],
      reportDir: join(work, "out"),
      iuts: ["reference"],
    });
  });

  it("turns every mistake into one short usage line", () => {
    expect(usage(["--bogus"])).toBe("unknown option --bogus");
    expect(usage(["--jobs"])).toBe("--jobs needs a value");
    expect(usage(["--jobs", "0"])).toMatch(/--jobs wants a positive integer/);
    expect(usage(["--repeat", "2x"])).toMatch(/--repeat wants a positive integer/);
    expect(usage(["--shard", "3/2"])).toMatch(/1 ≤ i ≤ n/);
    expect(usage(["--seed", "abc"])).toMatch(/--seed wants an integer/);
    expect(usage(["stray"])).toMatch(/unexpected argument 'stray'/);
    expect(usage(["merge"])).toMatch(/at least one report directory/);
    expect(usage(["merge", "a", "--iut", "nng"])).toMatch(/merge takes only --report-dir/);
    expect(usage(["--expectations", "missing.json"])).toMatch(/no such file/);
  });

  it("reads --expectations FILE (every IUT) and IUT=FILE (one IUT)", () => {
    const file = join(work, "mine.json");
    writeFileSync(file, '{"iut":"x","cases":{}}');
    const cmd = parseCommandLine(
      ["--expectations", "mine.json", "--expectations", "nng=mine.json"],
      work,
    );
    expect(cmd).toMatchObject({ expectations: { all: file, byIut: { nng: file } } });
    expect(usage(["--expectations", "mine.json", "--expectations", file])).toMatch(/twice/);
  });
});

describe("exit codes of the runner", () => {
  it("2 for an unknown option: one line and the usage on stderr, no stack trace", async () => {
    const r = await runner(["--bogus"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.split("\n")[0]).toBe("sp-conformance: unknown option --bogus");
    expect(r.stderr).toContain("exit status:");
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout).toBe("");
  });

  it("3 when the adapter command does not exist, saying so", async () => {
    const r = await runner(["--iut", "./no-such-adapter", "--filter", "reqrep/tcp-header-sent"]);
    expect(r.code).toBe(EXIT.iut);
    expect(r.stderr).toMatch(/could not start the IUT \.\/no-such-adapter/);
    expect(r.stderr).not.toMatch(STACK);
    expect(lastLine(r.stdout)).toMatch(/could not be started/);
    expect(r.stdout).not.toMatch(/\d+ failed/);
  });

  it("3 when the IUT dies and cannot be restarted", async () => {
    const dir = mkdtempSync(join(work, "dying-"));
    const script = join(dir, "adapter.sh");
    const hello =
      '{"id":1,"ok":true,"name":"dying","version":"0","capabilities":{"protocols":["req0","rep0"],"transports":["tcp"],"options":[]}}';
    // Answers hello once, dies at the next request, and refuses every later start.
    writeFileSync(
      script,
      `[ -e started ] && exit 1; touch started; read l; echo '${hello}'; read l; exit 1\n`,
    );
    const r = await runner(
      ["--iut", `sh ${script}`, "--filter", "reqrep/tcp-header-sent", "--jobs", "1"],
      dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.iut);
    expect(lastLine(r.stdout)).toMatch(/died and could not be restarted/);
    // What ran is reported all the same, marked incomplete.
    const results = JSON.parse(
      readFileSync(join(dir, "reports", "conformance", "dying", "results.json"), "utf8"),
    ) as { incomplete?: string; cases: { id: string }[] };
    expect(results.incomplete).toMatch(/died and could not be restarted/);
    expect(results.cases.map((c) => c.id)).toEqual(["reqrep/tcp-header-sent"]);
    expect(r.stdout).toMatch(/reports of the cases that ran \(incomplete\)/);
  });

  it("0 for a small run against the reference; reports go under the current directory", async () => {
    const cwd = mkdtempSync(join(work, "run-"));
    const r = await runner(["--filter", "reqrep/tcp-header-sent", "--jobs", "1"], cwd);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^PASS\s+reqrep\/tcp-header-sent/m);
    expect(lastLine(r.stdout)).toBe(
      "conformance: 1 passed, 0 failed, 0 warn, 0 info, 0 unsupported",
    );
    const dir = join(cwd, "reports", "conformance", "reference");
    expect(existsSync(join(dir, "index.html"))).toBe(true);
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain('name="reqrep/tcp-header-sent"');
  });
});
