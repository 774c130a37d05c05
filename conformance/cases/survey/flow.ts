/**
 * Flow control of RESPONDENT (SP-SURVEY-27; framework "Flow Control"): a
 * RESPONDENT whose application does not receive stops reading the pipe,
 * then resumes without losing a survey.
 */

import type { IutSocket } from "../../adapters/iut.ts";
import type { FloodPeer } from "../../harness/flood.ts";
import { utf8, words } from "../../harness/sp.ts";
import { answersBoundedCase, surveysBounded } from "../answer-flow.ts";
import { type NoReadSpec, noReadCase, noReadDefaults } from "../flow.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { SURVEY_PROTO, T } from "./common.ts";

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

/** Survey time of the SURVEYOR flood case: outlasts the flood and the receiving. */
const FLOOD_SURVEY_MS = 25_000;

/**
 * Starts a survey and returns the word the peer's responses carry: the survey
 * id the IUT put in front of it. The survey is sent again (a new one replaces
 * the last) until one reaches the peer, since the IUT may not have attached the
 * pipe yet; the id of the last one to arrive is used.
 */
async function surveyIdFromPeer(
  ctx: CaseContext,
  sock: IutSocket,
  peer: FloodPeer,
): Promise<(seq: number) => Uint8Array> {
  let got: Buffer | undefined;
  for (let attempt = 0; attempt < 5 && got === undefined; attempt++) {
    await sock.send(utf8(`flood survey ${attempt}`));
    got = await peer.nextFrame(T.settle * 2);
  }
  if (got === undefined) ctx.fail("no survey reached the respondent in 5 attempts");
  for (let more = await peer.nextFrame(T.quiet); more; more = await peer.nextFrame(T.quiet)) {
    got = more;
  }
  if (got.length < 4 || (got.readUInt32BE(0) & 0x80000000) === 0) {
    ctx.fail(
      `the survey did not start with a survey id word: ${got.subarray(0, 8).toString("hex")}`,
    );
  }
  const id = got.readUInt32BE(0);
  ctx.note(`the respondent answers survey id 0x${id.toString(16)} with every message of the flood`);
  return () => words(id);
}

/**
 * A SURVEYOR whose application does not receive while one respondent floods
 * answers to the survey in progress. It may read on and drop what does not fit
 * (SP-SURVEY-13), or stop reading; either way what the application receives
 * afterwards fits the bound (SP-FRAMEWORK-21), in order, each at most once. A
 * socket that keeps every response delivers the whole flood, which is larger
 * than the bound by construction.
 */
const surveyorNoReadSpec: NoReadSpec = {
  id: "survey/surveyor-noread-bounded",
  title:
    "SURVEYOR whose application does not receive keeps only a bounded number of responses to its survey",
  requirements: ["SP-SURVEY-13", "SP-FRAMEWORK-21"],
  covers: [],
  protocol: "surveyor0",
  peer: SURVEY_PROTO.respondent0,
  prefix: () => words(0x80000000),
  must: false,
  options: ["surveyor:survey-time"],
  setup: (_ctx, sock) => sock.setopt("surveyor:survey-time", FLOOD_SURVEY_MS),
  begin: surveyIdFromPeer,
  mayReadOn: "a SURVEYOR may drop responses its buffer cannot keep (SP-SURVEY-13)",
  oneMore: false,
};

export const surveyorNoRead: ConformanceCase = noReadCase(surveyorNoReadSpec);

/** The same with the IUT's default bounds (nng keeps 128 responses per survey). */
export const surveyorNoReadDefaults: ConformanceCase = noReadCase(
  noReadDefaults(surveyorNoReadSpec),
);

export const surveyFlowCases: readonly ConformanceCase[] = [
  surveyorNoRead,
  surveyorNoReadDefaults,
  respondentNoRead,
  respondentNoReadDefaults,
  respondentAnswersBounded,
  surveysBounded,
];
