/**
 * A RESPONDENT drops a response whose surveyor's pipe is gone, and goes on
 * serving the surveyors that remain.
 */
import { utf8 } from "../../harness/sp.ts";
import { expectBytes, iutRecv, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { RESPONDENT_TCP, respondentListening, response, surveyorPeer } from "./common.ts";

/** The response to a surveyor that has gone is dropped; send succeeds; others get nothing. */
export const respondentReplyToGonePeer: ConformanceCase = {
  id: "survey/respondent-reply-to-gone-peer",
  title: "RESPONDENT drops a response whose surveyor disconnected, and send still succeeds",
  requirements: ["SP-SURVEY-21"],
  kind: "example",
  needs: RESPONDENT_TCP,
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const gone = await surveyorPeer(ctx, url, "gone");
    gone.sendFrame(response(0x80000777, utf8("ask and leave")));
    expectBytes(ctx, await iutRecv(ctx, respondent, "the survey"), utf8("ask and leave"), "survey");
    gone.close();
    const other = await surveyorPeer(ctx, url, "other");
    await other.expectNothing(200, "letting the IUT notice the disconnect");
    const sent = await respondent.trySend(utf8("nobody listens"), { timeoutMs: T.prompt });
    if (!sent.ok) ctx.fail(`send of a response to a vanished surveyor failed with ${sent.code}`);
    await other.expectNothing(T.quiet, "the response belongs to the vanished surveyor only");
    other.sendFrame(response(0x80000888, utf8("still there?")));
    expectBytes(
      ctx,
      await iutRecv(ctx, respondent, "the next survey"),
      utf8("still there?"),
      "survey",
    );
    await respondent.send(utf8("yes"), { timeoutMs: T.prompt });
    expectBytes(
      ctx,
      await other.readFrame(T.prompt),
      response(0x80000888, utf8("yes")),
      "response",
    );
  },
};

export const respondentGonePeerCases: readonly ConformanceCase[] = [respondentReplyToGonePeer];
