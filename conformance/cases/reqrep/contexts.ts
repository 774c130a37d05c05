/**
 * REQ contexts (feature `contexts`): two requests outstanding at once on one
 * cooked socket, each with its own id (SP-REQREP-23), answered out of order
 * and each reply delivered to its own context.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectClosedOp, stillPending } from "../common/close.ts";
import { bothGetTheirOwn, idsByBody } from "../common/contexts.ts";
import { Pending } from "../common/paths-runtime.ts";
import { needs, openCooked, T } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/**
 * An IUT REQ dialing a raw REP peer, with two contexts that each sent a
 * request ("one", "two"); fails unless both arrived with distinct ids (SP-REQREP-23).
 */
async function twoRequests(ctx: CaseContext): Promise<{
  rep: WirePeer;
  c1: IutSocket;
  c2: IutSocket;
  i1: number;
  i2: number;
}> {
  const req = await openCooked(ctx, "req0");
  const server = await ctx.server();
  await req.dial(server.url);
  const rep = await server.accept(T.prompt);
  const h = await rep.handshake(0x31);
  if (h.protocol !== 0x30) ctx.fail(`the IUT announced 0x${h.protocol.toString(16)}, not 0x30`);
  const c1 = await req.openContext();
  const c2 = await req.openContext();
  await c1.send(utf8("one"), { timeoutMs: T.prompt });
  await c2.send(utf8("two"), { timeoutMs: T.prompt });
  const ids = await idsByBody(ctx, () => rep.readFrame(T.prompt), 2, "request");
  const i1 = ids.get("one");
  const i2 = ids.get("two");
  if (i1 === undefined || i2 === undefined) {
    ctx.fail(`expected requests "one" and "two", got ${[...ids.keys()].join(", ")}`);
  }
  // SP-REQREP-23: the two outstanding requests carry distinct ids.
  if (i1 === i2) ctx.fail(`both contexts used request id ${word32(i1)}`);
  return { rep, c1, c2, i1, i2 };
}

/** SP-REQREP-23: two contexts of one REQ, two outstanding requests with distinct ids. */
const reqContexts: ConformanceCase = {
  id: "reqrep/req-contexts",
  title: "REQ contexts keep two requests outstanding with distinct ids and match replies to them",
  requirements: ["SP-REQREP-23", "SP-REQREP-7", "SP-REQREP-27"],
  kind: "example",
  needs: needs(["req0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const { rep, c1, c2, i1, i2 } = await twoRequests(ctx);
    ctx.note(`request ids ${word32(i1)} and ${word32(i2)}`);
    // Answer the second first; each context gets its own reply (SP-REQREP-7).
    rep.sendFrame(concat(words(i2), utf8("reply two")));
    rep.sendFrame(concat(words(i1), utf8("reply one")));
    await bothGetTheirOwn(
      ctx,
      [
        [c1, "reply one"],
        [c2, "reply two"],
      ],
      "reply",
    );
    const extra = await rep.quiet(T.quiet);
    if (extra.kind === "data") ctx.note(`the REP peer saw more: ${hex(extra.bytes)}`);
  },
};

/** SP-REQREP-10 per context: a new request on one context cancels only that context's request. */
const reqContextCancelsOwn: ConformanceCase = {
  id: "reqrep/req-context-new-request-cancels-own",
  title: "A new request on one REQ context cancels that context's request only",
  requirements: ["SP-REQREP-10", "SP-REQREP-27", "SP-REQREP-23"],
  kind: "example",
  needs: needs(["req0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const { rep, c1, c2, i1, i2 } = await twoRequests(ctx);
    // c1 starts over: its first request is cancelled, c2's is not.
    await c1.send(utf8("one again"), { timeoutMs: T.prompt });
    const again = await idsByBody(ctx, () => rep.readFrame(T.prompt), 1, "request");
    const i1b = again.get("one again");
    if (i1b === undefined)
      ctx.fail(`expected request "one again", got ${[...again.keys()].join(", ")}`);
    if (i1b === i2) ctx.fail(`the new request reused the other context's id ${word32(i2)}`);
    // The cancelled request's reply first: it must reach nobody (SP-REQREP-10).
    rep.sendFrame(concat(words(i1), utf8("reply to the cancelled one")));
    rep.sendFrame(concat(words(i2), utf8("reply two")));
    rep.sendFrame(concat(words(i1b), utf8("reply one again")));
    await bothGetTheirOwn(
      ctx,
      [
        [c1, "reply one again"],
        [c2, "reply two"],
      ],
      "reply",
    );
  },
};

/**
 * SP-REQREP-20 with contexts: closing the socket fails the recv waiting on an
 * opened context as well as the socket's own, at once and not at its timeout.
 */
const reqSocketCloseFailsContextRecv: ConformanceCase = {
  id: "reqrep/req-socket-close-fails-context-recv",
  title: "Closing a REQ socket fails the pending recv of each of its contexts",
  requirements: ["SP-REQREP-20", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: needs(["req0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const req = await openCooked(ctx, "req0");
    const server = await ctx.server();
    await req.dial(server.url);
    const rep = await server.accept(T.prompt);
    await rep.handshake(0x31);
    const c1 = await req.openContext();
    await req.send(utf8("on the socket"), { timeoutMs: T.prompt });
    await c1.send(utf8("on a context"), { timeoutMs: T.prompt });
    await idsByBody(ctx, () => rep.readFrame(T.prompt), 2, "request");
    // Long timeouts: a recv the close leaves waiting shows as ETIMEDOUT.
    const onSocket = new Pending(req.tryRecv({ timeoutMs: 4000 }));
    const onContext = new Pending(c1.tryRecv({ timeoutMs: 4000 }));
    await stillPending(ctx, onSocket, "the socket's recv before any reply");
    await stillPending(ctx, onContext, "the context's recv before any reply");
    await req.close();
    await expectClosedOp(ctx, onSocket, "the socket's pending recv");
    await expectClosedOp(ctx, onContext, "the context's pending recv");
  },
};

export const reqContextCases: readonly ConformanceCase[] = [
  reqContexts,
  reqContextCancelsOwn,
  reqSocketCloseFailsContextRecv,
];
