/**
 * ReceiveQueue: per-pipe bounded buffers served in turn, plus the waiting
 * receivers. Fake pipes record what the queue tells them (pauseReading /
 * resumeReading); messages are delivered as a transport's onMessage would.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SPError } from "./errors.ts";
import type { Pipe } from "./pipe.ts";
import { ReceiveQueue } from "./receive-queue.ts";
import type { RecvBoundOptions } from "./recv-flow.ts";

type FakePipe = Pipe & { calls: string[] };

function fakePipe(): FakePipe {
  const calls: string[] = [];
  return {
    calls,
    pauseReading: () => calls.push("pause"),
    resumeReading: () => calls.push("resume"),
  } as unknown as FakePipe;
}

const big = 1 << 20;
const opts = (recvBuffer: number, recvBufferBytes = big): RecvBoundOptions => ({
  recvBuffer,
  recvBufferBytes,
});
const strings = (o: RecvBoundOptions) => new ReceiveQueue<string>(o, (s) => s.length);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e instanceof SPError ? e.code : String(e);
  }
}

describe("ReceiveQueue", () => {
  it("hands a message to a waiting receiver at once; it never counts against a bound", async () => {
    const q = strings(opts(1));
    const pipe = fakePipe();
    const flow = q.attach(pipe);
    const r = q.take(-1);
    q.deliver(flow, "direct");
    expect(await r).toBe("direct");
    expect([q.length, flow.messages, flow.bytes]).toEqual([0, 0, 0]);
    expect(pipe.calls).toEqual([]);
  });

  it("buffers per pipe, stops reading a pipe at its bound, never drops, resumes at half", () => {
    const q = strings(opts(4));
    const pipe = fakePipe();
    const flow = q.attach(pipe);
    for (let i = 0; i < 4; i++) q.deliver(flow, `m${i}`);
    expect(pipe.calls).toEqual(["pause"]);
    expect(q.length).toBe(4);
    expect([q.tryTake(), q.tryTake()]).toEqual(["m0", "m1"]);
    expect(pipe.calls).toEqual(["pause", "resume"]);
    expect([q.tryTake(), q.tryTake(), q.tryTake()]).toEqual(["m2", "m3", undefined]);
  });

  it("bounds bytes separately from messages", () => {
    const q = strings(opts(100, 10));
    const pipe = fakePipe();
    const flow = q.attach(pipe);
    q.deliver(flow, "abcd");
    q.deliver(flow, "efgh");
    expect(pipe.calls).toEqual([]);
    q.deliver(flow, "ij"); // 10 bytes
    expect(pipe.calls).toEqual(["pause"]);
    q.tryTake(); // 6 bytes left: over half
    expect(pipe.calls).toEqual(["pause"]);
    q.tryTake(); // 2 bytes
    expect(pipe.calls).toEqual(["pause", "resume"]);
  });

  it("takes one oversized message into an empty buffer and stops reading after it", () => {
    const q = strings(opts(100, 10));
    const pipe = fakePipe();
    const flow = q.attach(pipe);
    q.deliver(flow, "x".repeat(50));
    expect(q.length).toBe(1);
    expect(pipe.calls).toEqual(["pause"]);
    expect(q.tryTake()).toHaveLength(50);
    expect(pipe.calls).toEqual(["pause", "resume"]);
  });

  it("a quiet pipe's message is served right after the current turn, though the busy pipe is full", () => {
    const q = strings(opts(4));
    const busy = fakePipe();
    const quiet = fakePipe();
    const b = q.attach(busy);
    const s = q.attach(quiet);
    for (let i = 0; i < 4; i++) q.deliver(b, `busy ${i}`);
    q.deliver(s, "quiet");
    expect(busy.calls).toEqual(["pause"]);
    expect(quiet.calls).toEqual([]); // SP-FRAMEWORK-24: bounds per pipe
    expect([q.tryTake(), q.tryTake(), q.tryTake()]).toEqual(["busy 0", "quiet", "busy 1"]);
  });

  it("keeps each pipe's order and loses nothing, whatever the interleaving (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(4), fc.boolean()), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (steps, bound) => {
          const q = new ReceiveQueue<[number, number]>(opts(bound), () => 1);
          const pipes = [0, 1, 2, 3, 4].map(() => fakePipe());
          const flows = pipes.map((p) => q.attach(p));
          const out: [number, number][] = [];
          let sent = 0;
          for (const [src, takeNow] of steps) {
            q.deliver(flows[src] as (typeof flows)[number], [src, sent++]);
            if (takeNow) out.push(q.tryTake() as [number, number]);
          }
          for (let m = q.tryTake(); m !== undefined; m = q.tryTake()) out.push(m);
          expect(out.length).toBe(sent);
          for (let src = 0; src < 5; src++) {
            const seq = out.filter(([k]) => k === src).map(([, i]) => i);
            expect(seq).toEqual([...seq].sort((x, y) => x - y));
            // Every pause was followed by a resume once the buffer ran empty.
            const calls = (pipes[src] as FakePipe).calls;
            expect(calls.filter((c) => c === "pause").length).toBe(
              calls.filter((c) => c === "resume").length,
            );
          }
        },
      ),
    );
  });

  it("detach keeps what the pipe delivered deliverable and forgets the flow once it is empty", () => {
    const q = strings(opts(2));
    const pipe = fakePipe();
    const flow = q.attach(pipe);
    q.deliver(flow, "a");
    q.deliver(flow, "b");
    q.detachPipe(pipe);
    q.detachPipe(pipe); // idempotent
    expect([q.tryTake(), q.tryTake()]).toEqual(["a", "b"]);
    expect(pipe.calls).toEqual(["pause"]); // a detached pipe is not resumed
    // A pipe attached again gets a fresh flow.
    expect(q.attach(pipe)).not.toBe(flow);
    expect(q.attach(pipe)).toBe(q.attach(pipe));
  });

  it("purge removes what the filter refuses, keeps the order of the rest and may resume", () => {
    const q = strings(opts(4));
    const a = fakePipe();
    const b = fakePipe();
    const fa = q.attach(a);
    const fb = q.attach(b);
    for (const m of ["a1", "x1", "a2", "x2"]) q.deliver(fa, m);
    q.deliver(fb, "x3");
    expect(a.calls).toEqual(["pause"]);
    q.purge((m) => m.startsWith("a"));
    expect(a.calls).toEqual(["pause", "resume"]);
    expect(q.length).toBe(2);
    expect([q.tryTake(), q.tryTake(), q.tryTake()]).toEqual(["a1", "a2", undefined]);
    // The emptied pipe left the rotation; it rejoins with its next message.
    q.deliver(fb, "b");
    expect(q.tryTake()).toBe("b");
  });

  it("a timed-out receiver is skipped: the next message goes to the buffer", async () => {
    const q = strings(opts(4));
    const flow = q.attach(fakePipe());
    expect(await code(q.take(5))).toBe("ETIMEDOUT");
    q.deliver(flow, "later");
    expect(q.length).toBe(1);
    expect(await q.take(-1)).toBe("later");
  });

  it("an aborted signal fails a waiting take with ECANCELED and leaves no listener behind", async () => {
    const q = strings(opts(4));
    const flow = q.attach(fakePipe());
    const ctl = new AbortController();
    let listeners = 0;
    const add = ctl.signal.addEventListener.bind(ctl.signal);
    const remove = ctl.signal.removeEventListener.bind(ctl.signal);
    ctl.signal.addEventListener = ((...a: Parameters<typeof add>) => {
      listeners++;
      add(...a);
    }) as typeof add;
    ctl.signal.removeEventListener = ((...a: Parameters<typeof remove>) => {
      listeners--;
      remove(...a);
    }) as typeof remove;
    for (let i = 0; i < 10; i++) {
      const r = q.take(-1, ctl.signal);
      q.deliver(flow, `m${i}`);
      expect(await r).toBe(`m${i}`);
    }
    expect(listeners).toBe(0);
    const pending = q.take(-1, ctl.signal);
    ctl.abort();
    expect(await code(pending)).toBe("ECANCELED");
    expect(await code(q.take(-1, ctl.signal))).toBe("ECANCELED");
  });

  it("close fails waiting receivers with ECLOSED, forgets the buffer and ignores later messages", async () => {
    const q = strings(opts(4));
    const flow = q.attach(fakePipe());
    const waiting = [q.take(-1), q.take(1000)];
    q.close();
    q.close();
    expect(await Promise.all(waiting.map(code))).toEqual(["ECLOSED", "ECLOSED"]);
    q.deliver(flow, "late");
    expect(q.length).toBe(0);
    expect(await code(q.take(-1))).toBe("ECLOSED");

    const full = strings(opts(4));
    const f = full.attach(fakePipe());
    full.deliver(f, "queued");
    full.close();
    expect([full.length, full.tryTake()]).toEqual([0, undefined]);
  });
});
