/**
 * PAIR v1 header cases: the hop limit (default and set through `ttl-max`),
 * hop count zero, reserved bits, short messages (draft-sp-pair §Receiving
 * PAIR Version 1 Messages). Each bad message is followed by a valid sentinel,
 * so "not delivered" is checked without waiting for a timeout.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, utf8, word32 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { attachedPeer, iutRecv, listening, pair1Msg, T, tcpNeeds } from "./common.ts";

/** How long a sentinel may take when the IUT kept the pipe (ms). */
export const SENTINEL_WAIT = 600;

/**
 * Sends `bad` and then a valid sentinel on `peer`; fails if the IUT delivers
 * the bad body. Returns whether the IUT closed the connection instead of
 * delivering the sentinel.
 */
export async function expectDropped(
  ctx: CaseContext,
  sock: IutSocket,
  peer: WirePeer,
  bad: Uint8Array,
  what: string,
): Promise<"kept" | "closed"> {
  const sentinel = `sentinel after ${what}`;
  peer.sendFrame(bad);
  if (!peer.closed) peer.sendFrame(pair1Msg(1, sentinel));
  // The sentinel follows at once when the pipe is kept; a closed pipe delivers nothing.
  const r = await sock.tryRecv({ timeoutMs: SENTINEL_WAIT });
  if (r.ok) {
    const text = new TextDecoder().decode(r.value);
    if (text === sentinel) return "kept";
    ctx.fail(`${what} (${hex(bad)}) must be discarded, yet the IUT delivered ${hex(r.value)}`);
  }
  if (!(await peer.waitClosed(T.quiet))) {
    ctx.fail(`after ${what} the IUT delivered nothing (${r.code}) and kept the connection`);
  }
  return "closed";
}

/** Checks hops `ok` is delivered and `ok + 1` dropped with the pipe left open (SHOULD). */
async function checkLimit(
  ctx: CaseContext,
  sock: IutSocket,
  peer: WirePeer,
  limit: number,
): Promise<void> {
  peer.sendFrame(pair1Msg(limit, `hop ${limit}`));
  const got = new TextDecoder().decode(await iutRecv(ctx, sock, `a message with hop ${limit}`));
  if (got !== `hop ${limit}`) ctx.fail(`expected "hop ${limit}", got "${got}"`);
  const r = await expectDropped(ctx, sock, peer, pair1Msg(limit + 1, "over"), `hop ${limit + 1}`);
  if (r === "closed") {
    ctx.warn(`the IUT closed the connection after hop ${limit + 1} (SHOULD stay open)`);
  }
}

const hopLimitDefault: ConformanceCase = {
  id: "pair/pair1-hop-limit-default",
  title: "pair1 delivers hop count 8 and drops 9 by default, keeping the pipe",
  requirements: ["SP-PAIR-10", "SP-PAIR-11", "SP-PAIR-22"],
  kind: "malformed",
  needs: tcpNeeds("pair1"),
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    const peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    await checkLimit(ctx, sock, peer, 8);
  },
};

const hopLimitSet: ConformanceCase = {
  id: "pair/pair1-hop-limit-set",
  title: "pair1 applies a hop limit set through ttl-max (3, then 15)",
  requirements: ["SP-PAIR-10", "SP-PAIR-11", "SP-PAIR-22"],
  kind: "malformed",
  needs: tcpNeeds("pair1", ["ttl-max"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", { "ttl-max": 3 });
    const peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    await checkLimit(ctx, sock, peer, 3);
    await sock.setopt("ttl-max", 15);
    const again = peer.closed ? await attachedPeer(ctx, sock, url, "pair1", "again") : peer;
    await checkLimit(ctx, sock, again, 15);
  },
};

const hopZero: ConformanceCase = {
  id: "pair/pair1-hop-zero",
  title: "pair1 drops a message with hop count 0",
  requirements: ["SP-PAIR-12", "SP-PAIR-22"],
  kind: "malformed",
  needs: tcpNeeds("pair1"),
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    const peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    const r = await expectDropped(ctx, sock, peer, pair1Msg(0, "hop zero"), "hop count 0");
    if (r === "closed") ctx.warn("the IUT closed the connection after hop 0 (SHOULD stay open)");
  },
};

const reservedBits: ConformanceCase = {
  id: "pair/pair1-reserved-bits",
  title: "pair1 drops messages whose header has reserved bits set (it may close the pipe)",
  requirements: ["SP-PAIR-13", "SP-PAIR-23", "SP-PAIR-8", "SP-TCP-12"],
  kind: "malformed",
  needs: tcpNeeds("pair1"),
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    let peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    for (const word of [0x00000101, 0x00010001, 0x01000001, 0x80000001, 0xffffff01]) {
      if (peer.closed) peer = await attachedPeer(ctx, sock, url, "pair1", `after${word32(word)}`);
      const r = await expectDropped(
        ctx,
        sock,
        peer,
        pair1Msg(word, "bad"),
        `header ${word32(word)}`,
      );
      ctx.note(`header ${word32(word)}: message dropped, connection ${r}`);
    }
    // The socket still serves: on the peer it kept, or (a monogamous PAIR refuses
    // a second peer while one is attached, SP-PAIR-3) on a new one once it closed.
    const last = peer.closed ? await attachedPeer(ctx, sock, url, "pair1", "good") : peer;
    last.sendFrame(pair1Msg(1, utf8("still served")));
    const got = new TextDecoder().decode(await iutRecv(ctx, sock, "a valid message"));
    if (got !== "still served") ctx.fail(`expected "still served", got "${got}"`);
  },
};

const shortMessage: ConformanceCase = {
  id: "pair/pair1-short-message",
  title: "pair1 drops messages shorter than the 4-byte header (it may close the pipe)",
  requirements: ["SP-PAIR-13", "SP-PAIR-23", "SP-TCP-9", "SP-TCP-12"],
  kind: "malformed",
  needs: tcpNeeds("pair1"),
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    let peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    for (const bytes of [new Uint8Array(0), new Uint8Array([1]), new Uint8Array([0, 0, 1])]) {
      if (peer.closed) peer = await attachedPeer(ctx, sock, url, "pair1", `after${bytes.length}`);
      const r = await expectDropped(ctx, sock, peer, bytes, `a ${bytes.length}-byte message`);
      ctx.note(`${bytes.length}-byte message: dropped, connection ${r}`);
    }
    const last = peer.closed ? await attachedPeer(ctx, sock, url, "pair1", "good") : peer;
    last.sendFrame(pair1Msg(1, utf8("fine")));
    const got = new TextDecoder().decode(await iutRecv(ctx, sock, "a valid message"));
    if (got !== "fine") ctx.fail(`expected "fine", got "${got}"`);
  },
};

/** PAIR v1 header cases, in run order. */
export const pair1HeaderCases: ConformanceCase[] = [
  hopLimitDefault,
  hopLimitSet,
  hopZero,
  reservedBits,
  shortMessage,
];
