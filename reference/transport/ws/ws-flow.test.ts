/**
 * Flow control of a WsPipe (the accepting side, on a bare PipeHost) against a
 * raw `ws` client: pausing reading (SP-FRAMEWORK-22/-23/-28) and the send
 * bound (SP-FRAMEWORK-27).
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { sleep, waitFor } from "../../../testkit/wait.ts";
import { resolveOptions, type SocketOptions } from "../../core/options.ts";
import type { PipeHost } from "../../core/transport.ts";
import { parseUrl } from "../../core/url.ts";
import { WsListener } from "./listener.ts";
import type { WsPipe } from "./pipe.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A WsPipe (PAIR) accepted from a raw ws client. */
async function pair(
  options: Partial<SocketOptions> = {},
): Promise<{ pipe: WsPipe; client: WebSocket }> {
  let attached: WsPipe | undefined;
  const host: PipeHost = {
    identity: { self: 0x10, peer: 0x10, name: "pair", peerName: "pair" },
    options: resolveOptions({ recvMaxSize: 0, ...options }),
    isPeerCompatible: (p) => p === 0x10,
    attachPipe: (p) => {
      attached = p as WsPipe;
    },
    detachPipe: () => {},
    count: () => {},
  };
  const listener = await WsListener.bind(parseUrl("ws://127.0.0.1:0/flow", true), host);
  cleanup.push(() => listener.close());
  const client = new WebSocket(listener.url, ["pair.sp.nanomsg.org"], { perMessageDeflate: false });
  client.on("error", () => {});
  cleanup.push(() => client.terminate());
  await new Promise<void>((r) => client.once("open", () => r()));
  await waitFor(() => attached !== undefined, 2000, "attach");
  return { pipe: attached as WsPipe, client };
}

function numbered(seq: number, size: number): Buffer {
  const b = Buffer.alloc(Math.max(4, size), seq & 0xff);
  b.writeUInt32BE(seq, 0);
  return b;
}

describe("ws pipe: pausing reading (SP-FRAMEWORK-22, SP-FRAMEWORK-23)", () => {
  it("a pipe paused inside onMessage delivers nothing more, then everything in order after resume", async () => {
    const { pipe, client } = await pair();
    const got: number[] = [];
    let paused = false;
    let deliveredWhilePaused = 0;
    pipe.onMessage = (m) => {
      if (paused) deliveredWhilePaused++;
      got.push(m.readUInt32BE(0));
      if (got.length === 10 || got.length === 150) {
        paused = true;
        pipe.pauseReading();
      }
    };
    // Many small messages in one burst: ws parses several per TCP chunk.
    for (let i = 0; i < 200; i++) client.send(numbered(i, 20));
    await waitFor(() => got.length >= 10, 2000, "first messages");
    await sleep(50);
    expect(got).toHaveLength(10);
    expect(pipe.heldBytes).toBeGreaterThan(0); // parsed by ws after the pause: held, in order
    client.send(numbered(200, 100_000));
    client.send(numbered(201, 5));
    await sleep(50);
    expect(got).toHaveLength(10);
    paused = false;
    pipe.resumeReading();
    expect(got).toHaveLength(10); // never within resumeReading itself
    await waitFor(() => got.length >= 150, 2000, "second pause");
    await sleep(30);
    expect(got).toHaveLength(150);
    paused = false;
    pipe.resumeReading();
    await waitFor(() => got.length === 202, 2000, "all messages");
    expect(got).toEqual(Array.from({ length: 202 }, (_, i) => i));
    expect(deliveredWhilePaused).toBe(0);
    expect(pipe.heldBytes).toBe(0);
  });

  it("a paused pipe stops reading: the sender's data backs up, what the pipe holds stays small", async () => {
    const { pipe, client } = await pair();
    const got: number[] = [];
    pipe.onMessage = (m) => got.push(m.readUInt32BE(0));
    pipe.pauseReading();
    let sent = 0;
    while (client.bufferedAmount === 0 && sent < 4000) {
      client.send(numbered(sent++, 64 * 1024));
      if (sent % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(client.bufferedAmount).toBeGreaterThan(0);
    await sleep(200);
    expect(client.bufferedAmount).toBeGreaterThan(0); // still backed up
    expect(got).toEqual([]);
    expect(pipe.heldBytes).toBeLessThanOrEqual(256 * 1024);
    pipe.resumeReading();
    await waitFor(() => got.length === sent, 5000, "all after resume");
    expect(got).toEqual(Array.from({ length: sent }, (_, i) => i));
  });

  it("pausing and resuming while a flood runs loses, duplicates and reorders nothing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 4, max: 3000 }), { minLength: 50, maxLength: 400 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom("microtask", "immediate", "timer"), { minLength: 1 }),
        async (sizes, pauseGaps, resumeHow) => {
          const { pipe, client } = await pair();
          const got: number[] = [];
          let paused = false;
          let violations = 0;
          let k = 0;
          let nextPause = pauseGaps[0] as number;
          pipe.onMessage = (m) => {
            if (paused) violations++;
            got.push(m.readUInt32BE(0));
            if (got.length < nextPause) return;
            k++;
            nextPause = got.length + 1 + (pauseGaps[k % pauseGaps.length] as number);
            paused = true;
            pipe.pauseReading();
            const go = () => {
              paused = false;
              pipe.resumeReading();
            };
            const how = resumeHow[k % resumeHow.length];
            if (how === "microtask") queueMicrotask(go);
            else if (how === "immediate") setImmediate(go);
            else setTimeout(go, k % 3);
          };
          for (let i = 0; i < sizes.length; i++) {
            client.send(numbered(i, sizes[i] as number));
            if (i % 50 === 49) await new Promise((r) => setImmediate(r));
          }
          await waitFor(() => got.length === sizes.length && !paused, 5000, "flood delivered");
          await sleep(5);
          expect(violations).toBe(0);
          expect(got).toEqual(sizes.map((_, i) => i));
          for (const c of cleanup.splice(0).reverse()) await c();
        },
      ),
      { numRuns: 10 },
    );
  });

  it("closing a paused pipe discards what it holds and still completes the closing handshake", async () => {
    const { pipe, client } = await pair();
    const got: number[] = [];
    pipe.onMessage = (m) => {
      got.push(m.readUInt32BE(0));
      pipe.pauseReading();
    };
    for (let i = 0; i < 50; i++) client.send(numbered(i, 10));
    await waitFor(() => got.length === 1, 2000, "first message");
    const code = new Promise<number>((r) => client.once("close", (c) => r(c)));
    const t0 = Date.now();
    pipe.close();
    expect(pipe.heldBytes).toBe(0);
    expect(await code).toBe(1000);
    // Answered at once, not after the close timeout (the paused connection is read again).
    expect(Date.now() - t0).toBeLessThan(900);
    pipe.resumeReading(); // no-ops once closed
    pipe.pauseReading();
    await sleep(20);
    expect(got).toEqual([0]);
  });
});

describe("ws pipe: the send bound (SP-FRAMEWORK-27)", () => {
  function fill(pipe: WsPipe, size: number): number {
    let n = 0;
    while (pipe.writable) {
      pipe.send(numbered(n++, size));
      if (n > 200_000) throw new Error("never reached the send bound");
    }
    return n;
  }

  it.each([
    ["the default 64 KiB bound", {}, 8 * 1024],
    ["a 1 KiB bound, under Node's own 16 KiB write mark", { sendBufferBytes: 1024 }, 4096],
  ])(
    "writable goes false at %s while the peer does not read, and onWritable fires when it reads again",
    async (_what, options, size) => {
      const { pipe, client } = await pair(options);
      const seqs: number[] = [];
      client.on("message", (d: Buffer) => seqs.push(d.readUInt32BE(0)));
      client.pause();
      let woken = 0;
      pipe.onWritable = () => woken++;
      const sent = fill(pipe, size);
      expect(pipe.writable).toBe(false);
      await sleep(100);
      expect(woken).toBe(0);
      expect(pipe.writable).toBe(false);
      client.resume();
      await waitFor(() => woken === 1, 5000, "onWritable");
      expect(pipe.writable).toBe(true);
      await waitFor(() => seqs.length === sent, 5000, "all messages at the peer");
      expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i));
      await sleep(20);
      expect(woken).toBe(1);
    },
  );
});
