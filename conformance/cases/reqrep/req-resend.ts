/**
 * REQ's outstanding request over time: resend on a timer, resend when the
 * carrying connection goes away, and cancellation by a newer request.
 */
import { concat, hex, utf8, word32, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "./common.ts";

/** With a 100 ms resend time the same request goes out again, repeatedly, until answered. */
export const reqResendTimer: ConformanceCase = {
  id: "reqrep/req-resend-after-timer",
  title: "REQ resends an unanswered request after the resend time, and stops once answered",
  requirements: ["SP-REQREP-8"],
  kind: "example",
  needs: { ...REQ_TCP, options: ["req:resend-time"] },
  covers: ["req:waiting:after:resendTime", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx, { "req:resend-time": T.resend });
    await req.send(utf8("again?"), { timeoutMs: T.prompt });
    const first = await readRequest(ctx, peer);
    let last = performance.now();
    for (let i = 1; i <= 2; i++) {
      const again = await readRequest(ctx, peer, T.prompt);
      const gap = performance.now() - last;
      last = performance.now();
      expectBytes(ctx, again.payload, first.payload, `resend ${i}`);
      // Timer granularity differs between stacks; only a resend at well under half the
      // interval counts as "not waiting for the resend time".
      if (gap < T.resend / 2) {
        ctx.fail(
          `resend ${i} came ${gap.toFixed(0)} ms after the previous copy (resend time ${T.resend} ms)`,
        );
      }
      ctx.note(`resend ${i} after ${gap.toFixed(0)} ms`);
    }
    peer.sendFrame(concat(words(first.id), utf8("finally")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("finally"), "reply body");
    // Once answered, the request must not be sent again. Allow one copy already in flight.
    const r = await peer.quiet(T.quiet + T.resend);
    if (r.kind === "data" && r.bytes.length > 8 + first.payload.length) {
      ctx.fail(`REQ kept resending after the reply was delivered: ${hex(r.bytes)}`);
    }
  },
};

/** When the connection that carried the request closes, REQ SHOULD resend at once on a new one. */
export const reqResendOnDisconnect: ConformanceCase = {
  id: "reqrep/req-resend-on-disconnect",
  title: "REQ resends at once when the connection carrying the request goes away (SHOULD)",
  requirements: ["SP-REQREP-9", "SP-REQREP-12", "SP-TCP-13"],
  kind: "example",
  needs: { ...REQ_TCP, options: ["reconnect-time-min"] },
  covers: [
    "req:waiting:pipeRemoved[carriedRequest]",
    "req:pending:pipeAdded",
    "tcp-dialer:connected:pipeClosed",
    "tcp-dialer:backoff:after:reconnectDelay",
  ],
  async run(ctx: CaseContext) {
    // The resend time stays at its default (60 s), far beyond this case's waits.
    const { req, server, peer } = await reqDialing(ctx, { "reconnect-time-min": T.reconnect });
    await req.send(utf8("carry me"), { timeoutMs: T.prompt });
    const first = await readRequest(ctx, peer);
    peer.close();
    const second = await server.accept(T.prompt);
    await second.handshake(0x31);
    let again: Awaited<ReturnType<typeof readRequest>>;
    try {
      again = await readRequest(ctx, second, 1500);
    } catch {
      ctx.warn("the request was not resent within 1500 ms of the reconnect");
      return;
    }
    if (again.id !== first.id) {
      ctx.note(`resent with a new id ${word32(again.id)} (first was ${word32(first.id)})`);
    }
    expectBytes(ctx, again.body, first.body, "resent body");
    second.sendFrame(concat(words(again.id), utf8("got it")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("got it"), "reply body");
  },
};

/** A new request replaces the outstanding one; a late reply to the old one is dropped. */
export const reqCancelByNewRequest: ConformanceCase = {
  id: "reqrep/req-cancel-by-new-request",
  title: "A new request cancels the outstanding one; its late reply is dropped",
  requirements: ["SP-REQREP-10", "SP-REQREP-6"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:send", "req:waiting:reply", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("old"), { timeoutMs: T.prompt });
    const a = await readRequest(ctx, peer);
    await req.send(utf8("new"), { timeoutMs: T.prompt });
    const b = await readRequest(ctx, peer);
    if (b.id === a.id) ctx.fail(`the new request reused the old id ${word32(a.id)}`);
    expectBytes(ctx, b.body, utf8("new"), "body of the new request");
    peer.sendFrame(concat(words(a.id), utf8("late reply to old")));
    peer.sendFrame(concat(words(b.id), utf8("reply to new")));
    const got = await iutRecv(ctx, req, "the reply to the new request");
    expectBytes(ctx, got, utf8("reply to new"), "delivered reply");
  },
};

/** Cases of this file, in run order. */
export const reqResendCases = [reqResendTimer, reqResendOnDisconnect, reqCancelByNewRequest];
