/**
 * SURVEYOR cases: protocol numbers, the survey id, the survey reaching every
 * respondent, the deadline, late responses and cancellation by a new survey.
 */
import { hex, sameBytes, spHeader, utf8, word32 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutRecv,
  NO_SURVEY,
  openIut,
  readSurvey,
  respondentListening,
  respondentPeers,
  response,
  SURVEY_PROTO,
  SURVEYOR_TCP,
  surveyorListening,
  surveyorPeer,
  surveyorWithPeer,
  T,
} from "./common.ts";

/** Both sockets send their header at once with 0x62 / 0x63. */
export const surveyHeaderNumbers: ConformanceCase = {
  id: "survey/header-numbers",
  title: "SURVEYOR announces 0x62 and RESPONDENT 0x63 in their connection headers",
  requirements: ["SP-SURVEY-1", "SP-TCP-1", "SP-TCP-4"],
  kind: "example",
  needs: { protocols: ["surveyor0", "respondent0"], transports: ["tcp"] },
  cat: {},
  covers: ["tcp-pipe:handshake:entry"],
  async run(ctx: CaseContext) {
    const { url: rUrl } = await respondentListening(ctx);
    const toResp = await ctx.connect(rUrl, "toRespondent");
    const rh = await toResp.readExact(8, T.prompt, "the RESPONDENT's header (we sent nothing)");
    const expectR = spHeader({ protocol: SURVEY_PROTO.respondent0 });
    if (hex(rh) !== hex(expectR))
      ctx.fail(`RESPONDENT header: expected ${hex(expectR)}, got ${hex(rh)}`);

    const { url: sUrl } = await surveyorListening(ctx);
    const toSurv = await ctx.connect(sUrl, "toSurveyor");
    const sh = await toSurv.readExact(8, T.prompt, "the SURVEYOR's header (we sent nothing)");
    const expectS = spHeader({ protocol: SURVEY_PROTO.surveyor0 });
    if (hex(sh) !== hex(expectS))
      ctx.fail(`SURVEYOR header: expected ${hex(expectS)}, got ${hex(sh)}`);
  },
};

/** Foreign protocols, including the retired 0x60/0x61 survey numbers, are disconnected. */
export const surveyWrongPeer: ConformanceCase = {
  id: "survey/wrong-peer-closes",
  title: "SURVEYOR and RESPONDENT close connections from protocols other than their peer",
  requirements: ["SP-SURVEY-1", "SP-TCP-6", "SP-TCP-12", "SP-FRAMEWORK-9"],
  kind: "malformed",
  needs: { protocols: ["surveyor0", "respondent0"], transports: ["tcp"] },
  cat: {},
  covers: ["tcp-pipe:handshake:header[!peerCompatible]", "tcp-pipe:handshake:header"],
  async run(ctx: CaseContext) {
    const { url: rUrl } = await respondentListening(ctx);
    const { url: sUrl } = await surveyorListening(ctx);
    const tries: [string, string, number][] = [
      ["respondent", rUrl, 0x30], // REQ
      ["respondent", rUrl, 0x60], // the retired surveyor without backtrace
      ["respondent", rUrl, SURVEY_PROTO.respondent0],
      ["surveyor", sUrl, 0x31], // REP
      ["surveyor", sUrl, 0x61], // the retired respondent
      ["surveyor", sUrl, SURVEY_PROTO.surveyor0],
    ];
    for (const [who, url, protocol] of tries) {
      const peer = await ctx.connect(url, `${who}As0x${protocol.toString(16)}`);
      peer.sendHeader({ protocol });
      await peer.expectClosed(T.prompt, `0x${protocol.toString(16)} is not a peer of ${who}`);
    }
    // A proper peer is still accepted on both.
    await surveyorPeer(ctx, rUrl, "goodSurveyor");
    await respondentPeers(ctx, sUrl, 1);
  },
};

/** Survey frames are `[id] body`, ids carry the top bit and differ between surveys. */
export const surveyorIdTopBit: ConformanceCase = {
  id: "survey/surveyor-id-top-bit",
  title: "SURVEYOR sends exactly [survey id] body, with the top bit set and a new id per survey",
  requirements: ["SP-SURVEY-2", "SP-SURVEY-3", "SP-SURVEY-4", "SP-SURVEY-6"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: ["surveyor:idle:send", "surveyor:surveying:send"],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.long });
    await surveyor.send(utf8("first"), { timeoutMs: T.prompt });
    const a = await readSurvey(ctx, peer);
    expectBytes(ctx, a.body, utf8("first"), "body after the one header word");
    await surveyor.send(utf8("second"), { timeoutMs: T.prompt });
    const b = await readSurvey(ctx, peer);
    expectBytes(ctx, b.body, utf8("second"), "body of the second survey");
    if (a.id === b.id) ctx.fail(`two surveys share the id ${word32(a.id)}`);
    const step = (b.id - a.id + 0x80000000) % 0x80000000;
    ctx.note(`ids ${word32(a.id)} then ${word32(b.id)} (step ${step})`);
  },
};

/** Distinct SURVEYOR sockets SHOULD start at random survey ids (SP-SURVEY-4). */
export const surveyorIdRandomStart: ConformanceCase = {
  id: "survey/surveyor-id-random-start",
  title: "Fresh SURVEYOR sockets start at unrelated survey ids (SHOULD)",
  requirements: ["SP-SURVEY-4"],
  kind: "example",
  needs: SURVEYOR_TCP,
  async run(ctx: CaseContext) {
    const firsts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.long });
      await surveyor.send(utf8("first"), { timeoutMs: T.prompt });
      firsts.push((await readSurvey(ctx, peer)).id);
    }
    ctx.note(`first ids: ${firsts.map(word32).join(" ")}`);
    const spread = Math.max(...firsts) - Math.min(...firsts);
    if (new Set(firsts).size < firsts.length || spread <= firsts.length) {
      ctx.warn(`three fresh SURVEYOR sockets began at ${firsts.map(word32).join(", ")}`);
    }
  },
};

/** One survey reaches two respondents; both answers are delivered. */
export const surveyorSendsToAll: ConformanceCase = {
  id: "survey/surveyor-sends-to-all",
  title: "A survey goes to every connected respondent and every answer is delivered",
  requirements: ["SP-SURVEY-7", "SP-SURVEY-12", "SP-SURVEY-6"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: [
    "surveyor:idle:send",
    "surveyor:surveying:recv",
    "surveyor:surveying:response[idMatches]",
  ],
  async run(ctx: CaseContext) {
    const { surveyor, url } = await surveyorListening(ctx, { "surveyor:survey-time": T.long });
    const peers = await respondentPeers(ctx, url, 2);
    await surveyor.send(utf8("roll call"), { timeoutMs: T.prompt });
    const copies = [];
    for (const peer of peers) copies.push(await readSurvey(ctx, peer));
    const [c1, c2] = copies;
    if (!c1 || !c2) return ctx.fail("missing copies");
    if (!sameBytes(c1.payload, c2.payload)) {
      ctx.fail(`the two copies differ: ${hex(c1.payload)} vs ${hex(c2.payload)}`);
    }
    peers.forEach((p, i) => {
      p.sendFrame(response(c1.id, utf8(`here ${i + 1}`)));
    });
    const got = new Set<string>();
    for (let i = 0; i < 2; i++) {
      got.add(new TextDecoder().decode(await iutRecv(ctx, surveyor, `answer ${i + 1}`)));
    }
    if (!got.has("here 1") || !got.has("here 2")) {
      ctx.fail(`expected the answers "here 1" and "here 2", got ${[...got].join(", ")}`);
    }
  },
};

/** A recv waiting at the deadline fails with ETIMEDOUT; answers before it were delivered. */
export const surveyorDeadline: ConformanceCase = {
  id: "survey/surveyor-deadline",
  title: "After the survey time, a waiting recv fails with ETIMEDOUT",
  requirements: ["SP-SURVEY-8", "SP-SURVEY-9", "SP-SURVEY-10", "SP-SURVEY-12", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: [
    "surveyor:surveying:after:surveyTime",
    "surveyor:surveying:recv",
    "surveyor:surveying:response[idMatches]",
    "surveyor:idle:recv",
  ],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.survey });
    const started = performance.now();
    await surveyor.send(utf8("quick"), { timeoutMs: T.prompt });
    const s = await readSurvey(ctx, peer);
    peer.sendFrame(response(s.id, utf8("in time")));
    expectBytes(ctx, await iutRecv(ctx, surveyor, "the answer"), utf8("in time"), "answer");
    const r = await surveyor.tryRecv({ timeoutMs: T.prompt });
    const elapsed = performance.now() - started;
    if (r.ok) ctx.fail(`recv after the only answer delivered ${hex(r.value)}`);
    expectErrorName(ctx, r.code, "ETIMEDOUT", "recv at the deadline", { ESTATE: NO_SURVEY });
    if (elapsed > T.prompt - 200) {
      ctx.fail(`recv failed only after ${elapsed.toFixed(0)} ms (survey time ${T.survey} ms)`);
    }
    ctx.note(`${r.code} ${elapsed.toFixed(0)} ms after the send (survey time ${T.survey} ms)`);
    const after = await surveyor.tryRecv({ timeoutMs: T.prompt });
    if (after.ok) ctx.fail(`recv after the deadline delivered ${hex(after.value)}`);
    expectErrorName(ctx, after.code, ["ESTATE", "ETIMEDOUT"], "recv after the deadline");
    ctx.note(`a recv after the deadline fails with ${after.code}`);
  },
};

/** Responses after the deadline, and stale ids after a new survey, are never delivered. */
export const surveyorLateResponse: ConformanceCase = {
  id: "survey/surveyor-late-response-dropped",
  title: "SURVEYOR drops a response that arrives after the deadline",
  requirements: ["SP-SURVEY-9", "SP-SURVEY-11", "SP-SURVEY-14", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SURVEYOR_TCP,
  // The late and stale responses are dropped by the reference's socket (it routes responses
  // by survey id), so its machine walks neither surveyor:idle:response nor the unguarded
  // surveyor:surveying:response.
  covers: [
    "surveyor:surveying:after:surveyTime",
    "surveyor:surveying:response[idMatches]",
    "surveyor:idle:response",
    "surveyor:surveying:response",
  ],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.survey });
    await surveyor.send(utf8("first"), { timeoutMs: T.prompt });
    const first = await readSurvey(ctx, peer);
    const r = await surveyor.tryRecv({ timeoutMs: T.prompt });
    if (r.ok) ctx.fail(`nobody answered, yet recv delivered ${hex(r.value)}`);
    expectErrorName(ctx, r.code, "ETIMEDOUT", "recv at the deadline", { ESTATE: NO_SURVEY });
    peer.sendFrame(response(first.id, utf8("too late")));
    await new Promise((res) => setTimeout(res, 50));
    await surveyor.setopt("surveyor:survey-time", T.long);
    await surveyor.send(utf8("second"), { timeoutMs: T.prompt });
    const second = await readSurvey(ctx, peer);
    peer.sendFrame(response(first.id, utf8("stale")));
    peer.sendFrame(response(second.id, utf8("in time")));
    const got = await iutRecv(ctx, surveyor, "the answer to the second survey");
    expectBytes(ctx, got, utf8("in time"), "first message delivered after the late ones");
  },
};

/**
 * A new survey ends the old one: answers to the old id are dropped. The recv
 * that was waiting may fail with ECANCELED (nng) or go on to the new survey
 * (nanomsg); both are allowed (SP-SURVEY-26).
 */
export const surveyorNewSurveyCancels: ConformanceCase = {
  id: "survey/surveyor-new-survey-cancels",
  title: "A new survey cancels the one in progress; answers to the old one are dropped",
  requirements: ["SP-SURVEY-14", "SP-SURVEY-26", "SP-SURVEY-11", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SURVEYOR_TCP,
  covers: [
    "surveyor:surveying:send",
    "surveyor:surveying:recv",
    "surveyor:surveying:response[idMatches]",
    "surveyor:surveying:response",
  ],
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx, { "surveyor:survey-time": T.long });
    await surveyor.send(utf8("old"), { timeoutMs: T.prompt });
    const old = await readSurvey(ctx, peer);
    const waiting = surveyor.tryRecv({ timeoutMs: T.prompt + 1000 });
    await new Promise((res) => setTimeout(res, 100)); // let the recv reach the IUT
    await surveyor.send(utf8("new"), { timeoutMs: T.prompt });
    const fresh = await readSurvey(ctx, peer);
    if (fresh.id === old.id) ctx.fail(`the new survey reuses the id ${word32(old.id)}`);
    peer.sendFrame(response(old.id, utf8("to old")));
    peer.sendFrame(response(fresh.id, utf8("to new")));
    const w = await waiting;
    if (w.ok) {
      expectBytes(ctx, w.value, utf8("to new"), "the recv that outlived the old survey");
      ctx.note("the waiting recv went on to the new survey (allowed)");
      return;
    }
    expectErrorName(ctx, w.code, "ECANCELED", "the recv waiting for the old survey");
    ctx.note(`the waiting recv failed with ${w.code}`);
    expectBytes(ctx, await iutRecv(ctx, surveyor, "the answer"), utf8("to new"), "answer");
  },
};

/** recv on a surveyor that never sent a survey fails with ESTATE. */
export const surveyorRecvWithoutSurvey: ConformanceCase = {
  id: "survey/surveyor-recv-without-survey",
  title: "SURVEYOR recv without a survey fails with ESTATE",
  requirements: ["SP-SURVEY-10", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["surveyor0"], transports: ["tcp"] },
  covers: ["surveyor:idle:recv"],
  async run(ctx: CaseContext) {
    const surveyor = await openIut(ctx, "surveyor0");
    const r = await surveyor.tryRecv({ timeoutMs: 1000 });
    if (r.ok) ctx.fail(`recv without a survey delivered ${hex(r.value)}`);
    expectErrorName(ctx, r.code, "ESTATE", "recv without a survey");
  },
};

/** Cases of this file, in run order. */
/**
 * SP-SURVEY-11, -12, -29: a response of three bytes is ignored (its pipe may
 * close); a response of exactly four bytes is the survey id with an empty
 * body and is delivered as an empty message, its pipe staying open. A stack
 * that treats "four bytes or fewer" as malformed loses every empty answer.
 */
export const surveyorShortAndEmpty: ConformanceCase = {
  id: "survey/surveyor-short-and-empty-responses",
  title:
    "SURVEYOR ignores a 3-byte response and delivers a 4-byte one (the id alone) as an empty message",
  requirements: ["SP-SURVEY-11", "SP-SURVEY-12", "SP-SURVEY-29"],
  kind: "malformed",
  needs: SURVEYOR_TCP,
  async run(ctx: CaseContext) {
    const { surveyor, url } = await surveyorListening(ctx, { "surveyor:survey-time": T.long });
    const [a, b] = await respondentPeers(ctx, url, 2);
    if (!a || !b) ctx.fail("two respondent peers needed");
    await surveyor.send(utf8("anyone?"), { timeoutMs: T.prompt });
    const sa = await readSurvey(ctx, a);
    const sb = await readSurvey(ctx, b);
    if (sa.id !== sb.id) ctx.fail(`the two copies carry ids ${word32(sa.id)} and ${word32(sb.id)}`);
    // Three bytes: the start of the right id, cut short.
    a.sendFrame(response(sa.id, new Uint8Array(0)).subarray(0, 3));
    // Four bytes: the id and nothing else.
    b.sendFrame(response(sb.id, new Uint8Array(0)));
    const empty = await iutRecv(ctx, surveyor, "the 4-byte response (an empty answer)");
    if (empty.length !== 0) {
      ctx.fail(`the 4-byte response was delivered as ${hex(empty)}, not as an empty message`);
    }
    b.sendFrame(response(sb.id, utf8("after the empty one")));
    expectBytes(
      ctx,
      await iutRecv(ctx, surveyor, "the response after the empty one"),
      utf8("after the empty one"),
      "B's second response (its pipe must stay open)",
    );
    const more = await surveyor.tryRecv({ timeoutMs: T.quiet });
    if (more.ok) ctx.fail(`the 3-byte response was delivered as ${hex(more.value)}`);
    const seen = await a.quiet(T.quiet);
    ctx.note(
      seen.kind === "closed"
        ? "the pipe of the 3-byte response was closed (SP-SURVEY-29 allows it)"
        : "the pipe of the 3-byte response stayed open",
    );
  },
};

export const surveyorCases = [
  surveyHeaderNumbers,
  surveyWrongPeer,
  surveyorIdTopBit,
  surveyorIdRandomStart,
  surveyorSendsToAll,
  surveyorDeadline,
  surveyorLateResponse,
  surveyorNewSurveyCancels,
  surveyorRecvWithoutSurvey,
  surveyorShortAndEmpty,
];
