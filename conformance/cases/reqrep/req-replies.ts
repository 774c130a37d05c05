/**
 * REQ's validation of replies (SP-REQREP-6): wrong id, top bit clear, too
 * short, and replies that arrive while nothing is outstanding.
 */
import { concat, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "./common.ts";

/** Replies with a wrong id or a clear top bit are ignored; the right one is delivered. */
export const reqIgnoresMismatched: ConformanceCase = {
  id: "reqrep/req-ignores-mismatched-replies",
  title: "REQ ignores replies with a wrong id or a clear top bit",
  requirements: ["SP-REQREP-6", "SP-REQREP-7"],
  kind: "malformed",
  needs: REQ_TCP,
  cat: { send: { req0: { data: "question", delay: 1 } } },
  // The reference drops the stray and mismatched replies before its machine (the socket
  // routes replies by id), so the unguarded req:idle:reply and req:waiting:reply are not walked.
  covers: ["req:waiting:reply[idMatches]", "req:waiting:reply", "req:idle:reply"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    // A stray reply before any request (it could only match by a 1-in-2^31 chance).
    peer.sendFrame(concat(words(0xfffffff0), utf8("stray")));
    await peer.expectNothing(T.quiet / 2, "stray reply must be ignored quietly");
    await req.send(utf8("question"), { timeoutMs: T.prompt });
    const r = await readRequest(ctx, peer);
    const wrongId = ((r.id ^ 0x00000001) | 0x80000000) >>> 0;
    peer.sendFrame(concat(words(wrongId), utf8("wrong id")));
    peer.sendFrame(concat(words(r.id & 0x7fffffff), utf8("top bit clear")));
    peer.sendFrame(concat(words(1, r.id), utf8("hop word first")));
    peer.sendFrame(concat(words(r.id), utf8("right")));
    const got = await iutRecv(ctx, req, "the matching reply");
    expectBytes(ctx, got, utf8("right"), "delivered reply");
  },
};

/** A reply shorter than 4 bytes is ignored; closing that connection is allowed. */
export const reqIgnoresShort: ConformanceCase = {
  id: "reqrep/req-ignores-short-reply",
  title: "REQ ignores replies shorter than 4 bytes (closing the connection is allowed)",
  requirements: ["SP-REQREP-6", "SP-REQREP-26"],
  kind: "malformed",
  needs: { ...REQ_TCP, options: ["req:resend-time", "reconnect-time-min"] },
  // The short replies never reach the reference's machine (the socket drops them, see above).
  covers: ["req:waiting:after:resendTime", "req:waiting:reply[idMatches]", "req:waiting:reply"],
  async run(ctx: CaseContext) {
    const { req, server, peer } = await reqDialing(ctx, {
      "req:resend-time": T.resend,
      "reconnect-time-min": T.reconnect,
    });
    await req.send(utf8("short?"), { timeoutMs: T.prompt });
    let current = peer;
    let r = await readRequest(ctx, current);
    for (const short of [new Uint8Array([0x80, 0, 0]), new Uint8Array(0)]) {
      current.sendFrame(short);
      if (await current.waitClosed(T.quiet)) {
        ctx.note(`closed the connection after a ${short.length}-byte reply (allowed)`);
        current = await server.accept(T.prompt);
        await current.handshake(0x31);
      }
      // Whatever happened, the request is still outstanding and comes again (resend 100 ms).
      const again = await readRequest(ctx, current);
      expectBytes(ctx, again.body, utf8("short?"), "resent request body");
      r = again;
    }
    // Answer a freshly arrived resend, well away from the next resend timer: replies that cross a
    // resend at the same instant are handled unevenly by implementations (seen with nanomsg).
    while (current.buffered > 0) r = await readRequest(ctx, current);
    r = await readRequest(ctx, current);
    current.sendFrame(concat(words(r.id), utf8("proper")));
    const got = await iutRecv(ctx, req, "the proper reply");
    expectBytes(ctx, got, utf8("proper"), "delivered reply");
  },
};

/**
 * SP-REQREP-33: a reply that arrives while the application is not receiving
 * is kept, and the next recv gets it at once; only one recv does. A REQ that
 * delivers replies only to a recv already waiting (and drops or refuses the
 * rest) passes every case in which the harness receives first.
 */
export const reqReplyKept: ConformanceCase = {
  id: "reqrep/req-reply-kept-until-recv",
  title: "REQ keeps a reply that arrives before recv and delivers it to the next recv, once",
  requirements: ["SP-REQREP-33", "SP-REQREP-7", "SP-REQREP-11", "SP-REQREP-24"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:reply[idMatches]", "req:idle:recv"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("question"), { timeoutMs: T.prompt });
    const r = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(r.id), utf8("answer")));
    // No recv is waiting while the reply crosses; give the IUT time to read it.
    // (Were it still in flight, the recv below would wait for it and the case pass
    // without exercising the rule, never fail.)
    await new Promise((res) => setTimeout(res, KEEP_WAIT_MS));
    const got = await iutRecv(ctx, req, "the reply that arrived before recv");
    expectBytes(ctx, got, utf8("answer"), "kept reply");
    const again = await req.tryRecv({ timeoutMs: 1000 });
    if (again.ok) ctx.fail(`a second recv delivered ${hex(again.value)}: the kept reply twice`);
    expectErrorName(ctx, again.code, "ESTATE", "recv after the kept reply was taken");
  },
};

/** How long the kept-reply case leaves the reply to arrive before it receives, ms. */
const KEEP_WAIT_MS = 300;

/**
 * SP-REQREP-33 with SP-REQREP-6: the first matching reply ends the request
 * and is kept until the application receives; a reply arriving after it,
 * before that receive, matches no outstanding request and must not touch the
 * kept one. Two rounds: a repeat with the same id, then a reply whose id
 * differs in one bit. A REQ that reads every reply into the slot of the kept
 * one, or stores "the latest matching reply", passes every case that
 * receives between the two.
 */
export const reqKeptReplyNotReplaced: ConformanceCase = {
  id: "reqrep/req-kept-reply-not-replaced",
  title:
    "REQ keeps the first matching reply; a later reply that arrives before recv does not replace it",
  requirements: ["SP-REQREP-33", "SP-REQREP-6", "SP-REQREP-24"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:reply[idMatches]", "req:idle:reply"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    const rounds = [
      { what: "a repeat with the same id", id: (id: number) => id },
      { what: "a reply whose id differs in bit 20", id: (id: number) => (id ^ (1 << 20)) >>> 0 },
    ];
    for (const round of rounds) {
      await req.send(utf8("question"), { timeoutMs: T.prompt });
      const r = await readRequest(ctx, peer);
      // Both on one connection, so the IUT reads "first" before "later".
      peer.sendFrame(concat(words(r.id), utf8("first")));
      peer.sendFrame(concat(words(round.id(r.id)), utf8("later")));
      await new Promise((res) => setTimeout(res, KEEP_WAIT_MS));
      const got = await iutRecv(ctx, req, "the reply that arrived before recv");
      if (!sameBytes(got, utf8("first"))) {
        ctx.fail(
          `recv delivered ${hex(got)}, not "first": ${round.what}, arriving while the first reply was kept, replaced it`,
        );
      }
      const again = await req.tryRecv({ timeoutMs: T.quiet });
      if (again.ok) ctx.fail(`a second recv delivered ${hex(again.value)} after ${round.what}`);
    }
  },
};

/** Cases of this file, in run order. */
export const reqReplyCases = [
  reqIgnoresMismatched,
  reqIgnoresShort,
  reqReplyKept,
  reqKeptReplyNotReplaced,
];
