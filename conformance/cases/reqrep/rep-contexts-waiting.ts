/**
 * Many REP contexts waiting at once: `reqrep/rep-contexts-many-waiting`.
 *
 * Forty contexts of one IUT REP each start a recv; then a raw REQ peer sends
 * forty requests. SP-REQREP-38: while a context's recv waits, a request does
 * not stay in the socket's buffer, however many contexts wait, so every
 * context gets exactly one request. SP-REQREP-35: each context's reply goes
 * out with the id of the request that context holds. Forty is more than the
 * small fixed tables a stack may keep its waiting receivers in (the
 * reference prunes its list of waiting receivers at 32): a stack that loses
 * or starves a waiting receiver there leaves some recvs without a request.
 */
import { concat, firstWord, hex, utf8, words } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import { bodyText } from "../common/contexts.ts";
import { needs } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { repListening, reqPeer, T } from "./common.ts";

/** Contexts waiting at once. */
const CONTEXTS = 40;
/** Time for the adapter to register every recv, ms. */
const REGISTER_MS = 300;

const repContextsManyWaiting: ConformanceCase = {
  id: "reqrep/rep-contexts-many-waiting",
  title:
    "Forty REP contexts waiting in recv each get one of forty requests and answer it with its own id",
  requirements: ["SP-REQREP-38", "SP-REQREP-35"],
  kind: "example",
  needs: needs(["rep0"], ["contexts"]),
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peer = await reqPeer(ctx, url, "req");
    const contexts = [];
    for (let i = 0; i < CONTEXTS; i++) contexts.push(await rep.openContext());
    const waiting = contexts.map((c) => c.tryRecv({ timeoutMs: 4 * T.prompt }));
    await sleep(REGISTER_MS);
    const id = (i: number) => 0x80000100 + i;
    for (let i = 0; i < CONTEXTS; i++) peer.sendFrame(concat(words(id(i)), utf8(`q${i}`)));
    const got = await Promise.all(waiting);
    const seen = new Map<string, number>();
    got.forEach((r, k) => {
      if (!r.ok) {
        ctx.fail(
          `context ${k + 1} of ${CONTEXTS} got no request (${r.code}) although ${CONTEXTS} were sent while every context was waiting`,
        );
      }
      const body = bodyText(r.value);
      if (seen.has(body))
        ctx.fail(`request ${body} went to contexts ${(seen.get(body) as number) + 1} and ${k + 1}`);
      seen.set(body, k);
    });
    // Each context answers its own request; the peer gets every reply with the matching id.
    for (const [k, c] of contexts.entries()) {
      const r = got[k];
      if (r?.ok) await c.send(concat(utf8("a"), r.value), { timeoutMs: T.prompt });
    }
    const answered = new Set<number>();
    for (let i = 0; i < CONTEXTS; i++) {
      const f = await peer.readFrame(T.prompt);
      const rid = firstWord(f) as number;
      const body = bodyText(f.subarray(4));
      if (body !== `aq${rid - 0x80000100}`) {
        ctx.fail(`reply ${hex(f)} carries id 0x${rid.toString(16)} with the answer ${body}`);
      }
      answered.add(rid);
    }
    if (answered.size !== CONTEXTS)
      ctx.fail(`${answered.size} distinct requests answered of ${CONTEXTS}`);
    for (const c of contexts) await c.close();
  },
};

/** Cases of this file, in run order. */
export const repContextsWaitingCases: readonly ConformanceCase[] = [repContextsManyWaiting];
