/**
 * REQ's outstanding request over time: resend on a timer, resend when the
 * carrying connection goes away, and cancellation by a newer request.
 */
import { concat, utf8, word32, words } from "../../harness/sp.ts";
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
    // Arrival times at the suite can bunch copies together when either process
    // is descheduled, so single gaps prove nothing. What holds regardless of
    // lag: every copy left the IUT after `t0`, so if the IUT waits at least
    // half the resend time between copies (timer granularity differs between
    // stacks), no more than 1 + elapsed / (resend / 2) copies can have arrived.
    const slot = T.resend / 2;
    const t0 = performance.now();
    await req.send(utf8("again?"), { timeoutMs: T.prompt });
    const first = await readRequest(ctx, peer);
    let last = performance.now();
    for (let i = 1; i <= 2; i++) {
      const again = await readRequest(ctx, peer, T.prompt);
      const now = performance.now();
      expectBytes(ctx, again.payload, first.payload, `resend ${i}`);
      const allowed = 1 + Math.floor((now - t0) / slot);
      if (i + 1 > allowed) {
        ctx.fail(
          `${i + 1} copies within ${(now - t0).toFixed(0)} ms of the send (resend time ${T.resend} ms)`,
        );
      }
      ctx.note(`resend ${i} seen ${(now - last).toFixed(0)} ms after the previous copy`);
      last = now;
    }
    peer.sendFrame(concat(words(first.id), utf8("finally")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("finally"), "reply body");
    // Once answered, the request must not be sent again. Copies sent before the
    // reply was handled may still be on their way: at most 1 + (time since the
    // last copy we read) / slot of them. An IUT that kept resending would add
    // about four more over the window.
    const inFlight = 1 + Math.floor((performance.now() - last) / slot);
    const window = 4 * T.resend + T.quiet;
    const end = performance.now() + window;
    let copies = 0;
    for (let left = window; left > 0; left = end - performance.now()) {
      try {
        await peer.readFrame(left);
      } catch {
        break;
      }
      copies++;
    }
    if (copies > inFlight) {
      ctx.fail(
        `REQ kept resending after the reply was delivered: ${copies} copies in ${window} ms (at most ${inFlight} could have been in flight)`,
      );
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
  covers: ["req:waiting:send", "req:waiting:reply[idMatches]", "req:waiting:reply"],
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
