/**
 * REQ delivers one reply per request (SP-REQREP-24): a second reply with
 * the same id is dropped.
 */
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "./common.ts";

/** A reply repeated by the peer reaches the application once. */
export const reqDuplicateReply: ConformanceCase = {
  id: "reqrep/req-duplicate-reply-dropped",
  title: "REQ delivers one reply per request and drops a repeated reply with the same id",
  requirements: ["SP-REQREP-24", "SP-REQREP-6"],
  kind: "malformed",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:waiting:reply[idMatches]", "req:idle:reply", "req:waiting:reply"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("once"), { timeoutMs: T.prompt });
    const { id } = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(id), utf8("first")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("first"), "reply");
    // The same id again, after its reply was delivered: recv must not deliver it
    // (ESTATE, as no request is outstanding, or a timeout).
    peer.sendFrame(concat(words(id), utf8("again")));
    await peer.expectNothing(T.quiet, "letting the repeated reply arrive");
    const dup = await req.tryRecv({ timeoutMs: T.quiet });
    if (dup.ok) ctx.fail(`the IUT delivered a second reply for one request: ${hex(dup.value)}`);
    ctx.note(`recv after the repeated reply: ${dup.code}`);
    // The next request still gets its own reply.
    await req.send(utf8("twice"), { timeoutMs: T.prompt });
    const next = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(id), utf8("stale")));
    peer.sendFrame(concat(words(next.id), utf8("second")));
    expectBytes(ctx, await iutRecv(ctx, req, "the second reply"), utf8("second"), "reply");
  },
};

export const reqDuplicateReplyCases: readonly ConformanceCase[] = [reqDuplicateReply];
