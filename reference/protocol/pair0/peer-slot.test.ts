/**
 * PeerSlot: a parked send that times out or is aborted leaves the slot
 * entirely (never written, not counted as waiting) and the slot's machine
 * goes back to the state it has with nothing parked.
 */
import { describe, expect, it } from "vitest";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import { PeerSlot } from "./peer-slot.ts";

/** A pipe that records what is written to it and whose writability the test sets. */
function fakePipe(): Pipe & { written: string[]; setWritable(w: boolean): void } {
  const written: string[] = [];
  let writable = true;
  const pipe = {
    id: 1,
    written,
    isClosed: false,
    get writable() {
      return writable;
    },
    setWritable(w: boolean) {
      writable = w;
      if (w) pipe.onWritable?.();
    },
    onWritable: null as (() => void) | null,
    close() {},
  };
  return pipe as unknown as Pipe & { written: string[]; setWritable(w: boolean): void };
}

function slotWith(sendTimeout = -1) {
  const written: string[] = [];
  const slot = new PeerSlot({
    write: (_pipe, body) => written.push(body.toString()),
    attach: () => {},
    detach: () => {},
    sendTimeout: () => sendTimeout,
    count: () => {},
  });
  return { slot, written };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e) => (e instanceof SPError ? e.code : String(e)),
  );

describe("PeerSlot withdraws sends that gave up", () => {
  it("with no peer: an aborted send leaves the slot, which is empty again", async () => {
    const { slot, written } = slotWith();
    const ac = new AbortController();
    const p = code(slot.send(Buffer.from("aborted"), { signal: ac.signal }));
    expect(slot.state).toBe("waiting");
    expect(slot.waitingSends).toBe(1);
    ac.abort();
    expect(await p).toBe("ECANCELED");
    expect(slot.waitingSends).toBe(0);
    expect(slot.state).toBe("empty");
    slot.pipeAdded(fakePipe());
    expect(slot.state).toBe("occupied");
    expect(written).toEqual([]);
    slot.close();
  });

  it("with a stalled peer: the aborted send is never written, the one behind it is", async () => {
    const { slot, written } = slotWith();
    const pipe = fakePipe();
    slot.pipeAdded(pipe);
    pipe.setWritable(false);
    const ac = new AbortController();
    const dropped = code(slot.send(Buffer.from("aborted"), { signal: ac.signal }));
    const kept = code(slot.send(Buffer.from("kept")));
    expect(slot.state).toBe("stalled");
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    expect(slot.waitingSends).toBe(1);
    pipe.setWritable(true);
    expect(await kept).toBe("ok");
    expect(written).toEqual(["kept"]);
    expect(slot.state).toBe("occupied");
    slot.close();
  });

  it("the last parked send aborted on a stalled peer: the slot is occupied again", async () => {
    const { slot } = slotWith();
    const pipe = fakePipe();
    slot.pipeAdded(pipe);
    pipe.setWritable(false);
    const ac = new AbortController();
    const dropped = code(slot.send(Buffer.from("aborted"), { signal: ac.signal }));
    ac.abort();
    expect(await dropped).toBe("ECANCELED");
    expect(slot.state).toBe("occupied");
    slot.close();
  });

  it("a per-call timeoutMs overrides the slot's send timeout", async () => {
    const { slot, written } = slotWith(-1);
    const t0 = performance.now();
    expect(await code(slot.send(Buffer.from("late"), { timeoutMs: 20 }))).toBe("ETIMEDOUT");
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(slot.waitingSends).toBe(0);
    slot.pipeAdded(fakePipe());
    expect(written).toEqual([]);
    slot.close();
  });
});
