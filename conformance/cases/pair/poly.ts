/**
 * Polyamorous PAIR v1 cases: many peers at once, each heard, and a send
 * without a named peer reaching at most one of them (draft-sp-pair
 * §Polyamorous Operation). The adapter protocol cannot name a pipe, so
 * replies to a chosen peer are covered by the reference's own tests.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { attachedPeer, listening, pair1Msg, T, tcpNeeds } from "./common.ts";

/** Peers attached at once: more than any small fixed peer table. */
const PEERS = 10;

const manyPeers: ConformanceCase = {
  id: "pair/pair1poly-many-peers",
  title: "pair1 polyamorous accepts several peers, hears each, and sends to at most one",
  requirements: ["SP-PAIR-17", "SP-PAIR-20", "SP-PAIR-9"],
  kind: "example",
  needs: tcpNeeds("pair1poly"),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1poly");
    // attachedPeer checks that each peer's message is delivered. SP-PAIR-17 sets no
    // limit on the peers, so more than a small fixed table (8, the hop limit) would hold.
    const peers = [];
    for (let i = 0; i < PEERS; i++) {
      peers.push(await attachedPeer(ctx, sock, url, "pair1poly", String.fromCharCode(97 + i)));
    }
    for (const p of peers) if (p.closed) ctx.fail(`the IUT closed ${p.label}`);
    const r = await sock.trySend(utf8("to someone"), { timeoutMs: T.prompt });
    if (!r.ok) ctx.fail(`send without a named peer failed with ${r.code}`);
    await new Promise((res) => setTimeout(res, T.quiet));
    const want = pair1Msg(1, "to someone");
    let copies = 0;
    for (const p of peers) {
      if (p.buffered === 0) continue;
      const got = await p.readFrame(T.prompt);
      if (!sameBytes(got, want)) ctx.fail(`${p.label} got ${hex(got)}, expected ${hex(want)}`);
      copies++;
    }
    if (copies > 1) ctx.fail(`${copies} peers got the message; at most one may`);
    ctx.note(copies === 1 ? "one peer got the message" : "the message was discarded");
  },
};

/** Polyamorous PAIR v1 cases, in run order. */
export const polyCases: ConformanceCase[] = [manyPeers];
