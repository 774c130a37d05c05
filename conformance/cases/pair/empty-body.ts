/**
 * PAIR v1: a message that is exactly the 4-byte header has an empty body,
 * which is a message like any other (draft-sp-pair §PAIR Version 1 Header:
 * "body (any length, possibly empty)"). Only messages shorter than the
 * header are malformed.
 */
import { hex, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { attachedPeer, iutExpect, iutRecv, listening, pair1Msg, tcpNeeds } from "./common.ts";

export const pair1EmptyBody: ConformanceCase = {
  id: "pair/pair1-empty-body",
  title: "pair1 delivers a header-only message as an empty message, and the next one after it",
  requirements: ["SP-PAIR-13", "SP-PAIR-14"],
  kind: "example",
  needs: tcpNeeds("pair1"),
  cat: {},
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    const peer = await attachedPeer(ctx, sock, url, "pair1", "peer");
    // SP-PAIR-13 discards only messages shorter than four bytes; hop count 1 is valid.
    peer.sendFrame(words(1));
    peer.sendFrame(pair1Msg(1, "after the empty one"));
    const first = await iutRecv(ctx, sock, "the header-only message");
    if (first.length !== 0) {
      ctx.fail(`a header-only message must arrive as an empty body, got ${hex(first)} first`);
    }
    // SP-PAIR-14: the header is removed; the pipe stays usable.
    await iutExpect(ctx, sock, "after the empty one", "the message after the empty one");
    if (peer.closed) ctx.fail("the IUT closed the connection after a header-only message");
  },
};
