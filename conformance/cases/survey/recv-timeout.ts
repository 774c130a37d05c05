/**
 * What a receive that times out does to the request or survey it waited for.
 * The drafts do not say: the reference keeps the request outstanding and the
 * survey running until its deadline, nng ends them (verdict info). The cases
 * fail only when the answer is lost some other way.
 */
import type { Outcome } from "../../adapters/iut.ts";
import { hex, utf8 } from "../../harness/sp.ts";
import { expectBytes } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { readSurvey, response, SURVEYOR_TCP, surveyorWithPeer } from "./common.ts";

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

export const surveyorRecvTimeoutKeepsSurvey: ConformanceCase = {
  id: "survey/surveyor-recv-timeout-keeps-survey",
  title: "After a SURVEYOR recv times out before the deadline, responses are still delivered",
  requirements: ["SP-SURVEY-9", "SP-SURVEY-10", "SP-SURVEY-12"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: ["surveyor:surveying:recv", "surveyor:surveying:response[idMatches]"],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": 3000 });
    await surveyor.send(utf8("poll"), { timeoutMs: T.prompt });
    const sv = await readSurvey(ctx, peer);
    const early = await surveyor.tryRecv({ timeoutMs: T.short });
    peer.sendFrame(response(sv.id, utf8("still in time")));
    const got = await surveyor.tryRecv({ timeoutMs: T.prompt });
    judge(ctx, early, got, { what: "response", body: utf8("still in time") });
  },
};

export const surveyorRecvTimeoutCases: readonly ConformanceCase[] = [
  surveyorRecvTimeoutKeepsSurvey,
];
