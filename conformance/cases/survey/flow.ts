/**
 * Flow control of RESPONDENT (SP-SURVEY-27; framework "Flow Control"): a
 * RESPONDENT whose application does not receive stops reading the pipe,
 * then resumes without losing a survey.
 */
import { words } from "../../harness/sp.ts";
import { answersBoundedCase, surveysBounded } from "../answer-flow.ts";
import { type NoReadSpec, noReadCase, noReadDefaults } from "../flow.ts";
import type { ConformanceCase } from "../types.ts";
import { SURVEY_PROTO } from "./common.ts";

const respondentNoReadSpec: NoReadSpec = {
  id: "survey/respondent-noread-bounded",
  title:
    "RESPONDENT whose application does not receive stops reading the pipe, then resumes losing no survey",
  requirements: [
    "SP-SURVEY-27",
    "SP-FRAMEWORK-21",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-FRAMEWORK-28",
  ],
  // The application receives again while it holds a survey it did not answer.
  covers: [
    "recv-flow:reading:full",
    "recv-flow:paused:room",
    "respondent:idle:deliver",
    "respondent:holding:deliver",
  ],
  protocol: "respondent0",
  peer: SURVEY_PROTO.surveyor0,
  // The backtrace: one survey id word with the top bit set.
  prefix: (seq) => words(0x80000000 | seq),
  must: true,
};

export const respondentNoRead: ConformanceCase = noReadCase(respondentNoReadSpec);

/** The same with the IUT's default bounds: only a byte bound stops the reading early. */
export const respondentNoReadDefaults: ConformanceCase = noReadCase(
  noReadDefaults(respondentNoReadSpec),
);

/** RESPONDENT answering a SURVEYOR that never reads (SP-SURVEY-22, SP-FRAMEWORK-27). */
export const respondentAnswersBounded: ConformanceCase = answersBoundedCase({
  id: "survey/respondent-flow-stalled-surveyor",
  title:
    "RESPONDENT answering a surveyor that does not read drops or waits, and never queues more than a bounded amount of responses for it",
  requirements: ["SP-SURVEY-22", "SP-FRAMEWORK-27", "SP-SURVEY-19"],
  protocol: "respondent0",
  asker: SURVEY_PROTO.surveyor0,
  noun: "response",
  nouns: "responses",
});

export const surveyFlowCases: readonly ConformanceCase[] = [
  respondentNoRead,
  respondentNoReadDefaults,
  respondentAnswersBounded,
  surveysBounded,
];
