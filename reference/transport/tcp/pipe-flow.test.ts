/**
 * Flow control of a TcpPipe over a real loopback connection: pausing reading
 * (SP-FRAMEWORK-22/-23/-28) and the send bound (SP-FRAMEWORK-27). The pipe
 * under test is the accepting side, on a bare PipeHost; the peer is a raw
 * `net` socket that plays SP by hand.
 */
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import * as tls from "node:tls";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { makeTestCerts, type TestCerts } from "../../../testkit/certs.ts";
import { frame, spHeader } from "../../../testkit/raw-peer.ts";
import { sleep, waitFor } from "../../../testkit/wait.ts";
import { resolveOptions, type SocketOptions } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { PipeHost } from "../../core/transport.ts";
import { FrameReader } from "./frame-reader.ts";
import { TcpPipe } from "./pipe.ts";

const REQ = 0x30;
const REP = 0x31;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

let certs: TestCerts | undefined;
afterAll(() => certs?.cleanup());

/** A connected (server side, peer side) socket pair, over plain TCP or TLS (which reuses TcpPipe). */
async function sockets(kind: "tcp" | "tls"): Promise<[Socket, Socket]> {
  let server: Server;
  let peer: Socket;
  let accepted: Promise<Socket>;
  if (kind === "tcp") {
    server = createServer();
    accepted = new Promise((r) => server.once("connection", r));
  } else {
    certs ??= makeTestCerts();
    server = tls.createServer({ cert: certs.serverCert, key: certs.serverKey });
    accepted = new Promise((r) => server.once("secureConnection", r));
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  if (kind === "tcp") {
    peer = connect(port, "127.0.0.1");
    await new Promise<void>((r) => peer.once("connect", () => r()));
  } else {
    peer = tls.connect({ port, host: "127.0.0.1", ca: certs?.caCert });
    await new Promise<void>((r) => peer.once("secureConnect", () => r()));
  }
  peer.on("error", () => {});
  const socket = await accepted;
  server.close();
  return [socket, peer];
}

interface Pair {
  pipe: TcpPipe;
  /** The pipe's own net.Socket (to look at what Node holds). */
  socket: Socket;
  /** The raw peer. */
  peer: Socket;
  stats: Record<string, number>;
  detached: () => boolean;
}

/** A TcpPipe (as REP) accepted from a raw peer (as REQ) that has sent its SP header. */
async function pair(
  options: Partial<SocketOptions> = {},
  kind: "tcp" | "tls" = "tcp",
): Promise<Pair> {
  const stats: Record<string, number> = {};
  let attached: Pipe | null = null;
  let detached = false;
  const host: PipeHost = {
    identity: { self: REP, peer: REQ, name: "rep", peerName: "req" },
    options: resolveOptions({ recvMaxSize: 0, ...options }),
    isPeerCompatible: (p) => p === REQ,
    attachPipe: (p) => {
      attached = p;
    },
    detachPipe: () => {
      detached = true;
    },
    count: (s) => {
      stats[s] = (stats[s] ?? 0) + 1;
    },
  };
  const [socket, peer] = await sockets(kind);
  const pipe = new TcpPipe({ socket, host });
  cleanup.push(() => {
    pipe.close();
    peer.destroy();
    socket.destroy();
  });
  peer.write(spHeader(REQ));
  await waitFor(() => attached !== null, 2000, "attach");
  return { pipe, socket, peer, stats, detached: () => detached };
}

/** A payload of `size` bytes (at least 4) that starts with its sequence number. */
function numbered(seq: number, size: number): Buffer {
  const b = Buffer.alloc(Math.max(4, size), seq & 0xff);
  b.writeUInt32BE(seq, 0);
  return b;
}

describe("tcp pipe: pausing reading (SP-FRAMEWORK-22, SP-FRAMEWORK-23)", () => {
  it.each(["tcp", "tls"] as const)(
    "%s: a pipe paused inside onMessage delivers nothing more, then everything in order after resume",
    async (kind) => {
      const { pipe, peer } = await pair({}, kind);
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
      // 200 small frames in one write: one chunk (or a few) holding many frames.
      peer.write(Buffer.concat(Array.from({ length: 200 }, (_, i) => frame(numbered(i, 20)))));
      await waitFor(() => got.length >= 10, 2000, "first frames");
      await sleep(50);
      expect(got).toHaveLength(10);
      expect(pipe.heldBytes).toBeGreaterThan(0); // the rest of the chunk, undecoded
      // A 100 KB frame split across two writes while paused: it stays in the connection.
      const big = frame(numbered(200, 100_000));
      peer.write(big.subarray(0, 30_000));
      await sleep(20);
      peer.write(big.subarray(30_000));
      peer.write(frame(numbered(201, 5)));
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
      await waitFor(() => got.length === 202, 2000, "all frames");
      expect(got).toEqual(Array.from({ length: 202 }, (_, i) => i));
      expect(deliveredWhilePaused).toBe(0);
      expect(pipe.heldBytes).toBe(0);
    },
  );

  it.each(["tcp", "tls"] as const)(
    "%s: a paused pipe leaves the data in the transport: the sender's writes back up, the reader holds nothing",
    async (kind) => {
      const { pipe, socket, peer } = await pair({}, kind);
      const got: number[] = [];
      pipe.onMessage = (m) => got.push(m.readUInt32BE(0));
      pipe.pauseReading();
      // Write 64 KiB frames until the sender's socket stays backed up: a write() that
      // returns false and no 'drain' within 200 ms.
      let sent = 0;
      for (;;) {
        const ok = peer.write(frame(numbered(sent++, 64 * 1024)));
        if (sent > 4000) throw new Error("the receiver kept reading while paused");
        if (ok) continue;
        const drained = await new Promise<boolean>((r) => {
          const t = setTimeout(() => {
            peer.off("drain", onDrain);
            r(false);
          }, 200);
          const onDrain = () => {
            clearTimeout(t);
            r(true);
          };
          peer.once("drain", onDrain);
        });
        if (!drained) break;
      }
      await sleep(200);
      // Still backed up: the paused receiver does not read, so TCP's window stays closed.
      expect(peer.writableLength).toBeGreaterThan(0);
      expect(got).toEqual([]);
      expect(pipe.heldBytes).toBe(0);
      // A plain TCP socket stops reading the kernel at once (nothing in Node's own read
      // buffer); TLS reads through its own layers and keeps about one read.
      if (kind === "tcp") expect(socket.readableLength).toBe(0);
      else expect(socket.readableLength).toBeLessThanOrEqual(256 * 1024);
      pipe.resumeReading();
      await waitFor(() => got.length === sent, 5000, "all frames after resume");
      expect(got).toEqual(Array.from({ length: sent }, (_, i) => i));
      await waitFor(() => peer.writableLength === 0, 2000, "sender drained");
    },
  );

  it("pausing and resuming while a flood runs loses, duplicates and reorders nothing (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 4, max: 3000 }), { minLength: 50, maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom("microtask", "immediate", "timer"), { minLength: 1 }),
        async (sizes, cuts, pauseGaps, resumeHow) => {
          const { pipe, peer } = await pair();
          const got: number[] = [];
          let paused = false;
          let violations = 0;
          let nextPause = pauseGaps[0] as number;
          let k = 0;
          const resumeLater = () => {
            const how = resumeHow[k % resumeHow.length];
            const go = () => {
              paused = false;
              pipe.resumeReading();
            };
            if (how === "microtask") queueMicrotask(go);
            else if (how === "immediate") setImmediate(go);
            else setTimeout(go, k % 3);
          };
          pipe.onMessage = (m) => {
            if (paused) violations++;
            got.push(m.readUInt32BE(0));
            if (got.length >= nextPause) {
              k++;
              nextPause = got.length + 1 + (pauseGaps[k % pauseGaps.length] as number);
              paused = true;
              pipe.pauseReading();
              pipe.pauseReading(); // idempotent
              resumeLater();
            }
          };
          // The stream of frames, written in random slices.
          const bytes = Buffer.concat(sizes.map((n, i) => frame(numbered(i, n))));
          let off = 0;
          for (let i = 0; off < bytes.length; i++) {
            const n = cuts[i % cuts.length] as number;
            peer.write(bytes.subarray(off, off + n));
            off += n;
            if (i % 4 === 3) await new Promise((r) => setImmediate(r));
          }
          await waitFor(() => got.length === sizes.length && !paused, 5000, "flood delivered");
          await sleep(5);
          expect(violations).toBe(0);
          expect(got).toEqual(sizes.map((_, i) => i));
          pipe.close();
          peer.destroy();
        },
      ),
      { numRuns: 12 },
    );
  });

  it("resumes with no new pause also when paused from outside onMessage, and both calls are idempotent", async () => {
    const { pipe, peer } = await pair();
    const got: number[] = [];
    pipe.onMessage = (m) => got.push(m.readUInt32BE(0));
    pipe.pauseReading();
    pipe.resumeReading();
    pipe.pauseReading(); // paused again before the resume's microtask ran
    peer.write(Buffer.concat([frame(numbered(0, 8)), frame(numbered(1, 8))]));
    await sleep(50);
    expect(got).toEqual([]);
    pipe.resumeReading();
    pipe.resumeReading();
    await waitFor(() => got.length === 2, 2000, "frames");
    expect(got).toEqual([0, 1]);
  });

  it("closing a paused pipe works and discards what it holds", async () => {
    const { pipe, peer, detached } = await pair();
    const got: number[] = [];
    pipe.onMessage = (m) => {
      got.push(m.readUInt32BE(0));
      pipe.pauseReading();
    };
    peer.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(numbered(i, 10)))));
    await waitFor(() => got.length === 1, 2000, "first frame");
    expect(pipe.heldBytes).toBeGreaterThan(0);
    const ended = new Promise<void>((r) => peer.once("end", () => r()));
    peer.resume();
    pipe.close();
    expect(await pipe.closed).toBeUndefined();
    await ended; // the orderly close still ends the stream
    expect(pipe.heldBytes).toBe(0);
    expect(detached()).toBe(true);
    pipe.resumeReading(); // no-ops once closed
    pipe.pauseReading();
    await sleep(20);
    expect(got).toEqual([0]);
  });

  it("a peer that ends while the pipe is paused: its frames come first, then the pipe closes", async () => {
    const { pipe, peer } = await pair();
    const got: number[] = [];
    pipe.onMessage = (m) => got.push(m.readUInt32BE(0));
    pipe.pauseReading();
    peer.end(Buffer.concat(Array.from({ length: 30 }, (_, i) => frame(numbered(i, 100)))));
    await sleep(100);
    expect(pipe.isClosed).toBe(false);
    pipe.resumeReading();
    await pipe.closed;
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });
});

describe("tcp pipe: the send bound (SP-FRAMEWORK-27)", () => {
  /** Sends `size`-byte messages numbered from `from` while the pipe is writable; returns the next number. */
  function fill(pipe: TcpPipe, size: number, from = 0): number {
    let n = from;
    while (pipe.writable) {
      pipe.send(numbered(n++, size));
      if (n > 200_000) throw new Error("never reached the send bound");
    }
    return n;
  }

  /** Decodes what the raw peer receives (after the pipe's SP header). */
  function collect(peer: Socket): number[] {
    const seqs: number[] = [];
    const reader = new FrameReader({
      onHeader: () => {},
      onFrame: (f) => seqs.push(f.readUInt32BE(0)),
      onOversize: () => {},
      limit: () => 0,
    });
    peer.on("data", (c: Buffer) => reader.feed(c));
    return seqs;
  }

  it.each([
    ["the default 64 KiB bound", {}, 8 * 1024, "tcp"],
    ["a 1 KiB bound, under Node's own 16 KiB write mark", { sendBufferBytes: 1024 }, 4096, "tcp"],
    ["the default 64 KiB bound over TLS", {}, 8 * 1024, "tls"],
  ])(
    "writable goes false at %s while the peer does not read, and onWritable fires when it reads again",
    async (_what, options, size, kind) => {
      const { pipe, socket, peer } = await pair(options, kind as "tcp" | "tls");
      const seqs = collect(peer);
      peer.pause();
      let woken = 0;
      pipe.onWritable = () => woken++;
      // Fill until the operating system's buffers are full too: then nothing frees the
      // pipe any more (over TLS, writes complete asynchronously, so this takes rounds).
      let sent = 0;
      for (let before = -1; woken !== before; ) {
        before = woken;
        sent = fill(pipe, size, sent);
        expect(pipe.writable).toBe(false);
        await sleep(100);
      }
      expect(socket.writableLength).toBeGreaterThanOrEqual(pipe.sendBoundBytes / 2);
      expect(pipe.writable).toBe(false);
      const episodes = woken;
      peer.resume();
      await waitFor(() => woken === episodes + 1, 5000, "onWritable");
      expect(pipe.writable).toBe(true);
      await waitFor(() => seqs.length === sent, 5000, "all messages at the peer");
      expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i));
      await sleep(20);
      expect(woken).toBe(episodes + 1); // once per not-writable episode
    },
  );

  it("onWritable comes once per episode, and again for a new episode", async () => {
    const { pipe, peer } = await pair({ sendBufferBytes: 16 * 1024 });
    collect(peer);
    let woken = 0;
    pipe.onWritable = () => woken++;
    for (let round = 1; round <= 3; round++) {
      peer.pause();
      fill(pipe, 2048);
      await sleep(20);
      expect(woken).toBe(round - 1);
      peer.resume();
      await waitFor(() => woken === round, 5000, `onWritable ${round}`);
    }
  });

  it("a closed pipe is not writable and never calls onWritable", async () => {
    const { pipe, peer } = await pair({ sendBufferBytes: 4096 });
    peer.pause();
    let woken = 0;
    pipe.onWritable = () => woken++;
    fill(pipe, 1024);
    pipe.close();
    expect(pipe.writable).toBe(false);
    peer.resume();
    await sleep(100);
    expect(woken).toBe(0);
  });
});
