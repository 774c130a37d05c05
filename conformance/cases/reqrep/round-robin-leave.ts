/**
 * REQ's round robin when a peer leaves: `reqrep/req-round-robin-after-leave`.
 *
 * Round robin, as the framework's terminology defines it, is a cycle over the
 * pipes that can take a message; a removed pipe leaves the cycle without
 * moving the others' turns, so the pipe whose turn was next keeps it. Four
 * raw REP peers connect to a listening IUT REQ; each request is answered
 * before the next is sent, so every pipe is ready at every send.
 *
 * - Four warm-up requests let every pipe attach and the IUT settle its order.
 * - The next four must reach four different peers: that is the cycle
 *   c1 c2 c3 c4 (SP-REQREP-21), and the ninth must reach c1 again.
 * - c1 then leaves. The next three must reach c2, c3, c4 and the one after
 *   that c2. A stack that keeps a position index into its list of pipes and
 *   does not adjust it when an earlier entry is removed (or adjusts it the
 *   wrong way) skips c2 here, or gives it two turns.
 */
import { concat, PROTO, utf8, words } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { bodyText } from "../common/contexts.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { iutRecv, REQ_TCP, readRequest, T } from "./common.ts";

/** Peers connected at the start. */
const PEERS = 4;
/** Time after the last connect, and after a peer leaves, for the IUT to update its pipes, ms. */
const SETTLE_MS = 300;

const roundRobinAfterLeave: ConformanceCase = {
  id: "reqrep/req-round-robin-after-leave",
  title:
    "REQ keeps its round robin when a peer leaves: the peer whose turn was next gets the next request",
  requirements: ["SP-REQREP-21"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:pending:always[pipeAvailable]"],
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    const url = await req.listen(ctx.iutUrl("tcp"));
    const peers: WirePeer[] = [];
    for (let i = 0; i < PEERS; i++) {
      const p = await ctx.connect(url, `rep${i + 1}`);
      const h = await p.handshake(PROTO.rep0);
      if (h.protocol !== PROTO.req0) {
        ctx.fail(`the IUT REQ announced protocol 0x${h.protocol.toString(16)}, expected 0x30`);
      }
      peers.push(p);
    }
    const gone = new Set<number>();
    const name = (i: number) => `rep${i + 1}`;
    let n = 0;
    /** Sends one request, finds the one peer that got it, answers it; returns that peer. */
    const ask = async (): Promise<number> => {
      const k = n++;
      await req.send(utf8(`r${k}`), { timeoutMs: T.prompt });
      const live = peers.map((_, i) => i).filter((i) => !gone.has(i));
      await Promise.race(live.map((i) => (peers[i] as WirePeer).quiet(T.prompt)));
      const got = live.filter((i) => (peers[i] as WirePeer).buffered > 0);
      if (got.length === 0) ctx.fail(`request ${k + 1} reached no peer within ${T.prompt} ms`);
      const who = got[0] as number;
      const peer = peers[who] as WirePeer;
      const r = await readRequest(ctx, peer);
      if (bodyText(r.body) !== `r${k}`) {
        ctx.fail(`${name(who)} read ${bodyText(r.body)} when request r${k} was sent`);
      }
      peer.sendFrame(concat(words(r.id), utf8(`a${k}`)));
      await iutRecv(ctx, req, `the reply to request ${k + 1}`);
      return who;
    };
    await sleep(SETTLE_MS);
    const warm: number[] = [];
    for (let i = 0; i < PEERS; i++) warm.push(await ask());
    const cycle: number[] = [];
    for (let i = 0; i < PEERS; i++) cycle.push(await ask());
    const shown = (xs: number[]) => xs.map(name).join(" ");
    ctx.note(`warm-up ${shown(warm)}; cycle ${shown(cycle)}`);
    if (new Set(cycle).size !== PEERS) {
      ctx.fail(
        `with ${PEERS} peers attached and ready, requests 5 to 8 went to ${shown(cycle)}: in round robin each gets one before any gets a second`,
      );
    }
    const [c1, c2, c3, c4] = cycle as [number, number, number, number];
    const ninth = await ask();
    if (ninth !== c1) {
      ctx.fail(`request 9 went to ${name(ninth)}, not to ${name(c1)} whose turn it was`);
    }
    gone.add(c1);
    (peers[c1] as WirePeer).close();
    await sleep(SETTLE_MS);
    const after: number[] = [];
    for (let i = 0; i < PEERS; i++) after.push(await ask());
    ctx.note(`after ${name(c1)} left: ${shown(after)}`);
    const want = [c2, c3, c4, c2];
    if (after.some((who, i) => who !== want[i])) {
      ctx.fail(
        `after ${name(c1)} left, requests went to ${shown(after)}, expected ${shown(want)}: ${name(c2)}, whose turn was next, keeps it when another pipe leaves the round robin`,
      );
    }
  },
};

/** Cases of this file, in run order. */
export const reqRoundRobinLeaveCases: readonly ConformanceCase[] = [roundRobinAfterLeave];
