/** Self-tests of the flow-control helpers (conformance/harness/flood.ts), no IUT needed. */
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { FloodPeer } from "./flood.ts";
import {
  BOUND_SLACK,
  receiverBound,
  SYSCTL_FALLBACK,
  senderBound,
  tcpLimits,
} from "./flow-bounds.ts";
import { LOOPBACK } from "./hosts.ts";
import { bodySeq, describeSequenceError, numberedBody } from "./numbered.ts";
import { FrameReader } from "./reader-peer.ts";
import { frame, spHeader } from "./sp.ts";
import { Transcript } from "./transcript.ts";

const MiB = 1024 * 1024;

describe("bounds", () => {
  const proc: Record<string, string> = {
    "/proc/sys/net/ipv4/tcp_wmem": "4096\t16384\t4194304\n",
    "/proc/sys/net/ipv4/tcp_rmem": "4096\t131072\t6291456\n",
    "/proc/sys/net/core/wmem_max": "212992\n",
    "/proc/sys/net/core/rmem_max": "4194304\n",
  };
  const read = (p: string) => {
    const v = proc[p];
    if (v === undefined) throw new Error(`ENOENT ${p}`);
    return v;
  };

  test("the sysctls are read, and a missing one falls back to 16 MiB", () => {
    const l = tcpLimits(read);
    expect(l).toMatchObject({
      wmemMax: 4194304,
      rmemInitial: 131072,
      rmemMax: 6291456,
      coreWmemMax: 212992,
      coreRmemMax: 4194304,
      source: "/proc/sys/net",
    });
    const partial = tcpLimits((p) => (p.endsWith("tcp_rmem") ? "garbage" : read(p)));
    expect(partial.rmemMax).toBe(SYSCTL_FALLBACK);
    expect(partial.rmemInitial).toBe(SYSCTL_FALLBACK);
    expect(partial.source).toMatch(
      /16 MiB for unreadable ipv4\/tcp_rmem\[1\], ipv4\/tcp_rmem\[2\]/,
    );
  });

  test("the receiver bound adds both kernels, the allowance and the slack", () => {
    const l = tcpLimits(read);
    const b = receiverBound(l, { bytes: 1000, why: "test" });
    // The IUT's kernel: max(tcp_rmem[2] 6 MiB, 2 × rmem_max 8 MiB).
    expect(b.bytes).toBe(4194304 + 8 * MiB + 1000 + BOUND_SLACK);
    expect(b.derivation).toMatch(/tcp_wmem\[2\] 4 MiB/);
    expect(b.derivation).toMatch(/IUT allowance 1000 B \(test\)/);
  });

  test("the sender bound counts the non-reading peer's initial buffer, not its maximum", () => {
    const l = tcpLimits(read);
    const b = senderBound(l, { bytes: 0, why: "none" }, 80 * 1024);
    expect(b.bytes).toBe(4194304 + 2 * 131072 + 80 * 1024 + BOUND_SLACK);
  });
});

describe("numbered bodies", () => {
  test("round trip, and damage is told apart", () => {
    expect(bodySeq(numberedBody(7))).toBe(7);
    expect(bodySeq(numberedBody(300, 64), 64)).toBe(300);
    expect(bodySeq(numberedBody(7).subarray(1))).toMatch(/a body of 65535 bytes/);
    const spliced = numberedBody(7);
    spliced.set(numberedBody(8).subarray(60000), 60000);
    expect(bodySeq(spliced)).toMatch(/starts as #7 and ends as #8/);
    const dirty = numberedBody(7);
    dirty[4 + 509 * 3] = 0;
    expect(bodySeq(dirty)).toMatch(/has byte 0 at offset 1531/);
  });

  test("sequence errors name the first difference", () => {
    expect(describeSequenceError([0, 1, 2], 3)).toBeUndefined();
    expect(describeSequenceError([0, 2], 3)).toMatch(/#1 is missing/);
    expect(describeSequenceError([0, 1, 1], 3)).toMatch(/#1 arrived twice/);
    expect(describeSequenceError([0, 1], 3)).toMatch(/only 2 of 3/);
  });
});

/** A raw SP listener: answers the header, then reads everything or nothing. */
async function spServer(
  mode: "read" | "stall",
): Promise<{ server: Server; port: number; conns: Socket[] }> {
  const conns: Socket[] = [];
  const server = createServer((s) => {
    conns.push(s);
    s.write(spHeader({ protocol: 0x51 }));
    if (mode === "stall") s.pause();
    else s.on("data", () => {});
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
  return { server, port: (server.address() as { port: number }).port, conns };
}

describe("flood peer and frame reader", () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  test("a peer that stops reading stalls the flood; when it reads, every frame arrives in order", async () => {
    const { server, port, conns } = await spServer("stall");
    cleanup.push(() => server.close());
    const peer = await FloodPeer.connect(
      { host: LOOPBACK, port },
      0x50,
      "flood",
      new Transcript(),
      (n) => numberedBody(n),
    );
    cleanup.push(() => peer.close());
    const r = await peer.flood({ limit: 256 * MiB, stallMs: 300, maxMs: 8000 });
    expect(r.stalled).toBe(true);
    expect(r.closed).toBe(false);
    expect(r.accepted).toBeLessThan(64 * MiB);
    expect(r.frames * (8 + 65536)).toBeGreaterThanOrEqual(r.accepted);
    // Read everything the peer wrote, frame by frame.
    const s = conns[0] as Socket;
    const seqs: number[] = [];
    let pending = Buffer.alloc(0);
    let header = 8; // the peer's SP header comes first
    s.on("data", (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      const skip = Math.min(header, pending.length);
      header -= skip;
      pending = pending.subarray(skip);
      while (pending.length >= 8) {
        const len = Number(pending.readBigUInt64BE(0));
        if (pending.length < 8 + len) break;
        seqs.push(bodySeq(new Uint8Array(pending.subarray(8, 8 + len))) as number);
        pending = pending.subarray(8 + len);
      }
    });
    s.resume();
    expect(await peer.drained(5000)).toBe(true);
    for (let i = 0; i < 50 && seqs.length < r.frames; i++)
      await new Promise((res) => setTimeout(res, 20));
    expect(describeSequenceError(seqs, r.frames)).toBeUndefined();
  });

  test("a peer that reads everything never stalls the flood", async () => {
    const { server, port } = await spServer("read");
    cleanup.push(() => server.close());
    const peer = await FloodPeer.connect(
      { host: LOOPBACK, port },
      0x50,
      "flood",
      new Transcript(),
      (n) => numberedBody(n),
    );
    cleanup.push(() => peer.close());
    const r = await peer.flood({ limit: 32 * MiB, stallMs: 300, maxMs: 8000 });
    expect(r.stalled).toBe(false);
    expect(r.accepted).toBeGreaterThanOrEqual(32 * MiB);
  });

  test("a paused frame reader reads nothing until resumed, then every frame", async () => {
    const conns: Socket[] = [];
    const server = createServer((s) => {
      conns.push(s);
      s.write(spHeader({ protocol: 0x50 }));
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const reader = await FrameReader.connect(
      { host: LOOPBACK, port },
      0x51,
      "r",
      new Transcript(),
      (p) => bodySeq(p, 64),
      {
        paused: true,
      },
    );
    cleanup.push(() => reader.close());
    const s = conns[0] as Socket;
    for (let i = 0; i < 20; i++) s.write(frame(numberedBody(i, 64)));
    await new Promise((res) => setTimeout(res, 100));
    expect(reader.seqs).toEqual([]);
    reader.resume();
    expect(await reader.until(() => reader.seqs.length === 20, 2000)).toBe(true);
    expect(reader.seqs).toEqual([...Array(20).keys()]);
    s.write(frame(new Uint8Array(3)));
    expect(await reader.until(() => reader.bad !== undefined, 2000)).toBe(true);
    expect(reader.bad).toMatch(/a body of 3 bytes/);
  });
});
