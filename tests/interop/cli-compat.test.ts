/**
 * spcat behaves like nngcat: the same bytes for every output format, the same
 * exit status and message for command-line errors (the ports of nngcat's
 * ambiguous/dup_proto/incompat/help test scripts), and clean output through
 * the package bin and `npm run -s spcat`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { req0, type SPSocket } from "../../reference/index.ts";
import { main } from "../../spcat/main.ts";
import { freePort, sleep } from "../../testkit/wait.ts";
import {
  killAll,
  peer,
  ROOT,
  SPAWN_TEST_TIMEOUT_MS,
  show,
  spcat,
  start,
  waitForPort,
} from "./harness.ts";

vi.setConfig({ testTimeout: SPAWN_TEST_TIMEOUT_MS });

const sockets: SPSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await killAll();
});

/** Sends `body` to the REP at `url` from a library REQ and waits for the reply. */
async function request(url: string, body: Uint8Array): Promise<void> {
  const s = req0();
  sockets.push(s);
  s.setOption("recvTimeout", 8000);
  await s.dial(url).connected;
  await s.send(body);
  await s.recv();
}

const payload = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('"quoted\\ \t\r\n'),
]);

describe("output formats, byte for byte", () => {
  it("spcat --rep0 --format F prints what nngcat prints, for every F", async () => {
    const nngcat = peer("nngcat");
    const formats = ["quoted", "ascii", "hex", "msgpack", "raw", "no"];
    const runs = await Promise.all(
      formats.map(async (f) => {
        const [p1, p2] = [await freePort(), await freePort()];
        const args = (p: number) => ["--rep0", "--listen", `tcp://127.0.0.1:${p}`, "--format", f];
        const theirs = start(nngcat, [...args(p1), "-D", "ok", "--count", "1"]);
        const ours = spcat([...args(p2), "-D", "ok", "--count", "1"]);
        await Promise.all([waitForPort(p1, theirs), waitForPort(p2, ours)]);
        await request(`tcp://127.0.0.1:${p1}`, payload);
        await request(`tcp://127.0.0.1:${p2}`, payload);
        return { f, theirs: await theirs.done, ours: await ours.done };
      }),
    );
    for (const { f, theirs, ours } of runs) {
      expect(theirs.code, `nngcat ${f}: ${show(theirs)}`).toBe(0);
      expect(ours.code, `spcat ${f}: ${show(ours)}`).toBe(0);
      expect(ours.stdout.toString("hex"), `format ${f}`).toBe(theirs.stdout.toString("hex"));
    }
    expect(runs[0]?.ours.stdout.length).toBeGreaterThan(payload.length);
  });
});

/** Runs spcat in-process with `argv`, collecting output. */
async function ourRun(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  const err: string[] = [];
  const code = await main(argv, {
    write: (b) => {
      out += Buffer.from(b).toString("latin1");
    },
    error: (l) => err.push(l),
    readFile: (p) => readFileSync(p),
    sleep,
    now: () => performance.now(),
    open: () => {
      throw new Error("no socket may be opened for a command-line error");
    },
    version: "test",
  });
  return { code, out, err: err.join("\n") };
}

const U = "tcp://127.0.0.1:27272";
const errorCases: string[][] = [
  ["--re", `--dial=${U}`],
  ["--pub0", "--sub0", `--dial=${U}`],
  ["--req0", "--rep0", "--dial", U],
  ["--dial", U],
  ["--dial", U, "-D", "x"],
  [],
  ["--req0", "--dial", U],
  ["--req0", "-x", "/tmp/bogusipc", "--subscribe=oops"],
  ["--interval", "1", "--pull", "-x", "/tmp/bogusipc"],
  ["--rep0", "--dial", U, "--interval", "1"],
  ["--compat", "--pair1", "-x", "/tmp/bogusipc"],
  ["--compat", "--count=1", "--pair0", "-x", "/tmp/bogusipc"],
  ["--count=xyz", "--pair0", "-x", "/tmp/bogusipc"],
  ["--async", "--file=/nosuchfilehere", "--push0", "-x", "/tmp/bogusipc"],
  ["--req0", "--dial", U, "-A", "-Q", "-D", "x"],
  ["--req0", "--dial", U, "--format", "foo"],
  ["--req0", "--dial", U, "-D", "a", "--data=b"],
  ["--req0", "-L", "99999"],
  ["--req0", "-L"],
  ["--req0", "-Ax"],
  ["--req0", "--foo"],
  ["--req0", "--ascii=1"],
  ["--req0", "--dial", U, "--count="],
];

describe("command-line errors match nngcat", () => {
  it.each(errorCases.map((a) => [a.join(" "), a]))("nngcat %s", async (_, argv) => {
    const nngcat = peer("nngcat");
    const theirs = spawnSync(nngcat, argv as string[], { encoding: "utf8", timeout: 5000 });
    const ours = await ourRun(argv as string[]);
    expect(theirs.status).toBe(1);
    expect(ours.code).toBe(1);
    const expected = theirs.stderr.trim();
    if (expected.includes("ambiguous")) {
      expect(ours.err.startsWith(expected.replace(/\.$/, ""))).toBe(true);
      expect(ours.err).toMatch(/--rep0.*--req0|--req0.*--rep0/);
    } else {
      expect(ours.err).toBe(expected);
    }
  });

  it("--help prints usage on stdout and exits 1; --version exits 0", async () => {
    const nngcat = peer("nngcat");
    const help = spawnSync(nngcat, ["--help"], { encoding: "utf8", timeout: 5000 });
    const ours = await ourRun(["--help"]);
    expect(help.status).toBe(1);
    expect(ours.code).toBe(1);
    expect(help.stdout).toContain("Usage:");
    expect(ours.out).toContain("Usage: spcat");
    expect(ours.out).toContain("--listen, --bind <url>");
    const version = spawnSync(nngcat, ["--version"], { encoding: "utf8", timeout: 5000 });
    expect(version.status).toBe(0);
    expect(await ourRun(["-V"])).toEqual({ code: 0, out: "test\n", err: "" });
  });
});

describe("installed entry points", () => {
  it("the bundled bin (spcat/build.ts, what the spcat package installs) runs", async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}spcat/package.json`, "utf8"));
    const { buildSpcat } = await import("../../spcat/build.ts");
    const dir = mkdtempSync(join(tmpdir(), "spcat-bin-"));
    const bin = await buildSpcat(dir);
    const done = await start(process.execPath, [bin, "--version"]).done;
    rmSync(dir, { recursive: true, force: true });
    expect(done.stdout.toString(), show(done)).toBe(`${pkg.version}\n`);
    expect(done.code).toBe(0);
  });

  it("npm run -s spcat prints only what nngcat would print", async () => {
    const port = await freePort();
    const url = `tcp://127.0.0.1:${port}`;
    const args = ["run", "-s", "spcat", "--", "--rep0", "--listen", url, "--data", "pong", "-Q"];
    const rep = start("npm", [...args, "--count", "1"]);
    await waitForPort(port, rep);
    await request(url, Buffer.from("ping"));
    const done = await rep.done;
    expect(done.stdout.toString("latin1"), show(done)).toBe('"ping"\n');
    expect(done.stderr.toString(), show(done)).toBe("");
    expect(done.code).toBe(0);
  });
});
