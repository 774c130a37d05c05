/**
 * PUSH send timeouts with no peer (draft-sp-pipeline §Blocking): each waiting
 * send has its own timeout. A later send with a shorter timeout fails at its
 * own expiry, not at that of an earlier send still waiting, and the earlier
 * send still goes out once a peer comes.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, PUSH_TCP, rawPeer, T } from "./common.ts";

/** Timeouts of the two sends (ms) and the bound the short one must fail within. */
const LONG = 3000;
const SHORT = 100;
const SHORT_EARLIEST = 80;
const SHORT_LATEST = 1500;

export const pushShortTimeoutFirst: ConformanceCase = {
  id: "pipeline/push-shorter-timeout-expires-first",
  title: "PUSH with no peer: a later send with a shorter timeout fails at its own timeout",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-6", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PUSH_TCP,
  covers: [
    "push:idle:block",
    "push:blocked:earlierDeadline",
    "push:blocked:after:sendTimeout",
    "push:blocked:ready",
  ],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    const x = new Pending(push.trySend(utf8("X"), { timeoutMs: LONG }));
    await sleep(20);
    const started = performance.now();
    const y = new Pending(push.trySend(utf8("Y"), { timeoutMs: SHORT }));
    await y.within(SHORT_LATEST + 500);
    const took = performance.now() - started;
    if (x.settled && x.outcome?.ok) {
      ctx.fail(
        "PUSH completed a send with no peer connected: it queued the message in the socket, where SP-PIPELINE-5 says the send must wait for a ready pipe",
      );
    }
    if (!y.settled)
      ctx.fail(`send Y (timeout ${SHORT} ms) still waits after ${Math.round(took)} ms`);
    const ry = y.outcome;
    if (ry?.ok) ctx.fail("send Y completed with no peer while send X still waited");
    // SP-PIPELINE-5: with no pipe ready, a send fails with ETIMEDOUT when its timeout expires.
    if (ry && !ry.ok) expectErrorName(ctx, ry.code, "ETIMEDOUT", "send Y");
    ctx.note(`send Y failed after ${Math.round(took)} ms`);
    if (took < SHORT_EARLIEST) ctx.fail(`send Y timed out after ${Math.round(took)} ms`);
    if (took >= SHORT_LATEST) {
      ctx.fail(`send Y timed out after ${Math.round(took)} ms, not near its ${SHORT} ms`);
    }
    if (x.settled) {
      const rx = x.outcome;
      ctx.fail(
        `send X (timeout ${LONG} ms) ${rx?.ok ? "completed" : `failed (${rx?.code})`} early`,
      );
    }
    // SP-PIPELINE-6: X was not discarded; a peer that comes now gets it, and only it.
    const pull = await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, "pull");
    const got = await pull.readFrame(T.prompt);
    if (!sameBytes(got, utf8("X"))) ctx.fail(`the PULL peer got ${hex(got)}, expected X`);
    const rx = await x.promise;
    if (!rx.ok) ctx.fail(`send X failed with ${rx.code} after a peer came`);
    await pull.expectNothing(T.quiet, "send Y timed out, so nothing else may arrive");
  },
};

/** Send-timeout cases of PUSH, in run order. */
export const pushTimeoutCases: ConformanceCase[] = [pushShortTimeoutFirst];
