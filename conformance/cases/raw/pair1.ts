/**
 * Raw PAIR v1 (feature `raw`): the 4-byte hop-count word is the header. It
 * reaches the application as received, and a send transmits the given count
 * plus one (the transmission a device makes, SP-PAIR-15); a count that would
 * pass 255 is never transmitted.
 */
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  headerOf,
  listening,
  needs,
  peerExpect,
  recvMsg,
  recvNothing,
  T,
  wirePeer,
} from "./common.ts";

const RAW_PAIR1 = needs(["pair1"], ["raw"]);

/** Hop word in, hop word (incremented) out. */
const xpair1Header: ConformanceCase = {
  id: "raw/xpair1-hop-word",
  title: "raw PAIR v1 hands over the hop word and sends the given count plus one",
  requirements: ["SP-FRAMEWORK-4", "SP-PAIR-9", "SP-PAIR-15"],
  kind: "example",
  needs: RAW_PAIR1,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { raw: true });
    const peer = await wirePeer(ctx, url, "pair1", "pair1", "peer");
    // SP-FRAMEWORK-4: the header (hop count 3, within the default limit 8) is handed over.
    peer.sendFrame(concat(words(3), utf8("three hops")));
    const m = await recvMsg(ctx, sock, "a message with hop count 3");
    expectBytes(ctx, headerOf(m), words(3), "header handed to the application");
    expectBytes(ctx, m.data, "three hops", "body");
    // SP-PAIR-15 / SP-PAIR-9: forwarding keeps the header and adds one hop.
    await sock.send(utf8("forwarded"), { header: headerOf(m), timeoutMs: T.prompt });
    await peerExpect(ctx, peer, concat(words(4), utf8("forwarded")), "the forwarded message");
    // A message the application starts itself has count 0 and leaves with 1.
    await sock.send(utf8("fresh"), { header: words(0), timeoutMs: T.prompt });
    await peerExpect(ctx, peer, concat(words(1), utf8("fresh")), "a message with count 0");
  },
};

/** SP-PAIR-15: 255 + 1 must not go out (it would wrap to 0 or spill into the reserved bits). */
const xpair1Limit: ConformanceCase = {
  id: "raw/xpair1-hop-limit",
  title: "raw PAIR v1 never transmits a message whose hop count would pass 255",
  requirements: ["SP-PAIR-15"],
  kind: "example",
  needs: RAW_PAIR1,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { raw: true });
    const peer = await wirePeer(ctx, url, "pair1", "pair1", "peer");
    // Make sure the pipe is attached before the send we expect to be dropped.
    peer.sendFrame(concat(words(1), utf8("hi")));
    await recvMsg(ctx, sock, "the peer's first message");
    const r = await sock.trySend(utf8("too far"), { header: words(255), timeoutMs: T.prompt });
    ctx.note(r.ok ? "the send reported success" : `the send failed with ${r.code}`);
    const q = await peer.quiet(T.quiet * 2);
    if (q.kind === "data") {
      ctx.fail(`a message with hop count 255 was transmitted again: ${hex(q.bytes)}`);
    }
    // The pipe still works for a count within range.
    await sock.send(utf8("ok"), { header: words(1), timeoutMs: T.prompt });
    await peerExpect(ctx, peer, concat(words(2), utf8("ok")), "a message with count 1");
  },
};

/**
 * The hop limit's edge, both ways: a count equal to the limit is delivered
 * (SP-PAIR-11 discards only a count that exceeds it), and a message received
 * one hop below the limit is forwarded with the count at the limit
 * (SP-PAIR-15). A stack that compares with `>=` where the rule says "exceeds"
 * loses every message that took exactly the allowed number of hops.
 */
const xpair1AtLimit: ConformanceCase = {
  id: "raw/xpair1-at-hop-limit",
  title: "raw PAIR v1 delivers and forwards a message whose hop count equals the limit",
  requirements: ["SP-PAIR-10", "SP-PAIR-11", "SP-PAIR-15"],
  kind: "example",
  needs: RAW_PAIR1,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { raw: true });
    const peer = await wirePeer(ctx, url, "pair1", "pair1", "peer");
    // SP-PAIR-10: the default limit is 8, so a count of 8 is within it.
    peer.sendFrame(concat(words(8), utf8("eight")));
    const m8 = await recvMsg(ctx, sock, "a message with hop count 8 (the default limit)");
    expectBytes(ctx, headerOf(m8), words(8), "header of the message at the limit");
    peer.sendFrame(concat(words(7), utf8("seven")));
    const m7 = await recvMsg(ctx, sock, "a message with hop count 7");
    expectBytes(ctx, m7.data, "seven", "body");
    // Forwarded, it takes its eighth hop: the count on the wire equals the limit.
    await sock.send(utf8("seven"), { header: headerOf(m7), timeoutMs: T.prompt });
    await peerExpect(
      ctx,
      peer,
      concat(words(8), utf8("seven")),
      "the message forwarded at the limit",
    );
  },
};

/** SP-PAIR-13 on a raw socket: bad header words never reach the application. */
const xpair1BadHeader: ConformanceCase = {
  id: "raw/xpair1-bad-header",
  title: "raw PAIR v1 does not deliver messages with a malformed or over-limit hop word",
  requirements: ["SP-PAIR-11", "SP-PAIR-13", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: RAW_PAIR1,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { raw: true });
    const bad: [string, Uint8Array][] = [
      ["reserved bits set", concat(words(0x00010001), utf8("x"))],
      ["shorter than a word", new Uint8Array([0, 0, 1])],
      ["hop count over the default limit 8", concat(words(9), utf8("x"))],
    ];
    for (const [what, payload] of bad) {
      const peer = await wirePeer(ctx, url, "pair1", "pair1", what.replaceAll(" ", "-"));
      peer.sendFrame(payload);
      await recvNothing(ctx, sock, `the message had ${what}`);
      peer.close();
      await new Promise((res) => setTimeout(res, 100));
    }
    // A monogamous socket may take a moment to let go of the closed peer; retry a few times.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const good = await wirePeer(ctx, url, "pair1", "pair1", `good#${attempt}`);
      good.sendFrame(concat(words(1), utf8("good")));
      const r = await sock.tryRecvMessage({ timeoutMs: T.prompt / 2 });
      if (r.ok) {
        expectBytes(ctx, r.value.data, "good", "body of the good message");
        return;
      }
      good.close();
      await new Promise((res) => setTimeout(res, 100));
    }
    ctx.fail("the raw PAIR v1 socket never delivered a good message after the bad ones");
  },
};

/** SP-PAIR-12 on a raw socket: a hop count of zero never reaches the application. */
const xpair1HopZero: ConformanceCase = {
  id: "raw/xpair1-hop-zero",
  title: "raw PAIR v1 does not deliver a message with hop count zero",
  requirements: ["SP-PAIR-12", "SP-PAIR-22", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: RAW_PAIR1,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { raw: true });
    const peer = await wirePeer(ctx, url, "pair1", "pair1", "peer");
    peer.sendFrame(concat(words(0), utf8("zero")));
    await recvNothing(ctx, sock, "the message had hop count zero");
    // SP-PAIR-22 (SHOULD): the pipe stays open; a good message still arrives on it.
    if (peer.closed) {
      ctx.warn("the IUT closed the pipe of a message with hop count zero");
      return;
    }
    peer.sendFrame(concat(words(1), utf8("one")));
    const m = await recvMsg(ctx, sock, "a message with hop count 1 on the same pipe");
    expectBytes(ctx, m.data, "one", "body of the good message");
  },
};

/** Raw PAIR v1 cases, in run order. */
export const rawPair1Cases: readonly ConformanceCase[] = [
  xpair1Header,
  xpair1Limit,
  xpair1AtLimit,
  xpair1BadHeader,
  xpair1HopZero,
];
