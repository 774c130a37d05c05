/**
 * Flow control of REP (SP-REQREP-25; framework "Flow Control"): a REP whose
 * application does not receive stops reading the pipe, then resumes without
 * losing a request.
 */
import { protocols } from "../../../spec/constants.ts";
import { words } from "../../harness/sp.ts";
import { answersBoundedCase } from "../answer-flow.ts";
import { type NoReadSpec, noReadCase, noReadDefaults } from "../flow.ts";
import type { ConformanceCase } from "../types.ts";

const repNoReadSpec: NoReadSpec = {
  id: "reqrep/rep-noread-bounded",
  title:
    "REP whose application does not receive stops reading the pipe, then resumes losing no request",
  requirements: [
    "SP-REQREP-25",
    "SP-FRAMEWORK-21",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-FRAMEWORK-28",
  ],
  // The application receives again while it holds a request it did not answer.
  covers: [
    "recv-flow:reading:full",
    "recv-flow:paused:room",
    "rep:idle:deliver",
    "rep:holding:deliver",
  ],
  protocol: "rep0",
  peer: protocols.req0.number,
  // The backtrace: one request id word with the top bit set.
  prefix: (seq) => words(0x80000000 | seq),
  must: true,
};

export const repNoRead: ConformanceCase = noReadCase(repNoReadSpec);

/** The same with the IUT's default bounds: only a byte bound stops the reading early. */
export const repNoReadDefaults: ConformanceCase = noReadCase(noReadDefaults(repNoReadSpec));

/** REP answering a REQ that never reads its replies (SP-REQREP-18, SP-FRAMEWORK-27). */
export const repAnswersBounded: ConformanceCase = answersBoundedCase({
  id: "reqrep/rep-flow-stalled-requester",
  title:
    "REP answering a requester that does not read drops or waits, and never queues more than a bounded amount of replies for it",
  requirements: ["SP-REQREP-18", "SP-FRAMEWORK-27", "SP-REQREP-13"],
  protocol: "rep0",
  asker: protocols.req0.number,
  noun: "reply",
  nouns: "replies",
});

export const reqrepFlowCases: readonly ConformanceCase[] = [
  repNoRead,
  repNoReadDefaults,
  repAnswersBounded,
];
