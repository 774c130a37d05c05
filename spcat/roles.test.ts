import { describe, expect, it } from "vitest";
import type { RunConfig } from "./config.ts";
import { CliError } from "./errors.ts";
import {
  LINGER_MS,
  type RoleIO,
  type RoleSocket,
  recvLoop,
  roleOf,
  runRole,
  sendLoop,
  sendRecv,
} from "./roles.ts";

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
    topics: [],
    tls: { insecure: false },
    ...over,
  };
}

describe("roleOf", () => {
  it("maps each protocol to nngcat's loop", () => {
    expect(roleOf("sub0", false)).toBe("recv");
    expect(roleOf("pull0", false)).toBe("recv");
    expect(roleOf("pub0", true)).toBe("send");
    expect(roleOf("push0", true)).toBe("send");
    expect(roleOf("req0", true)).toBe("sendrecv");
    expect(roleOf("surveyor0", true)).toBe("sendrecv");
    expect(roleOf("rep0", true)).toBe("respond");
    expect(roleOf("respondent0", false)).toBe("recv");
    expect(roleOf("pair1", true)).toBe("sendrecv");
    expect(roleOf("bus0", false)).toBe("recv");
    expect(roleOf("pair0", false)).toBe("recv");
  });
});

describe("send-and-receive (REQ, SURVEYOR, PAIR/BUS with data)", () => {
  it("sends once and prints replies until a state error (REQ after its reply)", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "pong" }, { fail: "ESTATE" }]);
    const { io, out } = fakeIO(clock);
    expect(await runRole(sock, cfg({}), io)).toBe(0);
    expect(out()).toBe('"pong"\n');
    expect(log).toEqual(["send ping"]);
  });

  it("a surveyor prints every response until the survey times out", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ ok: "r1" }, { ok: "r2" }, { wait: 1000 }]);
    const { io, out } = fakeIO(clock);
    expect(await runRole(sock, cfg({ protocol: "surveyor0" }), io)).toBe(0);
    expect(out()).toBe('"r1"\n"r2"\n');
  });

  it("waits --delay first and repeats every --interval up to --count", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [
      { ok: "a" },
      { fail: "ESTATE" },
      { wait: 1000 },
      { ok: "c" },
      { fail: "ESTATE" },
    ]);
    const { io, out, sleeps } = fakeIO(clock);
    const c = cfg({ delayMs: 500, intervalMs: 1000, count: 3, format: "ascii" });
    expect(await sendRecv(sock, c, io)).toBe(0);
    expect(out()).toBe("ac");
    expect(sleeps).toEqual([500, 990]);
    expect(log.filter((l) => l.startsWith("send"))).toHaveLength(3);
    expect(log).toContain("recvTimeout=1000");
    expect(log).toContain("recvTimeout=990");
  });

  it("bounds each round's wait by --recv-timeout", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ wait: 2000 }, { wait: 2000 }]);
    const { io } = fakeIO(clock);
    await sendRecv(sock, cfg({ intervalMs: 5000, recvTimeoutMs: 2000, count: 2 }), io);
    expect(log).toEqual(["send ping", "recvTimeout=2000", "send ping", "recvTimeout=2000"]);
  });

  it("with --count and no --interval waits per --recv-timeout (nngcat 1.5.2 dies here)", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [
      { ok: "a" },
      { fail: "ESTATE" },
      { ok: "b" },
      { fail: "ESTATE" },
    ]);
    const { io, out } = fakeIO(clock);
    await sendRecv(sock, cfg({ count: 2, format: "ascii" }), io);
    expect(out()).toBe("ab");
    expect(log.filter((l) => l.startsWith("recvTimeout"))).toEqual([
      "recvTimeout=-1",
      "recvTimeout=-1",
      "recvTimeout=-1",
      "recvTimeout=-1",
    ]);
  });

  it("ends quietly with 0 when nothing comes back in time (like nngcat)", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ wait: 1000 }]);
    const { io, out } = fakeIO(clock);
    expect(await runRole(sock, cfg({ recvTimeoutMs: 1000 }), io)).toBe(0);
    expect(out()).toBe("");
  });

  it("turns send and receive failures into nngcat messages", async () => {
    const clock = { t: 0 };
    const { io } = fakeIO(clock);
    await expect(runRole(fakeSocket(clock, [], "ETIMEDOUT").sock, cfg({}), io)).rejects.toThrow(
      new CliError("Send error: Timed out"),
    );
    await expect(
      runRole(fakeSocket(clock, [{ fail: "ECLOSED" }]).sock, cfg({}), io),
    ).rejects.toThrow(new CliError("Receive error: Object closed"));
    await expect(
      sendRecv(fakeSocket(clock, [{ fail: "ECLOSED" }]).sock, cfg({ count: 1 }), io),
    ).rejects.toThrow(new CliError("Cannot receive: Object closed"));
  });
});

describe("send loop (PUB, PUSH)", () => {
  it("sends once by default, then lingers", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, []);
    const { io, sleeps } = fakeIO(clock);
    expect(await runRole(sock, cfg({ protocol: "pub0", delayMs: 1000 }), io)).toBe(0);
    expect(log).toEqual(["send ping"]);
    expect(sleeps).toEqual([1000, LINGER_MS]);
  });

  it("repeats every --interval up to --count, and back to back with --count alone", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, []);
    const { io, sleeps } = fakeIO(clock);
    await sendLoop(sock, cfg({ protocol: "push0", intervalMs: 300, count: 3 }), io);
    expect(log).toEqual(["send ping", "send ping", "send ping"]);
    expect(sleeps).toEqual([300, 300, LINGER_MS]);
    const again = fakeSocket(clock, []);
    const io2 = fakeIO(clock);
    await sendLoop(again.sock, cfg({ protocol: "push0", count: 2 }), io2.io);
    expect(again.log).toHaveLength(2);
    expect(io2.sleeps).toEqual([LINGER_MS]);
  });
});

describe("receive loop (SUB, PULL, and the rest without data)", () => {
  it("prints each message, stops after --count", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ ok: "x" }, { ok: "y" }, { ok: "z" }]);
    const { io, out } = fakeIO(clock);
    expect(await recvLoop(sock, cfg({ protocol: "pull0", count: 2, format: "raw" }), io)).toBe(0);
    expect(out()).toBe("xy");
  });

  it("a timeout ends it with 0; other errors are fatal", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "x" }, { ok: "y" }, { wait: 1000 }]);
    const { io, out } = fakeIO(clock);
    const c = cfg({ protocol: "rep0", data: undefined, format: "hex", recvTimeoutMs: 1000 });
    expect(await runRole(sock, c, io)).toBe(0);
    expect(out()).toBe('"\\x78"\n"\\x79"\n');
    expect(log.some((l) => l.startsWith("send"))).toBe(false);
    await expect(
      runRole(fakeSocket(clock, [{ fail: "EPROTO" }]).sock, cfg({ protocol: "sub0" }), io),
    ).rejects.toThrow(new CliError("Receive error: Protocol error"));
  });
});

describe("respond loop (REP, RESPONDENT with data)", () => {
  it("answers each request with the data, up to --count, then lingers", async () => {
    const clock = { t: 0 };
    const { sock, log } = fakeSocket(clock, [{ ok: "one" }, { ok: "two" }, { ok: "three" }]);
    const { io, out, sleeps } = fakeIO(clock);
    const c = cfg({ protocol: "respondent0", data: Buffer.from("ok"), count: 2 });
    expect(await runRole(sock, c, io)).toBe(0);
    expect(out()).toBe('"one"\n"two"\n');
    expect(log.filter((l) => l.startsWith("send"))).toEqual(["send ok", "send ok"]);
    expect(sleeps).toEqual([LINGER_MS]);
  });

  it("treats a receive timeout as fatal", async () => {
    const clock = { t: 0 };
    const { sock } = fakeSocket(clock, [{ wait: 1000 }]);
    const { io } = fakeIO(clock);
    const c = cfg({ protocol: "rep0", data: Buffer.from("ok"), recvTimeoutMs: 1000 });
    await expect(runRole(sock, c, io)).rejects.toThrow(new CliError("Receive error: Timed out"));
  });
});

describe("a REQ send waits for a peer, as nng's does", () => {
  /** A socket whose pipe count follows `pipesAt(t)` on the virtual clock. */
  function withPipes(clock: { t: number }, pipesAt: (t: number) => number) {
    const { sock, log } = fakeSocket(clock, [{ ok: "pong" }, { wait: 100 }]);
    const counted: RoleSocket = {
      ...sock,
      stats: () => ({ socket: { pipesOpen: pipesAt(clock.t) } }),
    };
    return { sock: counted, log };
  }

  it("no peer within --send-timeout: Send error: Timed out, nothing sent", async () => {
    const clock = { t: 0 };
    const { sock, log } = withPipes(clock, () => 0);
    const { io } = fakeIO(clock);
    await expect(sendRecv(sock, cfg({ sendTimeoutMs: 1000 }), io)).rejects.toThrow(
      new CliError("Send error: Timed out"),
    );
    expect(log).toEqual([]);
    expect(clock.t).toBe(1000);
  });

  it("a peer that comes in time gets the request", async () => {
    const clock = { t: 0 };
    const { sock, log } = withPipes(clock, (t) => (t >= 300 ? 1 : 0));
    const { io, out } = fakeIO(clock);
    expect(await sendRecv(sock, cfg({ sendTimeoutMs: 1000 }), io)).toBe(0);
    expect(log[0]).toBe("send ping");
    expect(out()).toBe('"pong"\n');
    expect(clock.t).toBeGreaterThanOrEqual(300);
  });

  it("other protocols do not wait (their sends time out by themselves)", async () => {
    const clock = { t: 0 };
    const { sock, log } = withPipes(clock, () => 0);
    const { io } = fakeIO(clock);
    await sendLoop(sock, cfg({ protocol: "push0", format: "no", sendTimeoutMs: 1000 }), io);
    expect(log).toEqual(["send ping"]);
  });
});
