/**
 * Sockets and pipes coming and going: close fails pending operations, a
 * reply to a vanished peer is dropped silently, REQ spreads requests.
 */
import { concat, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  iutRecv,
  REP_TCP,
  REQ_TCP,
  readRequest,
  repListening,
  reqDialing,
  reqPeer,
  stillServes,
  T,
} from "./common.ts";

/** Window that lets the IUT register an operation we just issued; nothing may arrive meanwhile. */
const SETTLE = 100;

/** close fails a pending recv with ECLOSED, on REQ and on REP. */
export const closeFailsPending: ConformanceCase = {
  id: "reqrep/close-fails-pending",
  title: "Closing REQ or REP fails a pending recv with ECLOSED",
  requirements: ["SP-REQREP-20", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["req0", "rep0"], transports: ["tcp"] },
  covers: ["req:waiting:recv", "req:waiting:close", "rep:idle:close"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("never answered"), { timeoutMs: T.prompt });
    await readRequest(ctx, peer);
    const reqRecv = req.tryRecv({ timeoutMs: 5000 });
    await peer.expectNothing(SETTLE, "waiting for the REQ recv to be registered");
    await req.close();
    const r1 = await reqRecv;
    if (r1.ok) ctx.fail("the pending REQ recv delivered a message after close");
    expectErrorName(ctx, r1.code, "ECLOSED", "the pending REQ recv");

    const { rep, url } = await repListening(ctx);
    const repPeer = await reqPeer(ctx, url);
    const repRecv = rep.tryRecv({ timeoutMs: 5000 });
    await repPeer.expectNothing(SETTLE, "waiting for the REP recv to be registered");
    await rep.close();
    const r2 = await repRecv;
    if (r2.ok) ctx.fail("the pending REP recv delivered a message after close");
    expectErrorName(ctx, r2.code, "ECLOSED", "the pending REP recv");
  },
};

/** The requester vanished before the reply: send succeeds, nothing breaks. */
export const repReplyToGonePeer: ConformanceCase = {
  id: "reqrep/rep-reply-to-gone-peer",
  title: "REP drops a reply whose requester has disconnected, and send still succeeds",
  requirements: ["SP-REQREP-17", "SP-TCP-12"],
  kind: "example",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:send", "tcp-pipe:active:disconnect"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const gone = await reqPeer(ctx, url, "gone");
    gone.sendFrame(concat(words(0x80000777), utf8("ask and leave")));
    await iutRecv(ctx, rep, "the request");
    gone.close();
    const other = await reqPeer(ctx, url, "other");
    await other.expectNothing(SETTLE, "letting the IUT notice the disconnect");
    const sent = await rep.trySend(utf8("nobody listens"), { timeoutMs: T.prompt });
    if (!sent.ok) ctx.fail(`send of a reply to a vanished peer failed with ${sent.code}`);
    await other.expectNothing(T.quiet, "the reply belongs to the vanished peer only");
    await stillServes(ctx, rep, url);
  },
};

/** Which of two peers holds the next request (waits for either). */
async function nextCarrier(ctx: CaseContext, a: WirePeer, b: WirePeer): Promise<WirePeer> {
  await Promise.race([a.quiet(T.prompt), b.quiet(T.prompt)]);
  if (a.buffered > 0) return a;
  if (b.buffered > 0) return b;
  return ctx.fail(`no request reached either connection within ${T.prompt} ms`);
}

/** Requests alternate between two connected peers (round robin). */
export const reqRoundRobin: ConformanceCase = {
  id: "reqrep/req-round-robin",
  title: "REQ spreads consecutive requests over its connections in turn",
  requirements: ["SP-REQREP-21"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:pending:always[pipeAvailable]"],
  async run(ctx: CaseContext) {
    const { req, peer: a } = await reqDialing(ctx);
    const srvB = await ctx.server("srvB");
    await req.dial(srvB.url);
    const b = await srvB.accept(T.prompt);
    await b.handshake(0x31);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      await req.send(utf8(`r${i}`), { timeoutMs: T.prompt });
      const carrier = await nextCarrier(ctx, a, b);
      const r = await readRequest(ctx, carrier);
      order.push(carrier === a ? "A" : "B");
      carrier.sendFrame(concat(words(r.id), utf8(`a${i}`)));
      await iutRecv(ctx, req, `reply ${i}`);
    }
    ctx.note(`connections used: ${order.join("")}`);
    // The second connection may become ready only after the first request or two.
    const tail = order.slice(2);
    if (!order.includes("A") || !order.includes("B")) {
      ctx.fail(`all six requests used one connection (${order.join("")})`);
    }
    if (tail.some((c, i) => i > 0 && c === tail[i - 1])) {
      ctx.fail(`requests 3..6 did not alternate between the connections (${order.join("")})`);
    }
  },
};

/** Cases of this file, in run order. */
export const lifecycleCases = [closeFailsPending, repReplyToGonePeer, reqRoundRobin];
