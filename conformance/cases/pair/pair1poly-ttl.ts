/**
 * Polyamorous PAIR v1 honours ttl-max like the monogamous one (SP-PAIR-10,
 * SP-PAIR-11). The draft states the hop limit for every PAIR v1 receiver, so a
 * polyamorous socket (feature `pipes`, option `pair1:polyamorous`) with
 * ttl-max 3 delivers hop count 3 and drops 4, and with ttl-max 15 delivers 15
 * (beyond the default 8) and drops 16. Dropping SHOULD keep the pipe open; a
 * close is a warning. Each dropped message is followed by a valid sentinel
 * (see pair1.ts), so "not delivered" needs no long wait.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectBytes, listening, needs, recvMsg, wirePeer } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { pair1Msg } from "./common.ts";
import { expectDropped } from "./pair1.ts";

const POLY_TTL = needs(["pair1"], ["pipes"], ["pair1:polyamorous", "ttl-max"]);

/** Connects a raw PAIR v1 peer and confirms the socket attached it (its hello arrives with a pipe id). */
async function polyPeer(
  ctx: CaseContext,
  sock: IutSocket,
  url: string,
  label: string,
): Promise<WirePeer> {
  const peer = await wirePeer(ctx, url, "pair1", "pair1", label);
  peer.sendFrame(pair1Msg(1, `hello from ${label}`));
  const m = await recvMsg(ctx, sock, `${label}'s hello (hop 1)`);
  expectBytes(ctx, m.data, `hello from ${label}`, `${label}'s hello`);
  return peer;
}

/**
 * With the hop limit `limit` in force: hop `limit` is delivered, hop
 * `limit + 1` is dropped (MUST), the pipe SHOULD stay open. Returns the
 * peer to go on with (a fresh one when the IUT closed this one).
 */
async function checkPolyLimit(
  ctx: CaseContext,
  sock: IutSocket,
  url: string,
  peer: WirePeer,
  limit: number,
): Promise<WirePeer> {
  peer.sendFrame(pair1Msg(limit, `hop ${limit}`));
  const m = await recvMsg(ctx, sock, `a message with hop count ${limit} (ttl-max ${limit})`);
  expectBytes(ctx, m.data, utf8(`hop ${limit}`), `the message with hop count ${limit}`);
  const r = await expectDropped(
    ctx,
    sock,
    peer,
    pair1Msg(limit + 1, `hop ${limit + 1}`),
    `hop count ${limit + 1} with ttl-max ${limit}`,
  );
  if (r === "kept") return peer;
  ctx.warn(`the IUT closed the connection after hop ${limit + 1} (SHOULD stay open)`);
  return polyPeer(ctx, sock, url, `after${limit + 1}`);
}

const polyHopLimitSet: ConformanceCase = {
  id: "pair/pair1poly-hop-limit-set",
  title: "pair1 polyamorous applies a hop limit set through ttl-max (3, then 15)",
  requirements: ["SP-PAIR-11", "SP-PAIR-10", "SP-PAIR-22", "SP-PAIR-17"],
  kind: "malformed",
  needs: POLY_TTL,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1", {
      options: { "pair1:polyamorous": 1, "ttl-max": 3 },
    });
    // Two peers: a polyamorous socket applies the limit to each of its pipes.
    const a = await polyPeer(ctx, sock, url, "a");
    const b = await polyPeer(ctx, sock, url, "b");
    await checkPolyLimit(ctx, sock, url, a, 3);
    await checkPolyLimit(ctx, sock, url, b, 3);
    // Above the default of 8: a fixed limit would drop hop 15.
    await sock.setopt("ttl-max", 15);
    const c = await polyPeer(ctx, sock, url, "c");
    await checkPolyLimit(ctx, sock, url, c, 15);
  },
};

/** Cases of this file, in run order. */
export const pair1PolyTtlCases: readonly ConformanceCase[] = [polyHopLimitSet];
