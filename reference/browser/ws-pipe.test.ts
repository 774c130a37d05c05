/**
 * Flow control of the browser WebSocket pipe, on Node with a scripted stand-in
 * for the page's `WebSocket`: a page cannot stop reading, so a paused pipe
 * holds what arrives, up to a bound (SP-FRAMEWORK-21/-22/-23), and its send
 * bound is `sendBufferBytes` (SP-FRAMEWORK-27).
 */
import { describe, expect, it } from "vitest";
import { waitFor } from "../../testkit/raw-peer.ts";
import type { SPError } from "../core/errors.ts";
import { resolveOptions, type SocketOptions } from "../core/options.ts";
import type { PipeHost } from "../core/transport.ts";
import { BrowserWsPipe, PAUSED_HOLD_FACTOR } from "./ws-pipe.ts";

/** The members of a browser WebSocket that the pipe uses, driven by the test. */
class FakeWebSocket {
  readyState = 0;
  bufferedAmount = 0;
  binaryType = "blob";
  protocol = "";
  readonly sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: (() => void) | null = null;
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.());
  }
  open(protocol: string): void {
    this.readyState = 1;
    this.protocol = protocol;
    this.onopen?.();
  }
  receive(msg: Uint8Array): void {
    const ab = msg.buffer.slice(msg.byteOffset, msg.byteOffset + msg.byteLength);
    this.onmessage?.({ data: ab });
  }
}

function open(options: Partial<SocketOptions> = {}) {
  const ws = new FakeWebSocket();
  const host: PipeHost = {
    identity: { self: 0x10, peer: 0x10, name: "pair", peerName: "pair" },
    options: resolveOptions({ recvMaxSize: 0, ...options }),
    isPeerCompatible: (p) => p === 0x10,
    attachPipe: () => {},
    detachPipe: () => {},
    count: (s) => {
      stats[s] = (stats[s] ?? 0) + 1;
    },
  };
  const stats: Record<string, number> = {};
  const pipe = new BrowserWsPipe({ host, ws: ws as unknown as WebSocket });
  ws.open("pair.sp.nanomsg.org");
  return { pipe, ws, stats };
}

function numbered(seq: number, size = 8): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(seq, 0);
  return b;
}

describe("browser ws pipe: pausing reading", () => {
  it("holds what arrives while paused and delivers it in order after resume, never within it", async () => {
    const { pipe, ws } = open();
    const got: number[] = [];
    pipe.onMessage = (m) => {
      got.push(m.readUInt32BE(0));
      if (got.length === 3 || got.length === 8) pipe.pauseReading();
    };
    for (let i = 0; i < 10; i++) ws.receive(numbered(i));
    expect(got).toEqual([0, 1, 2]);
    expect(pipe.heldBytes).toBe(7 * 8);
    pipe.resumeReading();
    expect(got).toHaveLength(3);
    await Promise.resolve();
    // Paused again during the delivery: the rest stays held.
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    ws.receive(numbered(10));
    pipe.resumeReading();
    await Promise.resolve();
    expect(got).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(pipe.heldBytes).toBe(0);
    ws.receive(numbered(11));
    expect(got).toHaveLength(12); // not paused: delivered as it comes
  });

  it("closes with EMSGSIZE when a peer sends past the bound into a paused pipe", async () => {
    const recvBufferBytes = 1000;
    const { pipe, ws, stats } = open({ recvBufferBytes });
    pipe.onMessage = () => {};
    pipe.pauseReading();
    const size = 100;
    const fits = (PAUSED_HOLD_FACTOR * recvBufferBytes) / size;
    for (let i = 0; i < fits; i++) ws.receive(numbered(i, size));
    expect(pipe.isClosed).toBe(false);
    ws.receive(numbered(fits, size));
    expect(pipe.isClosed).toBe(true);
    const reason = (await pipe.closed) as SPError;
    expect(reason.code).toBe("EMSGSIZE");
    expect(reason.message).toMatch(/cannot stop reading/);
    expect(ws.closedWith?.[0]).toBe(1000);
    expect(pipe.heldBytes).toBe(0);
    expect(stats.rxPausedOverflow).toBe(1);
  });

  it("pause and resume are idempotent and no-ops once closed", async () => {
    const { pipe, ws } = open();
    const got: number[] = [];
    pipe.onMessage = (m) => got.push(m.readUInt32BE(0));
    pipe.pauseReading();
    pipe.pauseReading();
    ws.receive(numbered(0));
    pipe.resumeReading();
    pipe.resumeReading();
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual([0]);
    pipe.pauseReading();
    ws.receive(numbered(1));
    pipe.close();
    pipe.resumeReading();
    await Promise.resolve();
    expect(got).toEqual([0]);
  });
});

describe("browser ws pipe: the send bound", () => {
  it("is not writable at sendBufferBytes of bufferedAmount and wakes the writer when it falls", async () => {
    const { pipe, ws } = open({ sendBufferBytes: 4096 });
    let woken = 0;
    pipe.onWritable = () => woken++;
    ws.bufferedAmount = 4095;
    expect(pipe.writable).toBe(true);
    ws.bufferedAmount = 4096;
    expect(pipe.writable).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(woken).toBe(0);
    ws.bufferedAmount = 100;
    await waitFor(() => woken === 1, 1000, "onWritable");
    expect(pipe.writable).toBe(true);
  });
});
