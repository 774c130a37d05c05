/**
 * RESPONDENT with several surveyors and its hop limit: answers on their own pipe, ttl-max honoured.
 *
 * - survey/respondent-ttl-max-honoured: the maximum number of hops "MUST be
 *   configurable", it is the option REP uses (`ttl-max`), and the count
 *   includes the survey id word: with ttl-max N a survey with N backtrace
 *   words is answered and one with N + 1 is dropped (SP-SURVEY-16).
 * - survey/respondent-answers-on-survey-pipe: a response goes "to the pipe the
 *   survey came from" (SP-SURVEY-19), also when surveys of two surveyors were
 *   queued before the application received them (SP-SURVEY-18).
 */
import { concat, hex, request, sameBytes, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  iutNothing,
  iutRecv,
  RESPONDENT_TCP,
  respondentListening,
  respondentRoundTrip,
  surveyorPeer,
  T,
} from "./common.ts";

/** ttl-max below and above the default 8 bounds the backtrace words a RESPONDENT accepts. */
export const respondentTtlMaxHonoured: ConformanceCase = {
  id: "survey/respondent-ttl-max-honoured",
  title: "RESPONDENT honours ttl-max 3 and 12: N backtrace words answered, N + 1 dropped",
  requirements: ["SP-SURVEY-16", "SP-SURVEY-19", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: { ...RESPONDENT_TCP, options: ["ttl-max"] },
  async run(ctx: CaseContext) {
    for (const ttl of [3, 12]) {
      const { respondent, url } = await respondentListening(ctx, { "ttl-max": ttl });
      let peer = await surveyorPeer(ctx, url, `ttl${ttl}`);
      // ttl words in all (ttl - 1 hop words and the survey id) are within the limit.
      const hops = Array.from({ length: ttl }, (_, i) => i + 1);
      peer.sendFrame(request({ hops, id: 0x80000001, body: utf8("one hop too many") }));
      await iutNothing(ctx, respondent, `${ttl + 1} backtrace words exceed ttl-max ${ttl}`);
      const r = await peer.quiet(T.quiet);
      if (r.kind === "data") {
        ctx.fail(
          `the IUT answered a survey of ${ttl + 1} words with ttl-max ${ttl}: ${hex(r.bytes)}`,
        );
      }
      if (r.kind === "closed") {
        ctx.warn(`ttl-max ${ttl}: the connection was closed after a survey over the hop limit`);
        peer = await surveyorPeer(ctx, url, `ttl${ttl}b`);
      }
      await respondentRoundTrip(ctx, respondent, peer, {
        hops: hops.slice(1),
        id: 0x80000002,
        body: utf8("at the limit"),
        answer: utf8(`ok ${ttl}`),
      });
      await respondent.close();
    }
  },
};

/** Each response goes back on the connection of the survey it answers, with that backtrace. */
export const respondentAnswersOnSurveyPipe: ConformanceCase = {
  id: "survey/respondent-answers-on-survey-pipe",
  title: "RESPONDENT answers each of two queued surveys on the connection it came from",
  requirements: ["SP-SURVEY-19", "SP-SURVEY-18"],
  kind: "example",
  needs: RESPONDENT_TCP,
  covers: ["respondent:idle:deliver", "respondent:holding:send"],
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const peers: { peer: WirePeer; id: number; name: string }[] = [
      { peer: await surveyorPeer(ctx, url, "survA"), id: 0x8000a001, name: "A" },
      { peer: await surveyorPeer(ctx, url, "survB"), id: 0x8000b002, name: "B" },
    ];
    // Both surveys are on the IUT's side before the application receives either.
    for (const p of peers) {
      p.peer.sendFrame(request({ hops: [], id: p.id, body: utf8(`survey ${p.name}`) }));
      await p.peer.expectNothing(150, "letting the survey reach the IUT");
    }
    for (let i = 0; i < 2; i++) {
      const got = await iutRecv(ctx, respondent, `survey ${i + 1} of 2`);
      const text = new TextDecoder().decode(got);
      if (text !== "survey A" && text !== "survey B") {
        ctx.fail(`the IUT RESPONDENT delivered ${hex(got)}, not one of the two surveys`);
      }
      await respondent.send(utf8(`answer to ${text}`), { timeoutMs: T.prompt });
    }
    for (const p of peers) {
      const frame = await p.peer.readFrame(T.prompt).catch(() => undefined);
      if (!frame) {
        ctx.fail(
          `connection ${p.name} (id ${word32(p.id)}) got no response within ${T.prompt} ms: it went to the wrong pipe or nowhere`,
        );
      }
      const expected = concat(words(p.id), utf8(`answer to survey ${p.name}`));
      if (!sameBytes(frame, expected)) {
        ctx.fail(
          `connection ${p.name} (survey id ${word32(p.id)}) got ${hex(frame)}, expected ${hex(expected)}: the response went to the wrong pipe`,
        );
      }
    }
    for (const p of peers) {
      await p.peer.expectNothing(T.quiet, `connection ${p.name} must get only its own response`);
    }
  },
};

/** Cases of this file, in run order. */
export const surveyRoutingCases: readonly ConformanceCase[] = [
  respondentTtlMaxHonoured,
  respondentAnswersOnSurveyPipe,
];
