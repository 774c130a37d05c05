/**
 * What a receive that times out does to the request or survey it waited for.
 * The drafts do not say: the reference keeps the request outstanding and the
 * survey running until its deadline, nng ends them (verdict info). The cases
 * fail only when the answer is lost some other way.
 */
import type { Outcome } from "../../adapters/iut.ts";
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, REQ_TCP, readRequest, reqDialing } from "./common.ts";

const T = { prompt: 2000, short: 150 } as const;

/** Checks the timed-out recv, then the recv after the answer was written. */
function judge(
  ctx: CaseContext,
  early: Outcome<Uint8Array>,
  got: Outcome<Uint8Array>,
  m: { what: string; body: Uint8Array },
): void {
  if (early.ok) ctx.fail(`recv delivered ${hex(early.value)} before any ${m.what}`);
  if (early.code !== "ETIMEDOUT")
    ctx.fail(`the first recv failed with ${early.code}, not ETIMEDOUT`);
  if (!got.ok && got.code === "ESTATE") {
    ctx.info(
      `the recv timeout ended what it waited for: the ${m.what} was dropped and recv failed with ESTATE`,
    );
    return;
  }
  if (!got.ok) ctx.fail(`after a recv timed out, the ${m.what} was not delivered: ${got.code}`);
  expectBytes(ctx, got.value, m.body, `${m.what} delivered after the timeout`);
}

export const reqRecvTimeoutKeepsRequest: ConformanceCase = {
  id: "reqrep/req-recv-timeout-keeps-request",
  title: "After a REQ recv times out, the reply to the outstanding request is still delivered",
  requirements: ["SP-REQREP-7", "SP-REQREP-11"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:recv", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("slow question"), { timeoutMs: T.prompt });
    const r = await readRequest(ctx, peer);
    const early = await req.tryRecv({ timeoutMs: T.short });
    peer.sendFrame(concat(words(r.id), utf8("late answer")));
    const got = await req.tryRecv({ timeoutMs: T.prompt });
    judge(ctx, early, got, { what: "reply", body: utf8("late answer") });
  },
};

export const reqRecvTimeoutCases: readonly ConformanceCase[] = [reqRecvTimeoutKeepsRequest];
