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
import { concat, hex, utf8, word32, words } from "../../harness/sp.ts";
import { idsByBody } from "../common/contexts.ts";
import { expectErrorName } from "../common/error-name.ts";
import { needs, settle } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutRecv,
  respondentListening,
  response,
  surveyorPeer,
  surveyorWithPeer,
  T,
} from "./common.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Starts a recv on `sock` and lets the adapter register it before the caller goes on. */
async function pendingRecv(sock: IutSocket, ms: number) {
  const done = sock.tryRecv({ timeoutMs: ms });
  await settle();
  return { done };
}

/** SP-SURVEY-36: a closed SURVEYOR context ends its survey; the other one goes on. */
const surveyorContextClose: ConformanceCase = {
  id: "survey/surveyor-context-close",
  title:
    "Closing a SURVEYOR context fails its recv and drops late responses to its survey; the other context still gets its own",
  requirements: ["SP-SURVEY-36", "SP-SURVEY-32"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
    const { surveyor, peer } = await surveyorWithPeer(ctx);
    const c1 = await surveyor.openContext();
    const c2 = await surveyor.openContext();
    for (const c of [c1, c2]) await c.setopt("surveyor:survey-time", 5000);
    await c1.send(utf8("one"), { timeoutMs: T.prompt });
    await c2.send(utf8("two"), { timeoutMs: T.prompt });
    const ids = await idsByBody(ctx, () => peer.readFrame(T.prompt), 2, "survey");
    const s1 = ids.get("one");
    const s2 = ids.get("two");
    if (s1 === undefined || s2 === undefined) {
      ctx.fail(`expected surveys "one" and "two", got ${[...ids.keys()].join(", ")}`);
    }
    if (s1 === s2) ctx.fail(`both contexts used survey id ${word32(s1)}`);
    const waiting = await pendingRecv(c1, 3 * T.prompt);
    await c1.close();
    const r1 = await waiting.done;
    if (r1.ok) ctx.fail(`the closed context's recv returned ${hex(r1.value)}`);
    expectErrorName(ctx, r1.code, "ECLOSED", "the recv pending on the closed context");
    // A late answer to the closed survey, then the open survey's own answers.
    peer.sendFrame(response(s1, utf8("late answer to one")));
    peer.sendFrame(response(s2, utf8("answer to two")));
    peer.sendFrame(response(s2, utf8("second answer to two")));
    expectBytes(
      ctx,
      await iutRecv(ctx, c2, "the first answer to two"),
      utf8("answer to two"),
      "c2",
    );
    expectBytes(
      ctx,
      await iutRecv(ctx, c2, "the second answer to two"),
      utf8("second answer to two"),
      "c2, second response",
    );
    const more = await c2.tryRecv({ timeoutMs: T.quiet });
    if (more.ok) ctx.fail(`the open context also received ${hex(more.value)}`);
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
    const fromA = { hops: [0x00000005], id: 0x80000a31, body: "survey A" };
    const fromB = { hops: [0x00000003, 0x00000008], id: 0x80000b42, body: "survey B" };
    const [r1, r2] = await Promise.all([pendingRecv(c1, T.prompt), pendingRecv(c2, T.prompt)]);
    a.sendFrame(concat(words(...fromA.hops, fromA.id), utf8(fromA.body)));
    b.sendFrame(concat(words(...fromB.hops, fromB.id), utf8(fromB.body)));
    const got = await Promise.all([r1.done, r2.done]);
    const bodies = got.map((r, i) => {
      if (!r.ok) ctx.fail(`context ${i + 1} received nothing: ${r.code}`);
      return text(r.value);
    });
    if (new Set(bodies).size !== 2 || !bodies.every((x) => x === fromA.body || x === fromB.body)) {
      ctx.fail(`the contexts received ${bodies.map((x) => JSON.stringify(x)).join(" and ")}`);
    }
    const ctxs = [c1, c2];
    const order = bodies[0] === fromB.body ? [0, 1] : [1, 0];
    for (const i of order) {
      await (ctxs[i] as IutSocket).send(utf8(`re: ${bodies[i]}`), { timeoutMs: T.prompt });
    }
    for (const [peer, m, name] of [
      [a, fromA, "A"],
      [b, fromB, "B"],
    ] as const) {
      const frame = await peer.readFrame(T.prompt);
      expectBytes(
        ctx,
        frame,
        concat(words(...m.hops, m.id), utf8(`re: ${m.body}`)),
        `the response surveyor ${name} got`,
      );
      const extra = await peer.quiet(T.quiet);
      if (extra.kind === "data")
        ctx.fail(`surveyor ${name} got a second response: ${hex(extra.bytes)}`);
    }
  },
};

export const surveyContextCloseCases: readonly ConformanceCase[] = [
  surveyorContextClose,
  respondentContextsOutOfOrder,
];
