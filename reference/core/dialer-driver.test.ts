/**
 * The dialer driver's start rule (SP-TCP-13, the `tcp-dialer` machine): started at once by
 * default, or left in `idle` until `start()`; a stop from `idle` never connects. And the
 * socket's answer when a transport cannot create unstarted dialers.
 */
import { describe, expect, it } from "vitest";
import { req0 } from "../protocol/req0/req.ts";
import { DialerDriver } from "./dialer-driver.ts";
import { SPError } from "./errors.ts";
import { resolveOptions } from "./options.ts";
import type { Dialer, Transport } from "./transport.ts";

function driver(start?: boolean) {
  const calls = { connect: 0, abort: 0 };
  const d = new DialerDriver(
    { options: resolveOptions({ reconnectMin: 10 }) },
    { connect: () => calls.connect++, abort: () => calls.abort++ },
    undefined,
    start === undefined ? {} : { start },
  );
  return { d, calls };
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
      dial: (url): Dialer => ({
        url: url.text,
        connected: new Promise<void>(() => {}),
        close: async () => {
          closed++;
        },
      }),
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
