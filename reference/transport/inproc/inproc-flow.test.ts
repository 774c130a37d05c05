/**
 * Flow control of an in-process pipe: a receiving end that stops reading
 * (SP-FRAMEWORK-22/-23) and the sender's bound on what the other end has not
 * delivered (SP-INPROC-12).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../../testkit/raw-peer.ts";
import { resolveOptions, type SocketOptions } from "../../core/options.ts";
import type { PipeHost } from "../../core/transport.ts";
import { type InprocPipe, joinPipes } from "./pipe.ts";

/** A bare PipeHost for protocol 0x10 (PAIR) with the given options. */
function host(options: Partial<SocketOptions> = {}): PipeHost {
  return {
    identity: { self: 0x10, peer: 0x10, name: "pair", peerName: "pair" },
    options: resolveOptions({ recvMaxSize: 0, ...options }),
    isPeerCompatible: (p) => p === 0x10,
    attachPipe: () => {},
    detachPipe: () => {},
    count: () => {},
  };
}

/** A joined pair: `tx` sends with the given send bound, `rx` receives. */
function ends(sendBufferBytes = 1000): { tx: InprocPipe; rx: InprocPipe } {
  const [tx, rx] = joinPipes({ host: host({ sendBufferBytes }) }, { host: host() });
  return { tx, rx };
}

function numbered(seq: number, size = 10): Buffer {
  const b = Buffer.alloc(Math.max(4, size));
  b.writeUInt32BE(seq, 0);
  return b;
}

const tick = () => new Promise((r) => setImmediate(r));

describe("inproc pipe: pausing reading (SP-FRAMEWORK-22, SP-FRAMEWORK-23)", () => {
  it("a pipe paused inside onMessage delivers nothing more, then the rest in order after resume", async () => {
    const { tx, rx } = ends();
    const got: number[] = [];
    rx.onMessage = (m) => {
      got.push(m.readUInt32BE(0));
      if (got.length === 5) rx.pauseReading();
    };
    for (let i = 0; i < 20; i++) tx.send(numbered(i));
    await tick();
    expect(got).toEqual([0, 1, 2, 3, 4]);
    for (let i = 20; i < 30; i++) tx.send(numbered(i)); // sent while paused: waits too
    await tick();
    expect(got).toHaveLength(5);
    rx.resumeReading();
    expect(got).toHaveLength(5); // never within resumeReading itself
    await Promise.resolve();
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("pausing and resuming while a flood runs loses, duplicates and reorders nothing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom("microtask", "immediate", "sync"), { minLength: 1 }),
        async (bursts, pauseGaps, resumeHow) => {
          const { tx, rx } = ends(200);
          const got: number[] = [];
          let paused = false;
          let violations = 0;
          let k = 0;
          let nextPause = pauseGaps[0] as number;
          rx.onMessage = (m) => {
            if (paused) violations++;
            got.push(m.readUInt32BE(0));
            if (got.length < nextPause) return;
            k++;
            nextPause = got.length + 1 + (pauseGaps[k % pauseGaps.length] as number);
            paused = true;
            rx.pauseReading();
            const go = () => {
              paused = false;
              rx.resumeReading();
            };
            const how = resumeHow[k % resumeHow.length];
            // "sync": resumed from within onMessage, right after the pause.
            if (how === "sync") go();
            else if (how === "microtask") queueMicrotask(go);
            else setImmediate(go);
          };
          let seq = 0;
          for (const n of bursts) {
            for (let i = 0; i < n; i++) tx.send(numbered(seq++));
            await tick();
          }
          await waitFor(() => got.length === seq && !paused, 3000, "all delivered");
          expect(violations).toBe(0);
          expect(got).toEqual(Array.from({ length: seq }, (_, i) => i));
          expect(tx.writable).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("pause and resume are idempotent, and no-ops once closed", async () => {
    const { tx, rx } = ends();
    const got: number[] = [];
    rx.onMessage = (m) => got.push(m.readUInt32BE(0));
    rx.pauseReading();
    rx.pauseReading();
    tx.send(numbered(0));
    rx.resumeReading();
    rx.resumeReading();
    await tick();
    expect(got).toEqual([0]);
    rx.close();
    rx.pauseReading();
    rx.resumeReading();
    expect(rx.isClosed).toBe(true);
  });
});

describe("inproc pipe: the sender's bound (SP-INPROC-12)", () => {
  it("the sender is not writable once what the paused end holds reaches its send bound", async () => {
    const { tx, rx } = ends(1000);
    const got: number[] = [];
    rx.onMessage = (m) => got.push(m.readUInt32BE(0));
    rx.pauseReading();
    let woken = 0;
    tx.onWritable = () => woken++;
    let n = 0;
    while (tx.writable) tx.send(numbered(n++, 100));
    expect(n).toBe(10); // 10 × 100 bytes reach the 1000-byte bound
    await tick();
    expect(tx.writable).toBe(false); // nothing delivered, nothing freed
    expect(woken).toBe(0);
    rx.resumeReading();
    await tick();
    expect(got).toHaveLength(10);
    expect(woken).toBe(1);
    expect(tx.writable).toBe(true);
  });

  it("becomes writable again once enough of it was delivered, even if the receiver pauses again", async () => {
    const { tx, rx } = ends(1000);
    const got: number[] = [];
    rx.onMessage = (m) => {
      got.push(m.readUInt32BE(0));
      if (got.length === 4) rx.pauseReading();
    };
    let woken = 0;
    tx.onWritable = () => woken++;
    for (let i = 0; i < 10; i++) tx.send(numbered(i, 100));
    expect(tx.writable).toBe(false);
    await tick();
    // 4 delivered: 600 bytes still undelivered, under the bound.
    expect(got).toHaveLength(4);
    expect(woken).toBe(1);
    expect(tx.writable).toBe(true);
  });

  it("uses the sending socket's sendBufferBytes, not the receiver's", () => {
    const [tx] = joinPipes(
      { host: host({ sendBufferBytes: 300 }) },
      { host: host({ sendBufferBytes: 1 }) },
    );
    tx.send(numbered(0, 200));
    expect(tx.writable).toBe(true);
    tx.send(numbered(1, 100));
    expect(tx.writable).toBe(false);
  });
});

describe("inproc pipe: closing while paused", () => {
  it("a paused end that closes gives what it held back to the sender, oldest first", async () => {
    const { tx, rx } = ends();
    rx.onMessage = () => rx.pauseReading();
    for (let i = 0; i < 5; i++) tx.send(numbered(i));
    await tick();
    rx.close();
    await tx.closed;
    expect(tx.takeUnsent().map((m) => m.readUInt32BE(0))).toEqual([1, 2, 3, 4]);
    expect(tx.takeUnsent()).toEqual([]);
  });

  it("a sender that closes while the other end is paused: its messages come first, then the end closes", async () => {
    const { tx, rx } = ends();
    const got: number[] = [];
    rx.onMessage = (m) => got.push(m.readUInt32BE(0));
    rx.pauseReading();
    for (let i = 0; i < 5; i++) tx.send(numbered(i));
    tx.close();
    await tick();
    expect(rx.isClosed).toBe(false);
    expect(got).toEqual([]);
    rx.resumeReading();
    await rx.closed;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it("a resume right after the sender closed still delivers before the end closes", async () => {
    const { tx, rx } = ends();
    const got: number[] = [];
    rx.onMessage = (m) => got.push(m.readUInt32BE(0));
    rx.pauseReading();
    for (let i = 0; i < 3; i++) tx.send(numbered(i));
    tx.close();
    rx.resumeReading(); // its drain is queued after the close notice
    await rx.closed;
    expect(got).toEqual([0, 1, 2]);
  });
});
