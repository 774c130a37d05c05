/**
 * SURVEYOR contexts (feature `contexts`): two surveys in progress at once on
 * one cooked socket, each with its own id (SP-SURVEY-5), answered out of
 * order and each response delivered to its own context.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectClosedOp, stillPending } from "../common/close.ts";
import { bothGetTheirOwn, idsByBody } from "../common/contexts.ts";
import { Pending } from "../common/paths-runtime.ts";
import { listening, needs, settle, T, wirePeer } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/**
 * An IUT SURVEYOR with one raw respondent and two contexts (survey time 5 s)
 * that each sent a survey ("one", "two"); fails unless both arrived with
 * distinct ids (SP-SURVEY-5).
 */
export async function twoSurveys(ctx: CaseContext): Promise<{
  sock: IutSocket;
  resp: WirePeer;
  c1: IutSocket;
  c2: IutSocket;
  s1: number;
  s2: number;
}> {
  const { sock, url } = await listening(ctx, "surveyor0");
  const resp = await wirePeer(ctx, url, "respondent0", "surveyor0", "respondent");
  await settle();
  const c1 = await sock.openContext();
  const c2 = await sock.openContext();
  for (const c of [c1, c2]) await c.setopt("surveyor:survey-time", 5000);
  await c1.send(utf8("one"), { timeoutMs: T.prompt });
  await c2.send(utf8("two"), { timeoutMs: T.prompt });
  const ids = await idsByBody(ctx, () => resp.readFrame(T.prompt), 2, "survey");
  const s1 = ids.get("one");
  const s2 = ids.get("two");
  if (s1 === undefined || s2 === undefined) {
    ctx.fail(`expected surveys "one" and "two", got ${[...ids.keys()].join(", ")}`);
  }
  // SP-SURVEY-5: the two surveys in progress carry distinct ids.
  if (s1 === s2) ctx.fail(`both contexts used survey id ${word32(s1)}`);
  return { sock, resp, c1, c2, s1, s2 };
}

/** SP-SURVEY-5: two contexts of one SURVEYOR, two surveys in progress with distinct ids. */
const surveyorContexts: ConformanceCase = {
  id: "survey/surveyor-contexts",
  title: "SURVEYOR contexts run two surveys at once with distinct ids and route responses to them",
  requirements: ["SP-SURVEY-5", "SP-SURVEY-12", "SP-SURVEY-32"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { resp, c1, c2, s1, s2 } = await twoSurveys(ctx);
    ctx.note(`survey ids ${word32(s1)} and ${word32(s2)}`);
    resp.sendFrame(concat(words(s2), utf8("answer two")));
    resp.sendFrame(concat(words(s1), utf8("answer one")));
    await bothGetTheirOwn(
      ctx,
      [
        [c1, "answer one"],
        [c2, "answer two"],
      ],
      "response",
    );
  },
};

/** SP-SURVEY-14 per context: a new survey on one context ends that context's survey only. */
const surveyorContextEndsOwn: ConformanceCase = {
  id: "survey/surveyor-context-new-survey-ends-own",
  title: "A new survey on one SURVEYOR context ends that context's survey only",
  requirements: ["SP-SURVEY-14", "SP-SURVEY-32", "SP-SURVEY-5"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { resp, c1, c2, s1, s2 } = await twoSurveys(ctx);
    await c1.send(utf8("one again"), { timeoutMs: T.prompt });
    const again = await idsByBody(ctx, () => resp.readFrame(T.prompt), 1, "survey");
    const s1b = again.get("one again");
    if (s1b === undefined)
      ctx.fail(`expected survey "one again", got ${[...again.keys()].join(", ")}`);
    if (s1b === s2) ctx.fail(`the new survey reused the other context's id ${word32(s2)}`);
    // An answer to the ended survey first: it must reach nobody (SP-SURVEY-14).
    resp.sendFrame(concat(words(s1), utf8("answer to the ended one")));
    resp.sendFrame(concat(words(s2), utf8("answer two")));
    resp.sendFrame(concat(words(s1b), utf8("answer one again")));
    await bothGetTheirOwn(
      ctx,
      [
        [c1, "answer one again"],
        [c2, "answer two"],
      ],
      "response",
    );
  },
};

/**
 * SP-SURVEY-25 with contexts: closing the socket fails the recv waiting on an
 * opened context's survey as well as the socket's own, at once and not at the
 * survey's deadline.
 */
const surveyorSocketCloseFailsContextRecv: ConformanceCase = {
  id: "survey/surveyor-socket-close-fails-context-recv",
  title: "Closing a SURVEYOR socket fails the pending recv of each of its contexts",
  requirements: ["SP-SURVEY-25", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "surveyor0");
    const resp = await wirePeer(ctx, url, "respondent0", "surveyor0", "respondent");
    await settle();
    await sock.setopt("surveyor:survey-time", 5000);
    const c1 = await sock.openContext();
    await c1.setopt("surveyor:survey-time", 5000);
    await sock.send(utf8("on the socket"), { timeoutMs: T.prompt });
    await c1.send(utf8("on a context"), { timeoutMs: T.prompt });
    await idsByBody(ctx, () => resp.readFrame(T.prompt), 2, "survey");
    // Recv timeouts short of the deadline: a recv the close leaves waiting shows as ETIMEDOUT.
    const onSocket = new Pending(sock.tryRecv({ timeoutMs: 4000 }));
    const onContext = new Pending(c1.tryRecv({ timeoutMs: 4000 }));
    await stillPending(ctx, onSocket, "the socket's recv before any response");
    await stillPending(ctx, onContext, "the context's recv before any response");
    await sock.close();
    await expectClosedOp(ctx, onSocket, "the socket's pending recv");
    await expectClosedOp(ctx, onContext, "the context's pending recv");
  },
};

export const surveyorContextCases: readonly ConformanceCase[] = [
  surveyorContexts,
  surveyorContextEndsOwn,
  surveyorSocketCloseFailsContextRecv,
];
