import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { callTimeout, deadlineOf, refuseCall } from "./call-options.ts";
import { SPError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import { RingQueue } from "./queue.ts";
import { ReceiveQueue } from "./receive-queue.ts";
import { Waiter } from "./waiter.ts";

/** Settles to the error code, or "ok:<value>". */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => `ok:${String(v)}`,
    (e) => (e instanceof SPError ? e.code : String(e)),
  );

const abortListeners = (s: AbortSignal) => getEventListeners(s, "abort").length;

describe("per-call options", () => {
  it("refuseCall: EINVAL for a bad timeoutMs, ECANCELED (with the reason as cause) for an aborted signal", () => {
    expect(refuseCall(undefined)).toBeUndefined();
    expect(refuseCall({})).toBeUndefined();
    for (const ok of [-1, 0, 1, 1.5, 2 ** 31 - 1, Number.POSITIVE_INFINITY]) {
      expect(refuseCall({ timeoutMs: ok })).toBeUndefined();
    }
    for (const bad of [-2, -0.5, Number.NaN, 2 ** 31, "10" as unknown as number]) {
      expect(refuseCall({ timeoutMs: bad })?.code).toBe("EINVAL");
    }
    const ac = new AbortController();
    const why = new Error("user gave up");
    ac.abort(why);
    const err = refuseCall({ signal: ac.signal });
    expect(err?.code).toBe("ECANCELED");
    expect(err?.cause).toBe(why);
  });

  it("callTimeout: the call's timeoutMs wins over the socket option; -1 and Infinity wait forever", () => {
    expect(callTimeout(undefined, 500)).toBe(500);
    expect(callTimeout({}, -1)).toBe(-1);
    expect(callTimeout({ timeoutMs: 20 }, 500)).toBe(20);
    expect(callTimeout({ timeoutMs: 0 }, 500)).toBe(0);
    expect(callTimeout({ timeoutMs: 1.2 }, 500)).toBe(2);
    expect(callTimeout({ timeoutMs: -1 }, 500)).toBe(-1);
    expect(callTimeout({ timeoutMs: Number.POSITIVE_INFINITY }, 500)).toBe(-1);
    expect(deadlineOf(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(deadlineOf(100)).toBeGreaterThan(performance.now());
  });
});

describe("Waiter with a signal", () => {
  it("an abort fails it with ECANCELED, calls onGiveUp once and removes its listener", async () => {
    const ac = new AbortController();
    const gaveUp: unknown[] = [];
    const w = new Waiter<string>(-1, (x) => gaveUp.push(x), ac.signal);
    expect(abortListeners(ac.signal)).toBe(1);
    ac.abort();
    expect(await outcome(w.promise)).toBe("ECANCELED");
    expect(gaveUp).toEqual([w]);
    expect(w.resolve("late")).toBe(false);
    expect(abortListeners(ac.signal)).toBe(0);
  });

  it("settling first removes the listener: a later abort changes nothing", async () => {
    const ac = new AbortController();
    let gaveUp = 0;
    const w = new Waiter<string>(1000, () => gaveUp++, ac.signal);
    expect(w.resolve("v")).toBe(true);
    expect(abortListeners(ac.signal)).toBe(0);
    ac.abort();
    expect(await outcome(w.promise)).toBe("ok:v");
    expect(gaveUp).toBe(0);
  });

  it("a timeout fails it with ETIMEDOUT, calls onGiveUp and drops the abort listener", async () => {
    const ac = new AbortController();
    const gaveUp: unknown[] = [];
    const w = new Waiter<string>(10, (x) => gaveUp.push(x), ac.signal);
    expect(await outcome(w.promise)).toBe("ETIMEDOUT");
    expect(gaveUp).toEqual([w]);
    expect(abortListeners(ac.signal)).toBe(0);
  });

  it("an already aborted signal fails it at once and registers nothing", async () => {
    const ac = new AbortController();
    ac.abort();
    const w = new Waiter<string>(10, undefined, ac.signal);
    expect(w.settled).toBe(true);
    expect(await outcome(w.promise)).toBe("ECANCELED");
  });
});

describe("RingQueue.remove", () => {
  it("removes one item by identity, keeping the order of the rest, across the wrap", () => {
    const q = new RingQueue<number>(Number.POSITIVE_INFINITY, 4);
    for (const n of [1, 2, 3]) q.push(n);
    q.shift();
    q.shift(); // head moved: the next pushes wrap around
    for (const n of [4, 5, 6]) q.push(n);
    expect(q.remove(5)).toBe(true);
    expect(q.remove(42)).toBe(false);
    expect(q.length).toBe(3);
    expect(q.drain()).toEqual([3, 4, 6]);
    q.push(7);
    expect(q.remove(7)).toBe(true);
    expect(q.isEmpty()).toBe(true);
  });
});

describe("ReceiveQueue.take with a signal", () => {
  const opts = { recvBuffer: 0, recvBufferBytes: 0 };
  const fakePipe = () => ({ pauseReading() {}, resumeReading() {} }) as unknown as Pipe;

  it("an aborted take never swallows a message: the next take gets it", async () => {
    const rq = new ReceiveQueue<string>(opts, (s) => s.length);
    const flow = rq.attach(fakePipe());
    const ac = new AbortController();
    const first = rq.take(-1, ac.signal);
    ac.abort();
    expect(await outcome(first)).toBe("ECANCELED");
    rq.deliver(flow, "m1");
    expect(rq.length).toBe(1);
    expect(await outcome(rq.take(-1))).toBe("ok:m1");
  });

  it("an already aborted signal rejects at once, even with a message buffered, which stays", async () => {
    const rq = new ReceiveQueue<string>(opts, (s) => s.length);
    const flow = rq.attach(fakePipe());
    rq.deliver(flow, "m1");
    const ac = new AbortController();
    ac.abort();
    expect(await outcome(rq.take(-1, ac.signal))).toBe("ECANCELED");
    expect(await outcome(rq.take(-1))).toBe("ok:m1");
  });
});
