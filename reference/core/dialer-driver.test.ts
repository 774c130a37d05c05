/**
 * The dialer driver's start rule (SP-TCP-13, the `tcp-dialer` machine): started at once by
 * default, or left in `idle` until `start()`; a stop from `idle` never connects. And the
 * socket's answer when a transport cannot create unstarted dialers.
 */
import { describe, expect, it } from "vitest";
import { req0 } from "../protocol/req0/req.ts";
import { DialerDriver, DialerEvents, dialFailure } from "./dialer-driver.ts";
import { SPError } from "./errors.ts";
import { resolveOptions } from "./options.ts";
import type { Dialer, Transport } from "./transport.ts";

function driver(start?: boolean, failFast?: boolean) {
  const calls = { connect: 0, abort: 0 };
  const d = new DialerDriver(
    { options: resolveOptions({ reconnectMin: 10 }) },
    { connect: () => calls.connect++, abort: () => calls.abort++ },
    undefined,
    {
      ...(start === undefined ? {} : { start }),
      ...(failFast === undefined ? {} : { failFast }),
    },
  );
  return { d, calls };
}

/** Settles to "resolved", the rejection's code, or "pending" after a few turns. */
async function state(p: Promise<void>): Promise<string> {
  const settled = p.then(
    () => "resolved",
    (e: unknown) => (e instanceof SPError ? e.code : "not an SPError"),
  );
  const pending = new Promise<string>((r) => setTimeout(() => r("pending"), 20));
  return Promise.race([settled, pending]);
}

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof SPError ? e.code : "not an SPError";
  }
  return undefined;
}

describe("DialerDriver start", () => {
  it("starts at once by default", () => {
    const { d, calls } = driver();
    expect(calls.connect).toBe(1);
    expect(d.start()).toBe(false);
    expect(codeOf(() => d.startOrThrow(false))).toBe("ESTATE");
  });

  it("with start: false, connects only when started, once", () => {
    const { d, calls } = driver(false);
    expect(calls.connect).toBe(0);
    expect(d.start()).toBe(true);
    expect(calls.connect).toBe(1);
    expect(d.start()).toBe(false);
    expect(calls.connect).toBe(1);
  });

  it("stopped while idle: no connect, no abort, and it cannot start any more", () => {
    const { d, calls } = driver(false);
    d.send({ type: "stop" });
    expect(d.start()).toBe(false);
    expect(codeOf(() => d.startOrThrow(true))).toBe("ECLOSED");
    expect(calls).toEqual({ connect: 0, abort: 0 });
  });

  it("stopped while connecting: the attempt is aborted", () => {
    const { d, calls } = driver(false);
    d.startOrThrow(false);
    d.send({ type: "stop" });
    expect(calls).toEqual({ connect: 1, abort: 1 });
  });
});

describe("dial with start: false on a transport without unstarted dialers", () => {
  it("answers ENOTSUP and closes the dialer it got", async () => {
    let closed = 0;
    const startless: Transport = {
      scheme: "fake",
      listen: () => Promise.reject(new SPError("ENOTSUP")),
      dial: (url): Dialer => {
        const close = async () => {
          closed++;
        };
        return {
          url: url.text,
          connected: new Promise<void>(() => {}),
          on: () => {},
          off: () => {},
          close,
          [Symbol.asyncDispose]: close,
        };
      },
    };
    const s = req0({}, { transports: [startless] });
    try {
      expect(() => s.dial("fake://127.0.0.1:1", { start: false })).toThrow(
        expect.objectContaining({ code: "ENOTSUP" }),
      );
      expect(closed).toBe(1);
      // Started dialers of that transport are fine.
      s.dial("fake://127.0.0.1:1");
    } finally {
      await s.close();
    }
  });
});

describe("DialerDriver reports", () => {
  it("emits each failure as an error event and keeps retrying", async () => {
    const { d, calls } = driver();
    const seen: string[] = [];
    d.events.on("error", (e) => seen.push(e.code));
    expect(d.failed(new SPError("ECONNREFUSED"))).toBe("retry");
    expect(d.lastError?.code).toBe("ECONNREFUSED");
    await new Promise((r) => setTimeout(r, 40)); // past the 10 ms back-off
    expect(calls.connect).toBe(2);
    expect(d.failed(new SPError("EPEERAUTH"))).toBe("retry");
    expect(seen).toEqual(["ECONNREFUSED", "EPEERAUTH"]);
    expect(await state(d.connected)).toBe("pending");
    d.attached();
    expect(await state(d.connected)).toBe("resolved");
    expect(d.lastError).toBeUndefined();
    d.stop();
  });

  it("with failFast, the first failure rejects connected with its error and gives up", async () => {
    const { d, calls } = driver(undefined, true);
    const seen: string[] = [];
    d.events.on("error", (e) => seen.push(e.code));
    expect(d.failed(new SPError("ECONNREFUSED", "refused"))).toBe("give-up");
    expect(seen).toEqual(["ECONNREFUSED"]);
    expect(await state(d.connected)).toBe("ECONNREFUSED");
    d.stop();
    expect(calls).toEqual({ connect: 1, abort: 1 });
  });

  it("with failFast, failures after the first connection are retried", async () => {
    const { d } = driver(undefined, true);
    d.attached();
    d.send({ type: "pipeClosed" });
    expect(d.hasConnected).toBe(true);
    expect(d.failed(new SPError("ECONNREFUSED"))).toBe("retry");
    expect(await state(d.connected)).toBe("resolved");
    d.stop();
  });

  it("stop before any connection rejects connected with ECLOSED", async () => {
    const { d } = driver();
    d.stop();
    expect(await state(d.connected)).toBe("ECLOSED");
  });
});

describe("DialerEvents", () => {
  it("calls listeners in order, once each, until removed; no listener is fine", () => {
    const ev = new DialerEvents();
    ev.emit("error", new SPError("ECONNREFUSED")); // dropped, not thrown
    const seen: string[] = [];
    const a = (e: SPError) => seen.push(`a:${e.code}`);
    const b = (e: SPError) => seen.push(`b:${e.code}`);
    ev.on("error", a);
    ev.on("error", a);
    ev.on("error", b);
    ev.emit("error", new SPError("ECONNSHUT"));
    ev.off("error", a);
    ev.emit("error", new SPError("ECRYPTO"));
    expect(seen).toEqual(["a:ECONNSHUT", "b:ECONNSHUT", "b:ECRYPTO"]);
  });

  it("a throwing listener does not stop the others", async () => {
    const ev = new DialerEvents();
    const seen: string[] = [];
    ev.on("error", () => {
      throw new Error("listener bug");
    });
    ev.on("error", (e) => seen.push(e.code));
    const thrown = new Promise<unknown>((resolve) => {
      const orig = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (f) =>
        orig(() => {
          try {
            f();
          } catch (e) {
            resolve(e);
          }
        });
      ev.emit("error", new SPError("ECONNREFUSED"));
      globalThis.queueMicrotask = orig;
    });
    expect(seen).toEqual(["ECONNREFUSED"]);
    expect(String(await thrown)).toMatch(/listener bug/);
  });
});

describe("dialFailure", () => {
  const nodeError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

  it.each([
    ["ECONNREFUSED", "ECONNREFUSED"],
    ["ENOENT", "ECONNREFUSED"],
    ["ECONNRESET", "ECONNSHUT"],
    ["ENOTFOUND", "EADDRINVAL"],
    ["ETIMEDOUT", "ETIMEDOUT"],
    ["EWHATEVER", "ECONNREFUSED"],
  ])("maps Node's %s to %s, keeping the original as cause", (node, sp) => {
    const e = nodeError(node);
    const f = dialFailure(e);
    expect(f.code).toBe(sp);
    expect(f.message).toBe(`connect ${node}`);
    expect(f.cause).toBe(e);
  });

  it("keeps an SPError as it is", () => {
    const e = new SPError("EADDRINVAL", "cannot resolve x");
    expect(dialFailure(e)).toBe(e);
  });
});
