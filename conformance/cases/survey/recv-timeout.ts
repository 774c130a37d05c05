/**
 * What a SURVEYOR receive that times out does to the survey it waited for
 * (the judgement is shared with REQ: ../common/recv-timeout.ts).
 */
import { utf8 } from "../../harness/sp.ts";
import { judge, T } from "../common/recv-timeout.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { readSurvey, response, SURVEYOR_TCP, surveyorWithPeer } from "./common.ts";

export const surveyorRecvTimeoutKeepsSurvey: ConformanceCase = {
  id: "survey/surveyor-recv-timeout-keeps-survey",
  title: "After a SURVEYOR recv times out before the deadline, responses are still delivered",
  requirements: ["SP-SURVEY-9", "SP-SURVEY-10", "SP-SURVEY-12", "SP-FRAMEWORK-20"],
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
