/**
 * TCP framing cases (draft-sp-tcp §framing) through REQ/REP: empty bodies,
 * the receive-size limit and oversize announcements.
 */
import { request, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  expectTopBit,
  iutRecv,
  REP_TCP,
  readRequest,
  repListening,
  repRoundTrip,
  reqDialing,
  reqPeer,
  stillServes,
  T,
} from "./common.ts";

const empty = new Uint8Array(0);

/**
 * Empty bodies in both directions. A zero-length *frame* cannot carry a
 * REQ/REP message (it lacks the request id), so SP-TCP-9 is exercised at the
 * smallest size REQ/REP allows: frames holding only the id word.
 */
export const zeroLengthBody: ConformanceCase = {
  id: "reqrep/tcp-zero-length-body",
  title: "Empty request and reply bodies round-trip through REQ and REP",
  requirements: ["SP-TCP-8", "SP-TCP-9", "SP-REQREP-5", "SP-REQREP-7", "SP-REQREP-13"],
  kind: "example",
  needs: { protocols: ["req0", "rep0"], transports: ["tcp"] },
  cat: { send: { rep0: { data: "" }, req0: { data: "" } } },
  covers: ["rep:idle:deliver", "rep:holding:send", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peer = await reqPeer(ctx, url);
    await repRoundTrip(ctx, rep, peer, { hops: [], id: 0x80000007, body: empty, reply: empty });

    const { req, peer: repPeer } = await reqDialing(ctx);
    await req.send(empty, { timeoutMs: T.prompt });
    const r = await readRequest(ctx, repPeer);
    expectTopBit(ctx, r.id);
    expectBytes(ctx, r.payload, words(r.id), "request frame for an empty body");
    repPeer.sendFrame(words(r.id));
    const got = await iutRecv(ctx, req, "the empty reply");
    expectBytes(ctx, got, empty, "reply body delivered by the IUT REQ");
  },
};

/** An announced length above recv-size-max closes that connection before the payload. */
export const oversizeFrame: ConformanceCase = {
  id: "reqrep/tcp-oversize-frame",
  title: "A frame longer than recv-size-max closes the connection; the socket keeps serving",
  requirements: ["SP-TCP-10", "SP-TCP-11", "SP-TCP-12"],
  kind: "malformed",
  needs: { ...REP_TCP, options: ["recv-size-max"] },
  covers: ["tcp-pipe:active:oversize"],
  async run(ctx: CaseContext) {
    const limit = 1024;
    const { rep, url } = await repListening(ctx, { "recv-size-max": limit });
    const bystander = await reqPeer(ctx, url, "bystander");

    const big = await reqPeer(ctx, url, "big");
    // Only the length goes out: a conforming IUT closes without waiting for the payload.
    big.write(new Uint8Array([0, 0, 0, 0, 0, 0, 0x10, 0x00]));
    await big.expectClosed(T.prompt, `announced 4096 bytes with recv-size-max ${limit}`);

    const huge = await reqPeer(ctx, url, "huge");
    huge.write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    await huge.expectClosed(T.prompt, "announced 2^64-1 bytes");

    // The limit is inclusive: a payload of exactly `limit` bytes is served.
    const body = new Uint8Array(limit - 4).fill(0x61);
    await repRoundTrip(ctx, rep, bystander, { hops: [], id: 0x80000100, body, reply: utf8("ok") });
    await stillServes(ctx, rep, url);
  },
};

/** Without configuration the receive limit SHOULD be 1 MiB (SP-TCP-18). */
export const recvMaxDefault: ConformanceCase = {
  id: "reqrep/tcp-recv-max-default",
  title: "The default receive limit is 1 MiB (RECOMMENDED)",
  requirements: ["SP-TCP-18", "SP-TCP-11"],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const over = await reqPeer(ctx, url, "over");
    const len = 1024 * 1024 + 1;
    over.write(
      new Uint8Array([0, 0, 0, 0, 0, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]),
    );
    if (!(await over.waitClosed(T.prompt))) {
      ctx.warn(`a frame announcing ${len} bytes was not refused; the default limit is not 1 MiB`);
      over.close();
    }
    await stillServes(ctx, rep, url);
    // Exactly 1 MiB is accepted with the recommended default (SP-TCP-18, a SHOULD).
    const at = await reqPeer(ctx, url, "atLimit");
    const body = new Uint8Array(1024 * 1024 - 4);
    at.sendFrame(request({ hops: [], id: 0x80000200, body }));
    const got = await rep.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) {
      ctx.warn(
        `a 1 MiB request was not delivered (recv: ${got.code}); the default limit is not 1 MiB`,
      );
    } else if (got.value.length !== body.length) {
      ctx.fail(`expected ${body.length} bytes, got ${got.value.length}`);
    }
  },
};

/** Cases of this file, in run order. */
export const framingCases = [zeroLengthBody, oversizeFrame, recvMaxDefault];
