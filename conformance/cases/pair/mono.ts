/**
 * Cases every monogamous PAIR socket shares, generated for PAIR v0 and v1:
 * the connection header, peer checks, the single peer slot (draft-sp-pair
 * `pair-slot` machine), sends waiting for a peer, and ordering.
 */
import { concat, hex, spHeader, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  attachedPeer,
  iutExpect,
  iutNothing,
  listening,
  NUM,
  payloadFor,
  peerExpect,
  T,
  tcpNeeds,
} from "./common.ts";

type Mono = "pair0" | "pair1";

/** Foreign protocols that each version must refuse (SP-PAIR-1). */
const FOREIGN: Record<Mono, [string, number][]> = {
  pair0: [
    ["asPair1", NUM.pair1],
    ["asReq", NUM.req0],
    ["asBus", NUM.bus0],
  ],
  pair1: [
    ["asPair0", NUM.pair0],
    ["asBus", NUM.bus0],
  ],
};

function headerSent(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-tcp-header-sent`,
    title: `${p} sends its 8-byte header with protocol 0x${NUM[p].toString(16)} at once`,
    requirements: ["SP-PAIR-1", "SP-TCP-1", "SP-TCP-4", "SP-TCP-16"],
    kind: "example",
    needs: tcpNeeds(p),
    cat: {},
    covers: ["tcp-pipe:handshake:entry"],
    async run(ctx: CaseContext) {
      const { url } = await listening(ctx, p);
      const peer = await ctx.connect(url, "raw");
      const got = await peer.readExact(8, T.prompt, "the IUT's header (we sent nothing)");
      const want = spHeader({ protocol: NUM[p] });
      if (hex(got) !== hex(want)) ctx.fail(`header: expected ${hex(want)}, got ${hex(got)}`);
    },
  };
}

function wrongPeer(p: Mono): ConformanceCase {
  const other = p === "pair0" ? "PAIR v1" : "PAIR v0";
  return {
    id: `pair/${p}-wrong-peer-protocol`,
    title: `${p} closes connections from other protocols, ${other} included`,
    requirements: ["SP-PAIR-1", "SP-TCP-6", "SP-TCP-12", "SP-FRAMEWORK-9", "SP-FRAMEWORK-20"],
    kind: "malformed",
    needs: tcpNeeds(p),
    cat: {},
    covers: ["tcp-pipe:handshake:header[!peerCompatible]", "tcp-pipe:handshake:header"],
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      for (const [label, protocol] of FOREIGN[p]) {
        const peer = await ctx.connect(url, label);
        peer.sendHeader({ protocol });
        peer.sendFrame(payloadFor(p, `from 0x${protocol.toString(16)}`));
        await peer.expectClosed(T.prompt, `0x${protocol.toString(16)} is not a peer of ${p}`);
      }
      await iutNothing(ctx, sock, "only foreign peers sent messages");
      await attachedPeer(ctx, sock, url, p, "good");
    },
  };
}

const pair0Body: ConformanceCase = {
  id: "pair/pair0-no-header",
  title: "pair0 sends and delivers message bodies unchanged, without a protocol header",
  requirements: ["SP-PAIR-2"],
  kind: "example",
  needs: tcpNeeds("pair0"),
  cat: { send: { pair0: { data: "xyz" } } },
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair0");
    const peer = await attachedPeer(ctx, sock, url, "pair0", "peer");
    for (const body of [utf8("abc"), new Uint8Array(0), new Uint8Array([0, 0, 0, 1, 0xff])]) {
      peer.sendFrame(body);
      await iutExpect(ctx, sock, body, `a ${body.length}-byte message`);
    }
    await sock.send(utf8("xyz"), { timeoutMs: T.prompt });
    await peerExpect(ctx, peer, utf8("xyz"), "the frame sent by the IUT");
  },
};

const pair1FirstHop: ConformanceCase = {
  id: "pair/pair1-first-hop",
  title: "pair1 sends hop count 1 on the first hop and strips the header on receipt",
  requirements: ["SP-PAIR-8", "SP-PAIR-9", "SP-PAIR-14"],
  kind: "example",
  needs: tcpNeeds("pair1"),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    const peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    await sock.send(utf8("out"), { timeoutMs: T.prompt });
    await peerExpect(ctx, peer, concat(new Uint8Array([0, 0, 0, 1]), utf8("out")), "first hop");
    await sock.send(new Uint8Array(0), { timeoutMs: T.prompt });
    await peerExpect(ctx, peer, new Uint8Array([0, 0, 0, 1]), "an empty body on its first hop");
    peer.sendFrame(concat(new Uint8Array([0, 0, 0, 2]), utf8("in")));
    await iutExpect(ctx, sock, "in", "a body with hop count 2, header removed");
  },
};

function secondPeer(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-second-peer-rejected`,
    title: `${p} closes a second connection and keeps serving the first`,
    requirements:
      p === "pair1"
        ? ["SP-PAIR-3", "SP-PAIR-16", "SP-TCP-12", "SP-FRAMEWORK-20"]
        : ["SP-PAIR-3", "SP-TCP-12", "SP-FRAMEWORK-20"],
    kind: "example",
    needs: tcpNeeds(p),
    cat: { send: { [p]: { data: "to first" } } },
    covers: ["pair-slot:empty:pipeAdded", "pair-slot:occupied:pipeAdded"],
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      const first = await attachedPeer(ctx, sock, url, p, "first");
      const second = await ctx.connect(url, "second");
      await second.handshake(NUM[p]);
      second.sendFrame(payloadFor(p, "from the second"));
      await second.expectClosed(T.prompt, "a monogamous socket has a peer already");
      await iutNothing(ctx, sock, "the second connection was to be refused");
      first.sendFrame(payloadFor(p, "first again"));
      await iutExpect(ctx, sock, "first again", "a message from the first peer");
      await sock.send(utf8("to first"), { timeoutMs: T.prompt });
      await peerExpect(ctx, first, payloadFor(p, "to first"), "the IUT's message to the first");
      if (first.closed) ctx.fail("the first connection closed");
    },
  };
}

function newPeer(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-new-peer-after-leave`,
    title: `${p} accepts a new peer after the first one disconnected`,
    requirements: ["SP-PAIR-4"],
    kind: "example",
    needs: tcpNeeds(p),
    covers: ["pair-slot:occupied:pipeRemoved[isOccupant]", "pair-slot:empty:pipeAdded"],
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      const first = await attachedPeer(ctx, sock, url, p, "first");
      first.close();
      const next = await attachedPeer(ctx, sock, url, p, "next");
      await sock.send(utf8("to next"), { timeoutMs: T.prompt });
      await peerExpect(ctx, next, payloadFor(p, "to next"), "the IUT's message to the new peer");
    },
  };
}

function sendWaits(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-send-waits-for-peer`,
    title: `${p} send without a peer waits and delivers once a peer connects`,
    requirements: ["SP-PAIR-5", "SP-PAIR-6"],
    kind: "example",
    needs: tcpNeeds(p),
    covers: [
      "pair-slot:empty:send",
      "pair-slot:waiting:pipeAdded",
      "pair-slot:stalled:always[!sendsParked]",
    ],
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      let settled = false;
      const sending = sock.trySend(utf8("early"), { timeoutMs: 5000 }).finally(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, T.quiet));
      if (settled) {
        const r = await sending;
        if (!r.ok) ctx.fail(`send without a peer failed with ${r.code} before its timeout`);
        ctx.fail(
          "the send completed before any peer connected: the socket queued it, where SP-PAIR-5 says a send with no peer must wait",
        );
      }
      const peer = await ctx.connect(url, "late");
      await peer.handshake(NUM[p]);
      await peerExpect(ctx, peer, payloadFor(p, "early"), "the message sent before we came");
      const r = await sending;
      if (!r.ok) ctx.fail(`the waiting send failed with ${r.code}`);
    },
  };
}

function sendTimeout(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-send-timeout`,
    title: `${p} send without a peer fails with ETIMEDOUT at the send timeout`,
    requirements: ["SP-PAIR-5", "SP-FRAMEWORK-20"],
    kind: "example",
    needs: tcpNeeds(p),
    covers: ["pair-slot:waiting:after:sendTimeout", "pair-slot:waiting:always[!sendsParked]"],
    async run(ctx: CaseContext) {
      const { sock } = await listening(ctx, p);
      const r = await sock.trySend(utf8("nobody"), { timeoutMs: 200 });
      if (r.ok) {
        ctx.fail(
          "a send with no peer completed instead of failing with ETIMEDOUT at its timeout (SP-PAIR-5: it must wait, then time out)",
        );
      }
      expectErrorName(ctx, r.code, "ETIMEDOUT", "the send with no peer");
    },
  };
}

function order(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-order`,
    title: `${p} keeps message order in both directions`,
    requirements: ["SP-PAIR-6", "SP-FRAMEWORK-1", "SP-FRAMEWORK-2"],
    kind: "example",
    needs: tcpNeeds(p),
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      const peer = await attachedPeer(ctx, sock, url, p, "peer");
      const n = 20;
      for (let i = 0; i < n; i++) peer.sendFrame(payloadFor(p, `in ${i}`));
      for (let i = 0; i < n; i++) await iutExpect(ctx, sock, `in ${i}`, `message ${i} of ${n}`);
      for (let i = 0; i < n; i++) await sock.send(utf8(`out ${i}`), { timeoutMs: T.prompt });
      for (let i = 0; i < n; i++) {
        await peerExpect(ctx, peer, payloadFor(p, `out ${i}`), `message ${i} of ${n} from the IUT`);
      }
    },
  };
}

/** Sizes of the large messages: each over the 64 KiB a transport reads at a time. */
const LARGE_SIZES = [70 * 1024, 200 * 1024, 300 * 1024];

/** A large body whose every byte depends on `seed` and its offset, so no two bodies match. */
function largeBody(seed: number, size: number): Uint8Array {
  return new Uint8Array(size).map((_, k) => (k * 7 + seed * 31 + (k >> 8)) & 0xff || 1);
}

/** Where two byte arrays first differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * SP-FRAMEWORK-1, SP-PAIR-2, SP-PAIR-14: messages larger than one read of the
 * transport, with small ones between them, arrive whole and unchanged in both
 * directions: a receiver that assembles a payload from several reads must keep
 * every byte of it, and message boundaries stay where they were.
 */
function largeMessages(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-large-messages-whole`,
    title: `${p} delivers and sends messages of several hundred KiB whole and unchanged`,
    requirements: [
      "SP-FRAMEWORK-1",
      "SP-PAIR-2",
      "SP-PAIR-6",
      ...(p === "pair1" ? ["SP-PAIR-14"] : []),
    ],
    kind: "example",
    needs: tcpNeeds(p),
    timeoutMs: 30000,
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, p);
      const peer = await attachedPeer(ctx, sock, url, p, "peer");
      const bodies: Uint8Array[] = [];
      for (const [i, size] of LARGE_SIZES.entries()) {
        bodies.push(largeBody(i + 1, size));
        bodies.push(utf8(`small ${i}`));
      }
      // Peer to IUT: the IUT reads each large payload in several pieces.
      for (const b of bodies) peer.sendFrame(payloadFor(p, b));
      for (const [i, want] of bodies.entries()) {
        const r = await sock.tryRecv({ timeoutMs: 5000 });
        if (!r.ok) ctx.fail(`message ${i + 1} of ${bodies.length} was not delivered: ${r.code}`);
        const at = firstDifference(r.value, want);
        if (at >= 0) {
          ctx.fail(
            `message ${i + 1} (${want.length} bytes) was delivered as ${r.value.length} bytes, first differing at byte ${at}: ${hex(r.value.subarray(at, at + 8))} where ${hex(want.subarray(at, at + 8))} was sent`,
          );
        }
      }
      // IUT to peer.
      for (const b of bodies) await sock.send(b, { timeoutMs: 5000 });
      for (const [i, b] of bodies.entries()) {
        const want = payloadFor(p, b);
        const got = await peer.readFrame(5000, 1024 * 1024);
        const at = firstDifference(got, want);
        if (at >= 0) {
          ctx.fail(
            `the peer got message ${i + 1} (${want.length} bytes on the wire) as ${got.length} bytes, first differing at byte ${at}`,
          );
        }
      }
    },
  };
}

/** The monogamous cases of one PAIR version, in run order. */
export function monoCases(p: Mono): ConformanceCase[] {
  return [
    headerSent(p),
    wrongPeer(p),
    p === "pair0" ? pair0Body : pair1FirstHop,
    secondPeer(p),
    newPeer(p),
    sendWaits(p),
    sendTimeout(p),
    order(p),
    largeMessages(p),
  ];
}
