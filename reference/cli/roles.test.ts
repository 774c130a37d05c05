import { describe, expect, it } from "vitest";
import type { RunConfig } from "./config.ts";
import { CliError } from "./errors.ts";
import { REP_LINGER_MS, type RoleIO, type RoleSocket, runRep, runReq } from "./roles.ts";

type Step = { ok: string } | { fail: string } | { wait: number };

/** A scripted socket: each recv takes the next step; time is virtual. */
function fakeSocket(clock: { t: number }, recvs: Step[], sendFail?: string) {
  const log: string[] = [];
  const sock: RoleSocket = {
    async send(data) {
      log.push(`send ${Buffer.from(data).toString()}`);
      if (sendFail !== undefined) throw Object.assign(new Error("x"), { code: sendFail });
    },
    async recv() {
      const step = recvs.shift();
      if (step === undefined) throw Object.assign(new Error("x"), { code: "ECLOSED" });
      if ("wait" in step) {
        clock.t += step.wait;
        throw Object.assign(new Error("x"), { code: "ETIMEDOUT" });
      }
      if ("fail" in step) throw Object.assign(new Error("x"), { code: step.fail });
      clock.t += 10;
      return Buffer.from(step.ok);
    },
    setOption(name, value) {
      log.push(`${name}=${value}`);
    },
  };
  return { sock, log };
}

function fakeIO(clock: { t: number }) {
  let out = "";
  const sleeps: number[] = [];
  const io: RoleIO = {
    write: (b) => {
      out += Buffer.from(b).toString("latin1");
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    now: () => clock.t,
  };
  return { io, sleeps, out: () => out };
}

function cfg(over: Partial<RunConfig>): RunConfig {
  return {
    protocol: "req0",
    endpoints: [],
    format: "quoted",
    data: Buffer.from("ping"),
    verbose: false,
    count: 0,
    delayMs: 0,
    intervalMs: -1,
    sendTimeoutMs: -1,
    recvTimeoutMs: -1,
    recvMaxSize: undefined,
    async: false,
    ...over,
  };
}

describe("runReq", () => {
  it("sends once and prints the reply by default", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "pong" }]);
    const { io, out } = fakeIO(clock);
    expect(await runReq(sock, cfg({}), io)).toBe(0);
    expect(out()).toBe('"pong"\n');
    expect(log).toEqual(["send ping", "recvTimeout=-1"]);
  });

  it("waits --delay first and repeats every --interval up to --count", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "a" }, { wait: 1000 }, { ok: "c" }]);
    const { io, out, sleeps } = fakeIO(clock);
    const c = cfg({ delayMs: 500, intervalMs: 1000, count: 3, format: "ascii" });
    expect(await runReq(sock, c, io)).toBe(0);
    expect(out()).toBe("ac");
    expect(sleeps).toEqual([500, 990]);
    expect(log.filter((l) => l.startsWith("send"))).toHaveLength(3);
    expect(log).toContain("recvTimeout=1000");
  });

  it("bounds each wait by --recv-timeout", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "a" }, { ok: "b" }]);
    const { io } = fakeIO(clock);
    await runReq(sock, cfg({ intervalMs: 5000, recvTimeoutMs: 2000, count: 2 }), io);
    expect(log).toEqual(["send ping", "recvTimeout=2000", "send ping", "recvTimeout=2000"]);
  });

  it("ends quietly with 0 when the reply times out (like nngcat)", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ wait: 1000 }]);
    const { io, out } = fakeIO(clock);
    expect(await runReq(sock, cfg({ recvTimeoutMs: 1000 }), io)).toBe(0);
    expect(out()).toBe("");
  });

  it("turns send and receive failures into nngcat messages", async () => {
    const clock = { t: 0 };
    const { io } = fakeIO(clock);
    await expect(runReq(fakeSocket(clock, [], "ETIMEDOUT").sock, cfg({}), io)).rejects.toThrow(
      new CliError("Send error: Timed out"),
    );
    await expect(
      runReq(fakeSocket(clock, [{ fail: "ECLOSED" }]).sock, cfg({}), io),
    ).rejects.toThrow(new CliError("Receive error: Object closed"));
  });
});

describe("runRep", () => {
  it("answers each request with the data, up to --count, then lingers", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "one" }, { ok: "two" }, { ok: "three" }]);
    const { io, out, sleeps } = fakeIO(clock);
    const c = cfg({ protocol: "rep0", data: Buffer.from("ok"), count: 2 });
    expect(await runRep(sock, c, io)).toBe(0);
    expect(out()).toBe('"one"\n"two"\n');
    expect(log.filter((l) => l.startsWith("send"))).toEqual(["send ok", "send ok"]);
    expect(sleeps).toEqual([REP_LINGER_MS]);
  });

  it("treats a receive timeout as fatal when it has data to reply", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ wait: 1000 }]);
    const { io } = fakeIO(clock);
    const c = cfg({ protocol: "rep0", data: Buffer.from("ok"), recvTimeoutMs: 1000 });
    await expect(runRep(sock, c, io)).rejects.toThrow(new CliError("Receive error: Timed out"));
  });

  it("only prints without data, and a timeout ends it with 0", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "x" }, { ok: "y" }, { wait: 1000 }]);
    const { io, out } = fakeIO(clock);
    const c = cfg({ protocol: "rep0", data: undefined, format: "hex", recvTimeoutMs: 1000 });
    expect(await runRep(sock, c, io)).toBe(0);
    expect(out()).toBe('"\\x78"\n"\\x79"\n');
    expect(log.some((l) => l.startsWith("send"))).toBe(false);
  });
});
