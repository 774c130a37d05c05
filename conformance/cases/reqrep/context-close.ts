/**
 * Contexts that close, and REP contexts that answer out of order (feature
 * `contexts`): what one context does must not leak into another.
 *
 * - reqrep/req-context-close: a closed REQ context stops resending its
 *   request, its waiting recv fails, a late reply for it is dropped, and the
 *   other context's request goes on (SP-REQREP-34).
 * - reqrep/rep-contexts-out-of-order: two REP contexts answer two peers in
 *   the reverse order; each reply reaches its own peer with its whole
 *   backtrace (SP-REQREP-35).
 * - reqrep/rep-context-close: closing a REP context fails its waiting recv
 *   without taking a request, and abandons the request it holds (SP-REQREP-36).
 */
import { concat, hex, request, sameBytes, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { answerInReverse, bodyText, closeEndsRecv } from "../common/contexts.ts";
import { expectErrorName } from "../common/error-name.ts";
import { needs, settle } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutRecv,
  readRequest,
  repListening,
  reqDialing,
  reqPeer,
  T,
} from "./common.ts";

/** Every whole frame `peer` holds now (nothing more is waited for). */
async function framesHeld(peer: WirePeer): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  while (peer.buffered >= 8) out.push(await peer.readFrame(T.prompt));
  return out;
}

/** Frames `peer` reads within `ms`. */
async function framesWithin(peer: WirePeer, ms: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) {
    try {
      out.push(await peer.readFrame(left));
    } catch {
      break;
    }
  }
  return out;
}

/** SP-REQREP-34: a closed REQ context ends its request; the other context's goes on. */
const reqContextClose: ConformanceCase = {
  id: "reqrep/req-context-close",
  title:
    "Closing a REQ context fails its recv, stops its resends and drops its late reply; the other context is untouched",
  requirements: ["SP-REQREP-34", "SP-REQREP-27", "SP-REQREP-8"],
  kind: "example",
  needs: needs(["req0"], ["contexts"], ["req:resend-time"]),
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx, { "req:resend-time": T.resend });
    const c1 = await req.openContext();
    const c2 = await req.openContext();
    await c1.send(utf8("one"), { timeoutMs: T.prompt });
    await c2.send(utf8("two"), { timeoutMs: T.prompt });
    // The first copy of each; resends may already be interleaved.
    const ids = new Map<string, number>();
    while (ids.size < 2) {
      const r = await readRequest(ctx, peer);
      const body = bodyText(r.body);
      if (body !== "one" && body !== "two") ctx.fail(`unexpected request ${hex(r.payload)}`);
      ids.set(body, r.id);
    }
    const one = ids.get("one") as number;
    const two = ids.get("two") as number;
    if (one === two) ctx.fail(`both contexts used request id ${word32(one)}`);
    await closeEndsRecv(ctx, c1);
    // Copies the IUT wrote before it confirmed the close are on their way or here.
    await settle();
    const before = await framesHeld(peer);
    // SP-REQREP-34: from now on "one" never goes out again, "two" still does (SP-REQREP-8).
    const after = await framesWithin(peer, 6 * T.resend + T.quiet);
    const count = (fs: Uint8Array[], id: number) =>
      fs.filter((f) => sameBytes(f.subarray(0, 4), words(id))).length;
    ctx.note(
      `before the close was confirmed: ${count(before, one)} more copies of "one"; after: ${count(after, one)} of "one", ${count(after, two)} of "two"`,
    );
    if (count(after, one) > 0) {
      ctx.fail(
        `the IUT sent the closed context's request ${count(after, one)} more times after the close`,
      );
    }
    if (count(after, two) === 0) {
      ctx.fail(
        `the open context's request was not resent in ${6 * T.resend + T.quiet} ms (resend time ${T.resend} ms)`,
      );
    }
    // A late reply for the closed request is dropped; "two" gets only its own (SP-REQREP-27).
    peer.sendFrame(concat(words(one), utf8("late reply to one")));
    peer.sendFrame(concat(words(two), utf8("reply to two")));
    expectBytes(ctx, await iutRecv(ctx, c2, "the reply to two"), utf8("reply to two"), "context 2");
    const c3 = await req.openContext();
    const stray = await c3.tryRecv({ timeoutMs: T.quiet });
    if (stray.ok)
      ctx.fail(`a new context received ${hex(stray.value)}, the closed context's reply`);
  },
};

/** Opens an IUT REP with two contexts and two raw REQ peers. */
async function repWithContexts(ctx: CaseContext) {
  const { rep, url } = await repListening(ctx);
  const a = await reqPeer(ctx, url, "A");
  const b = await reqPeer(ctx, url, "B");
  await settle();
  const c1 = await rep.openContext();
  const c2 = await rep.openContext();
  return { rep, a, b, c1, c2 };
}

/** SP-REQREP-35: replies made on contexts in the reverse order reach their own peers. */
const repContextsOutOfOrder: ConformanceCase = {
  id: "reqrep/rep-contexts-out-of-order",
  title: "Two REP contexts answer two peers in the reverse order; each reply reaches its own peer",
  requirements: ["SP-REQREP-35", "SP-REQREP-13"],
  kind: "example",
  needs: needs(["rep0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const { a, b, c1, c2 } = await repWithContexts(ctx);
    await answerInReverse(
      ctx,
      [c1, c2],
      [
        { peer: a, name: "A", hops: [0x00000007], id: 0x80000a01, body: "from A" },
        { peer: b, name: "B", hops: [0x00000002, 0x00000009], id: 0x80000b02, body: "from B" },
      ],
      "reply",
    );
  },
};

/** SP-REQREP-36: a closed REP context takes no request and abandons the one it holds. */
const repContextClose: ConformanceCase = {
  id: "reqrep/rep-context-close",
  title:
    "Closing a REP context fails its waiting recv without taking a request, and abandons the request it holds",
  requirements: ["SP-REQREP-36", "SP-REQREP-35", "SP-REQREP-16"],
  kind: "example",
  needs: needs(["rep0"], ["contexts"]),
  async run(ctx: CaseContext) {
    const { rep, a, b, c1, c2 } = await repWithContexts(ctx);
    // 1. A recv waiting on c1 ends with ECLOSED; the next request goes to c2.
    await closeEndsRecv(ctx, c1);
    const mA = { hops: [], id: 0x80000a11, body: utf8("first from A") };
    a.sendFrame(request(mA));
    expectBytes(ctx, await iutRecv(ctx, c2, "A's request"), mA.body, "context 2's request");
    await c2.send(utf8("done A"), { timeoutMs: T.prompt });
    expectBytes(
      ctx,
      await a.readFrame(T.prompt),
      concat(words(mA.id), utf8("done A")),
      "A's reply",
    );
    // 2. c3 holds B's request and closes: no reply ever goes to B, and c2 cannot answer it.
    const c3 = await rep.openContext();
    const mB = { hops: [0x00000004], id: 0x80000b22, body: utf8("from B") };
    b.sendFrame(request(mB));
    expectBytes(ctx, await iutRecv(ctx, c3, "B's request"), mB.body, "context 3's request");
    await c3.close();
    const stray = await c2.trySend(utf8("not mine"), { timeoutMs: T.prompt });
    if (stray.ok) {
      const seen = await b.quiet(T.quiet);
      ctx.fail(
        `context 2 holds no request, yet its send succeeded${seen.kind === "data" ? ` and B got ${hex(seen.bytes)}` : ""}`,
      );
    }
    expectErrorName(ctx, stray.code, "ESTATE", "a send on a context that holds nothing");
    const quiet = await b.quiet(2 * T.quiet);
    if (quiet.kind === "data") {
      ctx.fail(`B got ${hex(quiet.bytes)} for a request held by a context that was closed`);
    }
    // B resends, as a REQ would: another context takes it and answers.
    b.sendFrame(request(mB));
    expectBytes(ctx, await iutRecv(ctx, c2, "B's resent request"), mB.body, "the resend");
    await c2.send(utf8("done B"), { timeoutMs: T.prompt });
    expectBytes(
      ctx,
      await b.readFrame(T.prompt),
      concat(words(...mB.hops, mB.id), utf8("done B")),
      "B's reply",
    );
  },
};

export const contextCloseCases: readonly ConformanceCase[] = [
  reqContextClose,
  repContextsOutOfOrder,
  repContextClose,
];
