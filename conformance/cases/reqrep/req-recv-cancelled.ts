/** A new request while a recv waits for the old one: `reqrep/req-recv-cancelled-by-new-request`. */
import { concat, utf8, word32, words } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "./common.ts";

/**
 * The application waits in recv for request "old", then sends "new". The
 * waiting recv SHOULD fail with ECANCELED (SP-REQREP-37; nng does); a recv
 * that goes on waiting and gets the reply to "new" conforms with a warning
 * (nanomsg does). Either way the late reply to "old" never reaches the
 * application (SP-REQREP-10), and a recv that fails under another name than
 * ECANCELED warns (SP-FRAMEWORK-20), unless the name claims the socket
 * closed or the recv timed out.
 */
const reqRecvCancelled: ConformanceCase = {
  id: "reqrep/req-recv-cancelled-by-new-request",
  title: "A recv waiting for a request that a new request cancels fails with ECANCELED (SHOULD)",
  requirements: ["SP-REQREP-37", "SP-REQREP-10", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:recv", "req:waiting:send"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("old"), { timeoutMs: T.prompt });
    const a = await readRequest(ctx, peer);
    const waiting = req.tryRecv({ timeoutMs: T.prompt + 1000 });
    await sleep(100); // let the recv reach the IUT
    await req.send(utf8("new"), { timeoutMs: T.prompt });
    const b = await readRequest(ctx, peer);
    if (b.id === a.id) ctx.fail(`the new request reused the old id ${word32(a.id)}`);
    peer.sendFrame(concat(words(a.id), utf8("late reply to old")));
    await sleep(100); // the late reply arrives first
    peer.sendFrame(concat(words(b.id), utf8("reply to new")));
    const w = await waiting;
    if (w.ok) {
      expectBytes(ctx, w.value, utf8("reply to new"), "the recv that outlived the old request");
      ctx.warn(
        "the recv waiting for the cancelled request went on and returned the new request's reply: it SHOULD fail with ECANCELED (SP-REQREP-37)",
      );
      return;
    }
    expectErrorName(ctx, w.code, "ECANCELED", "the recv waiting for the cancelled request", {
      ECLOSED: "the socket is open",
    });
    const got = await iutRecv(ctx, req, "the reply to the new request");
    expectBytes(ctx, got, utf8("reply to new"), "delivered reply");
  },
};

/** Cases of this file, in run order. */
export const reqRecvCancelledCases: readonly ConformanceCase[] = [reqRecvCancelled];
