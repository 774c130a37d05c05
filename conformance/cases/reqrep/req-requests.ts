/**
 * What an IUT REQ puts on the wire for a request, and REQ's state errors.
 */
import { concat, hex, utf8, word32, words } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  expectTopBit,
  iutRecv,
  REQ_TCP,
  readRequest,
  reqDialing,
  T,
} from "./common.ts";

/** Every request id has its top bit set; consecutive requests get distinct ids. */
export const reqIdTopBit: ConformanceCase = {
  id: "reqrep/req-id-top-bit",
  title: "REQ request ids have the top bit set and differ between requests",
  requirements: ["SP-REQREP-2", "SP-REQREP-3", "SP-FRAMEWORK-5"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:pending:always[pipeAvailable]", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    const seen = new Set<number>();
    for (let i = 0; i < 4; i++) {
      await req.send(utf8(`q${i}`), { timeoutMs: T.prompt });
      const r = await readRequest(ctx, peer);
      expectTopBit(ctx, r.id);
      if (seen.has(r.id)) ctx.fail(`request ${i} reused id ${word32(r.id)} of an earlier request`);
      seen.add(r.id);
      peer.sendFrame(concat(words(r.id), utf8(`a${i}`)));
      await iutRecv(ctx, req, `reply ${i}`);
    }
    ctx.note(`ids: ${[...seen].map(word32).join(" ")}`);
  },
};

/** A request is exactly `[id] body`, and the reply body arrives with the id stripped. */
export const reqExactFrame: ConformanceCase = {
  id: "reqrep/req-exact-frame",
  title: "REQ sends exactly [id] body and strips the id from the reply",
  requirements: ["SP-REQREP-5", "SP-REQREP-7", "SP-TCP-8", "SP-FRAMEWORK-3"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:pending:always[pipeAvailable]", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    const bodies = [
      utf8("x"),
      new Uint8Array([0x80, 0, 0, 1, 0xff, 0x00]), // looks like a header word; must stay body
      new Uint8Array(300).map((_, i) => i & 0xff),
    ];
    for (const body of bodies) {
      await req.send(body, { timeoutMs: T.prompt });
      const r = await readRequest(ctx, peer);
      expectTopBit(ctx, r.id);
      expectBytes(ctx, r.payload, concat(words(r.id), body), "request frame");
      const reply = concat(utf8("re:"), body);
      peer.sendFrame(concat(words(r.id), reply));
      const got = await iutRecv(ctx, req, "the reply");
      expectBytes(ctx, got, reply, "reply body delivered by the IUT REQ");
    }
  },
};

/** Distinct REQ sockets SHOULD start at random ids (SP-REQREP-4). */
export const reqIdRandomStart: ConformanceCase = {
  id: "reqrep/req-id-random-start",
  title: "Fresh REQ sockets start at unrelated request ids (SHOULD)",
  requirements: ["SP-REQREP-4"],
  kind: "example",
  needs: REQ_TCP,
  cat: { send: { req0: { data: "first" } } },
  async run(ctx: CaseContext) {
    const firsts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { req, peer } = await reqDialing(ctx);
      await req.send(utf8("first"), { timeoutMs: T.prompt });
      firsts.push((await readRequest(ctx, peer)).id);
    }
    ctx.note(`first ids: ${firsts.map(word32).join(" ")}`);
    const spread = Math.max(...firsts) - Math.min(...firsts);
    if (new Set(firsts).size < firsts.length || spread <= firsts.length) {
      ctx.warn(`three fresh REQ sockets began at ${firsts.map(word32).join(", ")}`);
    }
  },
};

/** recv on a REQ with nothing outstanding fails with ESTATE, before and after an exchange. */
export const reqRecvWithoutRequest: ConformanceCase = {
  id: "reqrep/req-recv-without-request",
  title: "REQ recv without an outstanding request fails with ESTATE",
  requirements: ["SP-REQREP-11", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:idle:recv", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    const before = await req.tryRecv({ timeoutMs: 1000 });
    if (before.ok) ctx.fail(`recv on a fresh REQ delivered ${hex(before.value)}`);
    expectErrorName(ctx, before.code, "ESTATE", "recv on a fresh REQ");

    await req.send(utf8("one"), { timeoutMs: T.prompt });
    const r = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(r.id), utf8("answer")));
    await iutRecv(ctx, req, "the reply");
    const after = await req.tryRecv({ timeoutMs: 1000 });
    if (after.ok) ctx.fail(`a second recv after the reply delivered ${hex(after.value)}`);
    expectErrorName(ctx, after.code, "ESTATE", "recv after the reply was consumed");
  },
};

/** Cases of this file, in run order. */
export const reqRequestCases = [
  reqIdTopBit,
  reqExactFrame,
  reqIdRandomStart,
  reqRecvWithoutRequest,
];
