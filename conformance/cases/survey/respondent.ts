/**
 * RESPONDENT cases: the backtrace returned unchanged, the hop limit, surveys
 * without a survey id, and RESPONDENT's state rules.
 */
import { concat, hex, request, utf8, words } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { checkFairQueue } from "../fairness.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutNothing,
  iutRecv,
  RESPONDENT_TCP,
  respondentListening,
  respondentRoundTrip,
  surveyorPeer,
  T,
} from "./common.ts";

/** The response carries the survey's backtrace, hop words and id, byte for byte. */
export const respondentBacktraceUnchanged: ConformanceCase = {
  id: "survey/respondent-backtrace-unchanged",
  title: "RESPONDENT returns the backtrace unchanged ahead of the response body",
  requirements: ["SP-SURVEY-19", "SP-SURVEY-2", "SP-SURVEY-17"],
  kind: "example",
  needs: RESPONDENT_TCP,
  covers: ["respondent:idle:deliver", "respondent:holding:send"],
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const peer = await surveyorPeer(ctx, url);
    const stacks = [[], [0x00000001], [0x7fffffff, 0x00000000, 0x12345678]];
    for (const [i, hops] of stacks.entries()) {
      await respondentRoundTrip(ctx, respondent, peer, {
        hops,
        id: (0x80000000 | (0x5a000 + i)) >>> 0,
        body: utf8(`survey ${i}`),
        answer: utf8(`answer ${i}`),
      });
    }
  },
};

/** More than ttl-max (default 8) words: dropped, the connection SHOULD stay open; 8 are fine. */
export const respondentTtlExceeded: ConformanceCase = {
  id: "survey/respondent-ttl-exceeded",
  title: "RESPONDENT drops a survey with more than 8 backtrace words and keeps the connection",
  requirements: [
    "SP-SURVEY-16",
    "SP-SURVEY-31",
    "SP-SURVEY-19",
    "SP-FRAMEWORK-7",
    "SP-FRAMEWORK-30",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: RESPONDENT_TCP,
  cat: { send: { respondent0: { data: "ok" } } },
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    let peer = await surveyorPeer(ctx, url, "deep");
    peer.sendFrame(request({ hops: [1, 2, 3, 4, 5, 6, 7, 8], id: 0x80000009, body: utf8("deep") }));
    await iutNothing(ctx, respondent, "9 backtrace words exceed the default max hops of 8");
    const r = await peer.quiet(T.quiet);
    if (r.kind === "data")
      ctx.fail(`the IUT answered a survey over the hop limit: ${hex(r.bytes)}`);
    if (r.kind === "closed") {
      ctx.warn("the connection was closed after a survey over the hop limit");
      peer = await surveyorPeer(ctx, url, "again");
    }
    await respondentRoundTrip(ctx, respondent, peer, {
      hops: [1, 2, 3, 4, 5, 6, 7],
      id: 0x80000008,
      body: utf8("deep enough"),
      answer: utf8("ok"),
    });
  },
};

/** A survey whose backtrace has no word with the top bit is never answered. */
export const respondentNoTerminator: ConformanceCase = {
  id: "survey/respondent-no-terminator",
  title: "RESPONDENT does not deliver or answer a survey without a survey id",
  requirements: [
    "SP-SURVEY-15",
    "SP-SURVEY-30",
    "SP-SURVEY-2",
    "SP-TCP-12",
    "SP-FRAMEWORK-5",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: RESPONDENT_TCP,
  cat: { send: { respondent0: { data: "yes" } } },
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const variants: [string, Uint8Array][] = [
      ["ends", words(1, 2, 3)],
      ["short", new Uint8Array([0x80, 0x00])],
      // A hop word, then the message ends inside a word whose first byte has the top bit.
      ["hopThenShort", concat(words(1), Uint8Array.of(0x80, 0x00))],
      ["noId", concat(words(1, 2, 3, 4, 5, 6, 7, 8), utf8("body"))],
    ];
    for (const [label, payload] of variants) {
      const peer = await surveyorPeer(ctx, url, label);
      peer.sendFrame(payload);
      await iutNothing(ctx, respondent, `survey ${hex(payload)} has no survey id`);
      const r = await peer.quiet(T.quiet);
      if (r.kind === "data") ctx.fail(`the IUT answered a survey without id: ${hex(r.bytes)}`);
      ctx.note(`${label}: ${r.kind === "closed" ? "connection closed (allowed)" : "kept open"}`);
    }
    const good = await surveyorPeer(ctx, url, "good");
    await respondentRoundTrip(ctx, respondent, good, {
      hops: [],
      id: 0x80000abc,
      body: utf8("still there?"),
      answer: utf8("yes"),
    });
  },
};

/** send on a RESPONDENT holding no survey fails with ESTATE, before and after an exchange. */
export const respondentSendWithoutSurvey: ConformanceCase = {
  id: "survey/respondent-send-without-survey",
  title: "RESPONDENT send without a received survey fails with ESTATE",
  requirements: ["SP-SURVEY-20", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: RESPONDENT_TCP,
  covers: ["respondent:idle:send"],
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const fresh = await respondent.trySend(utf8("unasked"), { timeoutMs: 1000 });
    if (fresh.ok) ctx.fail("send on a fresh RESPONDENT succeeded");
    expectErrorName(ctx, fresh.code, "ESTATE", "send on a fresh RESPONDENT");
    const peer = await surveyorPeer(ctx, url);
    await respondentRoundTrip(ctx, respondent, peer, {
      hops: [],
      id: 0x80000005,
      body: utf8("q"),
      answer: utf8("a"),
    });
    const twice = await respondent.trySend(utf8("second answer"), { timeoutMs: 1000 });
    if (twice.ok) ctx.fail("a second send for one survey succeeded");
    expectErrorName(ctx, twice.code, "ESTATE", "a second send");
    await peer.expectNothing(T.quiet, "no second response may go out");
  },
};

/** A second recv abandons the held survey: the response goes to the newer one only. */
export const respondentNewRecvAbandons: ConformanceCase = {
  id: "survey/respondent-new-recv-abandons",
  title: "A new recv at RESPONDENT abandons the held survey",
  requirements: ["SP-SURVEY-23", "SP-SURVEY-19"],
  kind: "example",
  needs: RESPONDENT_TCP,
  covers: ["respondent:idle:deliver", "respondent:holding:deliver", "respondent:holding:send"],
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const peer = await surveyorPeer(ctx, url);
    peer.sendFrame(request({ hops: [], id: 0x80000b01, body: utf8("first") }));
    peer.sendFrame(request({ hops: [], id: 0x80000b02, body: utf8("second") }));
    expectBytes(ctx, await iutRecv(ctx, respondent, "the first survey"), utf8("first"), "first");
    expectBytes(ctx, await iutRecv(ctx, respondent, "the second survey"), utf8("second"), "second");
    await respondent.send(utf8("to second"), { timeoutMs: T.prompt });
    const frame = await peer.readFrame(T.prompt);
    expectBytes(ctx, frame, concat(words(0x80000b02), utf8("to second")), "response frame");
    await peer.expectNothing(T.quiet, "the first survey was abandoned");
  },
};

/** Cases of this file, in run order. */
/** SP-SURVEY-18: a lone survey is not starved by another pipe's backlog. */
export const respondentFairQueue: ConformanceCase = {
  id: "survey/respondent-fair-queue",
  title: "RESPONDENT fair-queues: one peer's backlog does not starve another peer's survey",
  requirements: ["SP-SURVEY-18"],
  kind: "example",
  needs: RESPONDENT_TCP,
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    await checkFairQueue(ctx, {
      sock: respondent,
      url,
      peer: (label) => surveyorPeer(ctx, url, label),
      noun: "survey",
    });
  },
};

export const respondentCases = [
  respondentFairQueue,
  respondentBacktraceUnchanged,
  respondentTtlExceeded,
  respondentNoTerminator,
  respondentSendWithoutSurvey,
  respondentNewRecvAbandons,
];
