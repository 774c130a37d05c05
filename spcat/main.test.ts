import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rep0, req0 } from "../reference/index.ts";
import { type CliEnv, main } from "./main.ts";

/** An in-process environment with the real library and captured output. */
function env() {
  let out = "";
  const err: string[] = [];
  const e: CliEnv = {
    write: (b) => {
      out += Buffer.from(b).toString("latin1");
    },
    error: (l) => err.push(l),
    readFile: (p) => readFileSync(p),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => performance.now(),
    open: (p) => (p === "req0" ? req0() : rep0()),
    version: "test",
  };
  return { e, out: () => out, err };
}

async function waitForLine(get: () => string, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 400; i++) {
    const m = re.exec(get());
    if (m !== null) return m;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no line matching ${re} in ${JSON.stringify(get())}`);
}

describe("main (in-process, real sockets)", () => {
  it("REQ and REP spcat talk to each other; -v reports the bound URL", async () => {
    const rep = env();
    const repDone = main(
      ["--rep", "--listen", "tcp://127.0.0.1:0", "-v", "-D", "pong", "-Q", "-C", "1"],
      rep.e,
    );
    const m = await waitForLine(rep.out, /^Listening at: (tcp:\/\/127\.0\.0\.1:\d+)\n/);
    const url = m[1] as string;
    expect(url).not.toMatch(/:0$/);
    const req = env();
    const reqCode = await main(["--req", "--dial", url, "-v", "-D", "ping", "-Q"], req.e);
    expect(reqCode).toBe(0);
    expect(await repDone).toBe(0);
    expect(req.out()).toBe(`Connected to: ${url}\n"pong"\n`);
    expect(rep.out()).toBe(`Listening at: ${url}\n"ping"\n`);
    expect([...req.err, ...rep.err]).toEqual([]);
  });

  it("reports a taken address like nngcat", async () => {
    const holder = rep0();
    try {
      const { url } = await holder.listen("tcp://127.0.0.1:0");
      const r = env();
      expect(await main(["--rep0", "--listen", url], r.e)).toBe(1);
      expect(r.err).toEqual([`Unable to listen on ${url}: Address in use`]);
    } finally {
      await holder.close();
    }
  });

  it("reports a bad URL as an invalid listener or dialer", async () => {
    const r = env();
    expect(await main(["--rep0", "--listen", "bogus"], r.e)).toBe(1);
    expect(r.err[0]).toMatch(/^Unable to create listener for bogus: /);
    const d = env();
    expect(await main(["--rep0", "--dial", "bogus"], d.e)).toBe(1);
    expect(d.err[0]).toMatch(/^Unable to create dialer for bogus: /);
  });

  it("a REQ whose reply never comes ends with 0 after --recv-timeout", async () => {
    const silent = rep0();
    try {
      const { url } = await silent.listen("tcp://127.0.0.1:0");
      const r = env();
      const t0 = performance.now();
      expect(await main(["--req0", "--dial", url, "-D", "x", "--recv-timeout", "0.3"], r.e)).toBe(
        0,
      );
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      expect(r.out()).toBe("");
    } finally {
      await silent.close();
    }
  });
});
