/**
 * Closing a RESPONDENT idle and while it holds a survey: the pending recv
 * fails with ECLOSED, the held survey is dropped unanswered, and the
 * connection goes.
 */
import { concat, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import {
  expectClosedOp,
  expectConnectionClosed,
  stillPending,
  T,
  withPeer,
} from "../common/close.ts";
import { Pending } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

export const respondentCloseIdle: ConformanceCase = {
  id: "survey/respondent-close-idle",
  title: "Closing an idle RESPONDENT fails its pending recv with ECLOSED",
  requirements: ["SP-SURVEY-25", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["respondent0"], transports: ["tcp"] },
  covers: ["respondent:idle:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "respondent0");
    const recv = new Pending(sock.tryRecv({ timeoutMs: 30000 }));
    await stillPending(ctx, recv, "recv with no survey");
    await sock.close();
    await expectClosedOp(ctx, recv, "the pending recv");
    await expectConnectionClosed(ctx, peer);
  },
};

export const respondentCloseHolding: ConformanceCase = {
  id: "survey/respondent-close-holding",
  title: "Closing a RESPONDENT that holds a survey drops it and closes the connection",
  requirements: ["SP-SURVEY-25", "SP-SURVEY-19"],
  kind: "example",
  needs: { protocols: ["respondent0"], transports: ["tcp"] },
  covers: ["respondent:idle:deliver", "respondent:holding:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "respondent0");
    peer.sendFrame(concat(words(0x80000042), utf8("vote?")));
    const r = await sock.tryRecv({ timeoutMs: T.prompt });
    if (!r.ok) ctx.fail(`the survey was not delivered: ${r.code}`);
    if (!sameBytes(r.value, utf8("vote?"))) ctx.fail(`the survey body was ${hex(r.value)}`);
    await sock.close();
    const q = await peer.quiet(T.prompt);
    if (q.kind === "data") ctx.fail(`the closed RESPONDENT answered: ${hex(q.bytes)}`);
    if (q.kind === "nothing") ctx.fail("the IUT kept the connection open after close");
  },
};

export const surveyCloseCases: readonly ConformanceCase[] = [
  respondentCloseIdle,
  respondentCloseHolding,
];
