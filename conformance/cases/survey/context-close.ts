/**
 * SURVEYOR contexts that close and RESPONDENT contexts that answer out of
 * order (feature `contexts`): what one context does must not leak into
 * another.
 *
 * - survey/surveyor-context-close: a closed SURVEYOR context fails its
 *   waiting recv, a late response to its survey is dropped, and the other
 *   context's survey still gets its responses (SP-SURVEY-36).
 * - survey/respondent-contexts-out-of-order: two RESPONDENT contexts answer
 *   two surveyors in the reverse order; each response reaches its own
 *   surveyor with its whole backtrace (SP-SURVEY-37).
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, utf8, word32 } from "../../harness/sp.ts";
import { answerInReverse, closeEndsRecv, idsByBody } from "../common/contexts.ts";
import { needs, settle } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, respondentListening, response, surveyorPeer, T } from "./common.ts";
import { twoSurveys } from "./contexts.ts";

/** SP-SURVEY-36: a closed SURVEYOR context ends its survey; the other one goes on. */
const surveyorContextClose: ConformanceCase = {
  id: "survey/surveyor-context-close",
  title:
    "Closing a SURVEYOR context fails its recv and drops late responses to its survey; the other context still gets its own",
  requirements: ["SP-SURVEY-36", "SP-SURVEY-32"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { sock: surveyor, resp: peer, c1, c2, s1, s2 } = await twoSurveys(ctx);
    await closeEndsRecv(ctx, c1);
    // A late answer to the closed survey, then the open survey's own answers.
    peer.sendFrame(response(s1, utf8("late answer to one")));
    peer.sendFrame(response(s2, utf8("answer to two")));
    peer.sendFrame(response(s2, utf8("second answer to two")));
    await expectAnswersToTwo(ctx, c2);
    // A new context's survey gets its own id; the closed survey's answer is not for it.
    const c3 = await surveyor.openContext();
    await c3.setopt("surveyor:survey-time", 5000);
    await c3.send(utf8("three"), { timeoutMs: T.prompt });
    const s3 = (await idsByBody(ctx, () => peer.readFrame(T.prompt), 1, "survey")).get("three");
    if (s3 === undefined) ctx.fail("the third context's survey did not arrive as sent");
    if (s3 === s1) ctx.note(`the new survey reuses the closed survey's id ${word32(s1)}`);
    else {
      peer.sendFrame(response(s1, utf8("later answer to one")));
      const stray = await c3.tryRecv({ timeoutMs: T.quiet });
      if (stray.ok)
        ctx.fail(`the new context received ${hex(stray.value)}, an answer to the closed survey`);
    }
  },
};

/** SP-SURVEY-37: responses made on contexts in the reverse order reach their own surveyors. */
const respondentContextsOutOfOrder: ConformanceCase = {
  id: "survey/respondent-contexts-out-of-order",
  title:
    "Two RESPONDENT contexts answer two surveyors in the reverse order; each response reaches its own surveyor",
  requirements: ["SP-SURVEY-37", "SP-SURVEY-19"],
  kind: "example",
  needs: needs(["respondent0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const a = await surveyorPeer(ctx, url, "A");
    const b = await surveyorPeer(ctx, url, "B");
    await settle();
    const c1 = await respondent.openContext();
    const c2 = await respondent.openContext();
    await answerInReverse(
      ctx,
      [c1, c2],
      [
        { peer: a, name: "surveyor A", hops: [0x00000005], id: 0x80000a31, body: "survey A" },
        {
          peer: b,
          name: "surveyor B",
          hops: [0x00000003, 0x00000008],
          id: 0x80000b42,
          body: "survey B",
        },
      ],
      "response",
    );
  },
};

/** The open context `c2` delivers survey two's two answers, in order, and nothing else. */
async function expectAnswersToTwo(ctx: CaseContext, c2: IutSocket): Promise<void> {
  expectBytes(ctx, await iutRecv(ctx, c2, "the first answer to two"), utf8("answer to two"), "c2");
  expectBytes(
    ctx,
    await iutRecv(ctx, c2, "the second answer to two"),
    utf8("second answer to two"),
    "c2, second response",
  );
  const more = await c2.tryRecv({ timeoutMs: T.quiet });
  if (more.ok) ctx.fail(`the open context also received ${hex(more.value)}`);
}

/**
 * SP-SURVEY-36, the other half: responses the open context has not read yet
 * when another context closes are still delivered to it (and the closed
 * survey's responses, also queued unread, to no one).
 */
const surveyorContextCloseKeepsOthers: ConformanceCase = {
  id: "survey/surveyor-context-close-keeps-unread",
  title: "Closing a SURVEYOR context keeps the unread responses of the other context's survey",
  requirements: ["SP-SURVEY-36", "SP-SURVEY-32", "SP-SURVEY-12"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { resp: peer, c1, c2, s1, s2 } = await twoSurveys(ctx);
    peer.sendFrame(response(s2, utf8("answer to two")));
    peer.sendFrame(response(s1, utf8("answer to one")));
    peer.sendFrame(response(s2, utf8("second answer to two")));
    // No recv waits: the responses arrive and wait, each in its own context's survey.
    await settle(300);
    await c1.close();
    await expectAnswersToTwo(ctx, c2);
  },
};

export const surveyContextCloseCases: readonly ConformanceCase[] = [
  surveyorContextClose,
  surveyorContextCloseKeepsOthers,
  respondentContextsOutOfOrder,
];
