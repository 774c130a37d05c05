/**
 * SURVEYOR ids and deadlines: full-id matching, a deadline traffic does not move, no old responses after a new survey.
 *
 * - survey/surveyor-matches-whole-id: a response is accepted only when its
 *   first word "equals the ID of the survey in progress" (the `idMatches`
 *   guard, SP-SURVEY-11): ids that share the low 16 bits but differ above are
 *   other surveys' ids.
 * - survey/surveyor-deadline-fixed: the deadline is "the survey time counted
 *   from the moment it was sent" (SP-SURVEY-8); responses are delivered
 *   without leaving `surveying` (only `send` re-enters it), so an answer does
 *   not move the deadline, and after it a waiting recv fails with ETIMEDOUT
 *   and later answers are discarded (SP-SURVEY-9).
 * - survey/surveyor-new-survey-discards-responses: a new survey discards the
 *   undelivered responses of the one in progress (SP-SURVEY-14).
 *
 * No case here lets a recv time out before the deadline: NNG ends the survey
 * when that happens (see conformance/expectations/nng.json), which the drafts
 * leave open. What must not be delivered is put on the wire ahead of what
 * must, on the same connection, so the first recv tells.
 */
import { hex, utf8, word32 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutRecv,
  NO_SURVEY,
  readSurvey,
  response,
  SURVEYOR_TCP,
  surveyorWithPeer,
  T,
} from "./common.ts";

/** Responses whose id differs from the survey's only above bit 15 are dropped. */
export const surveyorMatchesWholeId: ConformanceCase = {
  id: "survey/surveyor-matches-whole-id",
  title: "SURVEYOR drops responses whose id shares only the low 16 bits with the survey id",
  requirements: ["SP-SURVEY-11", "SP-SURVEY-12"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: [
    "surveyor:surveying:response[idMatches]",
    "surveyor:surveying:response",
    "surveyor:surveying:recv",
  ],
  async run(ctx: CaseContext) {
    const survey = 600;
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": survey });
    await surveyor.send(utf8("who?"), { timeoutMs: T.prompt });
    const s = await readSurvey(ctx, peer);
    // Bits 16..30 changed, the top bit and the low 16 bits kept.
    const others = [0x00010000, 0x40000000, 0x7fff0000].map((m) => (s.id ^ m) >>> 0);
    for (const id of others) peer.sendFrame(response(id, utf8(`imposter ${word32(id)}`)));
    peer.sendFrame(response(s.id, utf8("genuine")));
    const got = await iutRecv(ctx, surveyor, "the genuine response");
    if (new TextDecoder().decode(got).startsWith("imposter")) {
      ctx.fail(
        `the SURVEYOR delivered ${JSON.stringify(new TextDecoder().decode(got))} to survey ${word32(s.id)}: it matched an id that differs only in bits 16-30`,
      );
    }
    expectBytes(ctx, got, utf8("genuine"), "the response delivered");
    // Nothing else up to the deadline (then ETIMEDOUT, or ESTATE, SP-SURVEY-9/-10).
    const r = await surveyor.tryRecv({ timeoutMs: T.prompt });
    if (r.ok) ctx.fail(`after the genuine response the SURVEYOR delivered ${hex(r.value)}`);
    ctx.note(`ids ${others.map(word32).join(", ")} sent for survey ${word32(s.id)} were dropped`);
  },
};

/** Answers do not move the deadline: at survey time + a little, the survey is over. */
export const surveyorDeadlineFixed: ConformanceCase = {
  id: "survey/surveyor-deadline-fixed",
  title: "A response does not extend the survey: the deadline stays survey time after the send",
  requirements: ["SP-SURVEY-9", "SP-SURVEY-8", "SP-SURVEY-12", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: [
    "surveyor:surveying:response[idMatches]",
    "surveyor:surveying:recv",
    "surveyor:surveying:after:surveyTime",
    "surveyor:idle:recv",
  ],
  async run(ctx: CaseContext) {
    // Survey time S. The IUT sent the survey before the suite saw it (`seen`),
    // so its deadline is at most seen + S. An answer at seen + S/2 that
    // restarted the deadline would move it to at least seen + 1.5 S. The late
    // answer goes out at seen + 1.25 S, S/4 = 200 ms clear of both.
    const S = 800;
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": S });
    await surveyor.send(utf8("quick poll"), { timeoutMs: T.prompt });
    const s = await readSurvey(ctx, peer);
    const seen = performance.now();
    const sleepUntil = (t: number) =>
      new Promise((res) => setTimeout(res, Math.max(0, t - performance.now())));
    await sleepUntil(seen + S / 2);
    peer.sendFrame(response(s.id, utf8("in time")));
    expectBytes(ctx, await iutRecv(ctx, surveyor, "the answer at S/2"), utf8("in time"), "answer");
    let settledAt = 0;
    const waiting = surveyor.tryRecv({ timeoutMs: 3 * S }).then((o) => {
      settledAt = performance.now();
      return o;
    });
    await sleepUntil(seen + 1.25 * S);
    peer.sendFrame(response(s.id, utf8("too late")));
    const r = await waiting;
    const ended = settledAt - seen;
    if (r.ok) {
      ctx.fail(
        `a response sent ${(1.25 * S).toFixed(0)} ms after the survey arrived (survey time ${S} ms) was delivered: ${JSON.stringify(new TextDecoder().decode(r.value))}; the answer at ${S / 2} ms moved the deadline`,
      );
    }
    expectErrorName(ctx, r.code, "ETIMEDOUT", "the recv waiting at the deadline", {
      ESTATE: NO_SURVEY,
    });
    ctx.note(`the waiting recv failed ${ended.toFixed(0)} ms after the survey arrived`);
    if (ended > 1.5 * S) {
      ctx.fail(
        `the waiting recv failed only ${ended.toFixed(0)} ms after the survey arrived (survey time ${S} ms, an answer came at ${S / 2} ms): the answer moved the deadline`,
      );
    }
    // The late answer is discarded: a recv now fails (ESTATE, or ETIMEDOUT once, SP-SURVEY-10).
    const after = await surveyor.tryRecv({ timeoutMs: 500 });
    if (after.ok) ctx.fail(`after the deadline the SURVEYOR delivered ${hex(after.value)}`);
  },
};

/** Responses to survey 1 that were never received are gone once survey 2 is sent. */
export const surveyorNewSurveyDiscards: ConformanceCase = {
  id: "survey/surveyor-new-survey-discards-responses",
  title: "A new survey discards the unread responses to the previous one",
  requirements: ["SP-SURVEY-14", "SP-SURVEY-12"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: ["surveyor:surveying:send", "surveyor:surveying:response[idMatches]"],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.long });
    await surveyor.send(utf8("survey 1"), { timeoutMs: T.prompt });
    const s1 = await readSurvey(ctx, peer);
    peer.sendFrame(response(s1.id, utf8("answer to 1")));
    peer.sendFrame(response(s1.id, utf8("answer to 1 again")));
    // Let them reach the IUT, unread, while survey 1 is still in progress.
    await peer.expectNothing(300, "letting the answers to survey 1 reach the IUT");
    await surveyor.send(utf8("survey 2"), { timeoutMs: T.prompt });
    const s2 = await readSurvey(ctx, peer);
    if (s2.id === s1.id) ctx.fail(`survey 2 reused the id ${word32(s1.id)}`);
    peer.sendFrame(response(s2.id, utf8("answer to 2")));
    const got = await iutRecv(ctx, surveyor, "the answer to survey 2");
    const text = new TextDecoder().decode(got);
    if (text.startsWith("answer to 1")) {
      ctx.fail(
        `after survey 2 was sent, recv returned ${JSON.stringify(text)}, an unread response to survey 1`,
      );
    }
    expectBytes(ctx, got, utf8("answer to 2"), "the response delivered after survey 2");
  },
};

/** Cases of this file, in run order. */
export const surveyTimingCases: readonly ConformanceCase[] = [
  surveyorMatchesWholeId,
  surveyorDeadlineFixed,
  surveyorNewSurveyDiscards,
];
