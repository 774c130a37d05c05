/**
 * Raw SURVEYOR and RESPONDENT (feature `raw`): the backtrace and survey id
 * reach the application as the header, the header the application gives goes
 * on the wire (SP-FRAMEWORK-4); no survey state (deadline, id matching) sits
 * between the wire and the application.
 */
import { concat, request, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  backtraceInHeader,
  expectBytes,
  headerOf,
  listening,
  needs,
  peerExpect,
  recvMsg,
  settle,
  showWords,
  T,
  wirePeer,
  wordsOf,
} from "./common.ts";

/** Raw RESPONDENT: header out to the application and back. */
const xrespondentHeader: ConformanceCase = {
  id: "raw/xrespondent-header",
  title: "raw RESPONDENT hands the backtrace to the application and sends the header it is given",
  requirements: ["SP-FRAMEWORK-4", "SP-FRAMEWORK-6", "SP-SURVEY-34"],
  kind: "example",
  needs: needs(["respondent0"], ["raw"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "respondent0", { raw: true });
    const surveyor = await wirePeer(ctx, url, "surveyor0", "respondent0", "surveyor");
    const wire = [0x00000033, 0x80000011];
    surveyor.sendFrame(request({ hops: [0x00000033], id: 0x80000011, body: utf8("who?") }));
    const m = await recvMsg(ctx, sock, "the survey");
    expectBytes(ctx, m.data, "who?", "body of the survey");
    const local = backtraceInHeader(ctx, headerOf(m), wire, "raw RESPONDENT receive");
    ctx.note(`local header prefix: ${showWords(wordsOf(local))}`);
    await sock.send(utf8("me"), { header: headerOf(m), timeoutMs: T.prompt });
    await peerExpect(ctx, surveyor, concat(words(...wire), utf8("me")), "the response frame");
    // No survey state: a second response, with an id of the application's choosing.
    await sock.send(utf8("me too"), {
      header: concat(local, words(0x80000012)),
      timeoutMs: T.prompt,
    });
    await peerExpect(
      ctx,
      surveyor,
      concat(words(0x80000012), utf8("me too")),
      "the second response frame",
    );
  },
};

/** Raw SURVEYOR: header out as given, to every respondent; responses with any id come back. */
const xsurveyorHeader: ConformanceCase = {
  id: "raw/xsurveyor-header",
  title: "raw SURVEYOR sends the application's header to every peer and delivers any response",
  requirements: ["SP-FRAMEWORK-4", "SP-SURVEY-35"],
  kind: "example",
  needs: needs(["surveyor0"], ["raw"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "surveyor0", { raw: true });
    const r1 = await wirePeer(ctx, url, "respondent0", "surveyor0", "r1");
    const r2 = await wirePeer(ctx, url, "respondent0", "surveyor0", "r2");
    await settle();
    await sock.send(utf8("poll"), { header: words(0x80000021), timeoutMs: T.prompt });
    for (const r of [r1, r2]) {
      await peerExpect(ctx, r, concat(words(0x80000021), utf8("poll")), `${r.label}'s survey`);
    }
    // An id never sent and a late one: a raw socket has no deadline and matches no id.
    const answers: [typeof r1, number, string][] = [
      [r1, 0x80000021, "yes"],
      [r2, 0x80000777, "unknown id"],
    ];
    for (const [r, id, body] of answers) {
      r.sendFrame(concat(words(id), utf8(body)));
      const m = await recvMsg(ctx, sock, `the response from ${r.label}`);
      expectBytes(ctx, headerOf(m), words(id), `header of ${r.label}'s response`);
      expectBytes(ctx, m.data, body, `body of ${r.label}'s response`);
    }
  },
};

/** Raw SUB: the drafts leave open whether it filters; reported as information. */
const xsubFilter: ConformanceCase = {
  id: "raw/xsub-unfiltered",
  title: "raw SUB without subscriptions: delivers every message, or filters (reported)",
  requirements: ["SP-FRAMEWORK-4"],
  kind: "example",
  needs: needs(["sub0"], ["raw"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "sub0", { raw: true });
    const pub = await wirePeer(ctx, url, "pub0", "sub0", "pub");
    await settle();
    pub.sendFrame(utf8("topic-a news"));
    const r = await sock.tryRecvMessage({ timeoutMs: T.prompt / 2 });
    if (r.ok) {
      // SP-FRAMEWORK-4: PUB/SUB has no header, so the header is empty (or absent).
      expectBytes(ctx, headerOf(r.value), new Uint8Array(0), "header of a PUB/SUB message");
      expectBytes(ctx, r.value.data, "topic-a news", "the published message");
      ctx.note("the raw SUB delivered a message it never subscribed to (no filtering)");
    } else {
      ctx.info(
        `the raw SUB did not deliver an unsubscribed message (${r.code}): it filters like a cooked SUB; the drafts leave raw SUB filtering open`,
      );
    }
  },
};

/** Raw SURVEYOR/RESPONDENT and SUB cases, in run order. */
export const rawSurveyCases: readonly ConformanceCase[] = [
  xrespondentHeader,
  xsurveyorHeader,
  xsubFilter,
];
