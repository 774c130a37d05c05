/**
 * PipeFlow: one pipe's receive buffer against its two bounds (framework
 * draft, "Flow Control"). The pipe is told to stop reading exactly when a
 * bound is reached (SP-FRAMEWORK-22) and to read again once the application
 * brought the buffer back to half of both bounds (SP-FRAMEWORK-23); only
 * those crossings reach the `recv-flow` actor.
 */
import { afterEach, describe, expect, it } from "vitest";
import { defaults } from "../../spec/constants.ts";
import type { Pipe } from "./pipe.ts";
import { PipeFlow, type RecvBoundOptions, recvBoundBytes, recvBoundMessages } from "./recv-flow.ts";
import { recordTransitions } from "./spec-actor.ts";

/** A pipe that only records what the flow tells it. */
function fakePipe(): Pipe & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    pauseReading: () => calls.push("pause"),
    resumeReading: () => calls.push("resume"),
  } as unknown as Pipe & { calls: string[] };
}

function bounds(recvBuffer: number, recvBufferBytes: number): RecvBoundOptions {
  return { recvBuffer, recvBufferBytes };
}

/** Adds `n` messages of `size` bytes, as a socket queueing them would. */
function add(flow: PipeFlow<number>, n: number, size: number): void {
  for (let i = 0; i < n; i++) {
    flow.items.push(i);
    flow.added(size);
  }
}

function take(flow: PipeFlow<number>, n: number, size: number): void {
  for (let i = 0; i < n; i++) {
    flow.items.shift();
    flow.taken(size);
  }
}

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

describe("recv bounds from the options", () => {
  it("recvBuffer 0 means the protocol's fallback, else the draft's default of 128", () => {
    expect(recvBoundMessages(bounds(0, 1))).toBe(defaults.recvBufferMessages);
    expect(recvBoundMessages(bounds(0, 1), 7)).toBe(7);
    expect(recvBoundMessages(bounds(5, 1), 7)).toBe(5);
    expect(recvBoundBytes(bounds(0, 4096))).toBe(4096);
    expect(recvBoundBytes(bounds(0, 0))).toBe(defaults.recvBufferBytes);
  });
});

describe("PipeFlow", () => {
  it("stops reading exactly when the message bound is reached, once", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(4, 1 << 20));
    add(flow, 3, 10);
    expect(pipe.calls).toEqual([]);
    expect(flow.paused).toBe(false);
    add(flow, 1, 10);
    expect(pipe.calls).toEqual(["pause"]);
    expect(flow.paused).toBe(true);
    // What the transport had already handed over is counted, without a second pause.
    add(flow, 1, 10);
    expect(pipe.calls).toEqual(["pause"]);
    expect([flow.messages, flow.bytes]).toEqual([5, 50]);
  });

  it("stops reading exactly when the byte bound is reached, with few messages", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(100, 100));
    add(flow, 1, 60);
    expect(pipe.calls).toEqual([]);
    add(flow, 1, 40); // 100 bytes: the bound is reached
    expect(pipe.calls).toEqual(["pause"]);
    expect(flow.messages).toBe(2);
  });

  it("accepts one message larger than the byte bound into an empty buffer, then stops", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(100, 100));
    add(flow, 1, 5000);
    expect(flow.items.length).toBe(1);
    expect(pipe.calls).toEqual(["pause"]);
    take(flow, 1, 5000);
    expect(pipe.calls).toEqual(["pause", "resume"]);
    expect([flow.messages, flow.bytes, flow.paused]).toEqual([0, 0, false]);
  });

  it("resumes only at half of the message bound", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(8, 1 << 20));
    add(flow, 8, 1);
    take(flow, 3, 1); // 5 left
    expect(pipe.calls).toEqual(["pause"]);
    take(flow, 1, 1); // 4 left: half of 8
    expect(pipe.calls).toEqual(["pause", "resume"]);
    // Taking more while reading tells the pipe nothing.
    take(flow, 4, 1);
    expect(pipe.calls).toEqual(["pause", "resume"]);
  });

  it("resumes only when under half of both bounds", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(4, 100));
    add(flow, 2, 50); // byte bound reached with 2 of 4 messages
    expect(pipe.calls).toEqual(["pause"]);
    take(flow, 1, 50); // 1 message (under half of 4), 50 bytes (half of 100)
    expect(pipe.calls).toEqual(["pause", "resume"]);

    const other = fakePipe();
    const byCount = new PipeFlow<number>(other, bounds(4, 100));
    add(byCount, 4, 20); // message bound reached with 80 bytes
    take(byCount, 1, 20); // 3 messages, 60 bytes: over half of both
    expect(other.calls).toEqual(["pause"]);
    take(byCount, 1, 20); // 2 messages, 40 bytes
    expect(other.calls).toEqual(["pause", "resume"]);
  });

  it("pauses and resumes again and again across a long exchange", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(4, 1 << 20));
    for (let round = 0; round < 3; round++) {
      add(flow, 4 - flow.messages, 1);
      take(flow, 2, 1);
    }
    expect(pipe.calls).toEqual(["pause", "resume", "pause", "resume", "pause", "resume"]);
  });

  it("reads the bounds live: a changed option applies from the next message", () => {
    const pipe = fakePipe();
    const o = bounds(10, 1 << 20);
    const flow = new PipeFlow<number>(pipe, o);
    add(flow, 3, 1);
    o.recvBuffer = 4;
    add(flow, 1, 1);
    expect(pipe.calls).toEqual(["pause"]);
  });

  it("uses the protocol's fallback when recvBuffer is 0", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(0, 1 << 20), 2);
    add(flow, 2, 1);
    expect(pipe.calls).toEqual(["pause"]);
  });

  it("after detach the pipe is never told anything again, and detach is idempotent", () => {
    const pipe = fakePipe();
    const flow = new PipeFlow<number>(pipe, bounds(2, 1 << 20));
    add(flow, 2, 1);
    flow.detach();
    flow.detach();
    expect(flow.detached).toBe(true);
    take(flow, 2, 1);
    add(flow, 3, 1);
    expect(pipe.calls).toEqual(["pause"]);
  });

  it("walks the recv-flow rows only at the crossings, never per message", () => {
    const walked: string[] = [];
    uninstall = recordTransitions((id) => walked.push(id));
    const flow = new PipeFlow<number>(fakePipe(), bounds(4, 1 << 20));
    add(flow, 3, 1);
    take(flow, 3, 1);
    expect(walked).toEqual([]);
    add(flow, 4, 1);
    take(flow, 2, 1);
    add(flow, 2, 1);
    flow.detach();
    expect(walked).toEqual([
      "recv-flow:reading:full",
      "recv-flow:paused:room",
      "recv-flow:reading:full",
      "recv-flow:paused:detach",
    ]);
    const reading = new PipeFlow<number>(fakePipe(), bounds(4, 1 << 20));
    reading.detach();
    expect(walked.at(-1)).toBe("recv-flow:reading:detach");
  });
});
