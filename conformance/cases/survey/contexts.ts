/**
 * Contexts (feature `contexts`): several requests or surveys outstanding at
 * once on one cooked socket, each with its own id (SP-REQREP-23,
 * SP-SURVEY-5), answered out of order and each answer delivered to its own
 * context.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, utf8, word32, words } from "../../harness/sp.ts";
import { expectBytes, listening, needs, settle, T, wirePeer, wordsOf } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Reads `n` frames and maps each body (as text) to its first word. */
async function idsByBody(
  ctx: CaseContext,
  read: () => Promise<Uint8Array>,
  n: number,
  who: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = await read();
    if (f.length < 4) ctx.fail(`${who} ${i + 1} is ${f.length} bytes, without an id`);
    const id = wordsOf(f.subarray(0, 4))[0] as number;
    // SP-REQREP-3 / SP-SURVEY-3: ids carry the top bit.
    if ((id & 0x80000000) === 0) ctx.fail(`${who} id ${word32(id)} lacks the top bit`);
    out.set(new TextDecoder().decode(f.subarray(4)), id);
  }
  return out;
}

/** Receives on both contexts at once and checks each got its own answer. */
async function bothGetTheirOwn(
  ctx: CaseContext,
  pairs: [IutSocket, string][],
  what: string,
): Promise<void> {
  const got = await Promise.all(pairs.map(([c]) => c.tryRecv({ timeoutMs: T.prompt })));
  got.forEach((r, i) => {
    const want = (pairs[i] as [IutSocket, string])[1];
    if (!r.ok) ctx.fail(`context ${i + 1} did not receive its ${what}: ${r.code}`);
    expectBytes(ctx, r.value, want, `the ${what} delivered to context ${i + 1}`);
  });
}

/** SP-SURVEY-5: two contexts of one SURVEYOR, two surveys in progress with distinct ids. */
const surveyorContexts: ConformanceCase = {
  id: "survey/surveyor-contexts",
  title: "SURVEYOR contexts run two surveys at once with distinct ids and route responses to them",
  requirements: ["SP-SURVEY-5", "SP-SURVEY-12"],
  kind: "example",
  needs: needs(["surveyor0"], ["contexts"], ["surveyor:survey-time"]),
  async run(ctx: CaseContext) {
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

export const surveyorContextCases: readonly ConformanceCase[] = [surveyorContexts];
