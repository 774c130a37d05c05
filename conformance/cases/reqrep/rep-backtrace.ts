/**
 * REP's handling of the backtrace: returned unchanged, requests without a
 * request id, the hop limit, and REP's state rules.
 */
import { concat, hex, request, utf8, words } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { checkFairQueue } from "../fairness.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectBytes,
  iutNothing,
  iutRecv,
  REP_TCP,
  repListening,
  repRoundTrip,
  reqPeer,
  stillServes,
  T,
} from "./common.ts";

/** The reply carries the request's backtrace, hop words and id, byte for byte. */
export const repBacktraceUnchanged: ConformanceCase = {
  id: "reqrep/rep-backtrace-unchanged",
  title: "REP returns the backtrace unchanged ahead of the reply body",
  requirements: ["SP-REQREP-13", "SP-REQREP-2", "SP-REQREP-22", "SP-FRAMEWORK-3"],
  kind: "example",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:send"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peer = await reqPeer(ctx, url);
    const stacks = [[], [0x00000001], [0x7fffffff, 0x00000000, 0x12345678]];
    for (const [i, hops] of stacks.entries()) {
      await repRoundTrip(ctx, rep, peer, {
        hops,
        id: (0x80000000 | (0xabc00 + i)) >>> 0,
        body: utf8(`request ${i}`),
        reply: utf8(`reply ${i}`),
      });
    }
  },
};

/** A request whose backtrace has no word with the top bit must not be answered. */
export const repNoRequestId: ConformanceCase = {
  id: "reqrep/rep-no-request-id",
  title: "REP does not deliver or answer a request without a request id",
  requirements: [
    "SP-REQREP-14",
    "SP-REQREP-28",
    "SP-REQREP-2",
    "SP-TCP-12",
    "SP-FRAMEWORK-5",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "yes" } } },
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const variants: [string, Uint8Array][] = [
      ["ends", words(1, 2, 3)], // the message ends before any top-bit word
      ["noId", concat(words(1, 2, 3, 4, 5, 6, 7, 8), utf8("body"))], // none within 8 hops
      // The message ends inside a word whose first byte has the top bit: a stack that
      // tests the bit before checking that four bytes are left takes it for the id.
      ["shortId", Uint8Array.of(0x80, 0x00, 0x00)],
      ["hopThenShortId", concat(words(1), Uint8Array.of(0x80, 0x00))],
    ];
    for (const [label, payload] of variants) {
      const peer = await reqPeer(ctx, url, label);
      peer.sendFrame(payload);
      await iutNothing(ctx, rep, `request ${hex(payload)} has no request id`);
      const r = await peer.quiet(T.quiet);
      if (r.kind === "data") ctx.fail(`the IUT answered a request without id: ${hex(r.bytes)}`);
      ctx.note(
        `${label}: ${r.kind === "closed" ? "connection closed (allowed)" : "connection kept open"}`,
      );
    }
    await stillServes(ctx, rep, url);
  },
};

/** More than ttl-max (default 8) words: dropped, connection SHOULD stay open; 8 words are fine. */
export const repTtlExceeded: ConformanceCase = {
  id: "reqrep/rep-ttl-exceeded",
  title: "REP drops a request with more than 8 backtrace words and keeps the connection",
  requirements: [
    "SP-REQREP-15",
    "SP-REQREP-29",
    "SP-REQREP-13",
    "SP-FRAMEWORK-7",
    "SP-FRAMEWORK-8",
    "SP-FRAMEWORK-30",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "ok" } } },
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    let peer = await reqPeer(ctx, url, "deep");
    const nine = request({
      hops: [1, 2, 3, 4, 5, 6, 7, 8],
      id: 0x80000009,
      body: utf8("too deep"),
    });
    peer.sendFrame(nine);
    await iutNothing(ctx, rep, "9 backtrace words exceed the default max hops of 8");
    const r = await peer.quiet(T.quiet);
    if (r.kind === "data")
      ctx.fail(`the IUT answered a request over the hop limit: ${hex(r.bytes)}`);
    if (r.kind === "closed") {
      ctx.warn("the connection was closed after a request over the hop limit");
      peer = await reqPeer(ctx, url, "again");
    }
    await repRoundTrip(ctx, rep, peer, {
      hops: [1, 2, 3, 4, 5, 6, 7],
      id: 0x80000008,
      body: utf8("deep enough"),
      reply: utf8("ok"),
    });
  },
};

/** ttl-max can be set across 1..15 and bounds the words accepted. */
export const repTtlConfigurable: ConformanceCase = {
  id: "reqrep/rep-ttl-configurable",
  title: "REP honours ttl-max values 1 and 15",
  requirements: [
    "SP-REQREP-15",
    "SP-REQREP-13",
    "SP-FRAMEWORK-7",
    "SP-FRAMEWORK-8",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: { ...REP_TCP, options: ["ttl-max"] },
  async run(ctx: CaseContext) {
    for (const ttl of [1, 15]) {
      const { rep, url } = await repListening(ctx, { "ttl-max": ttl });
      const peer = await reqPeer(ctx, url, `ttl${ttl}`);
      const hops = Array.from({ length: ttl }, (_, i) => i + 1);
      peer.sendFrame(request({ hops, id: 0x80000001, body: utf8("over") }));
      await iutNothing(ctx, rep, `${ttl + 1} words exceed ttl-max ${ttl}`);
      let ok = peer;
      if (peer.closed) {
        ctx.note(`ttl-max ${ttl}: connection closed after the drop (see reqrep/rep-ttl-exceeded)`);
        ok = await reqPeer(ctx, url, `ttl${ttl}b`);
      }
      await repRoundTrip(ctx, rep, ok, {
        hops: hops.slice(1),
        id: 0x80000002,
        body: utf8("at limit"),
        reply: utf8("ok"),
      });
    }
  },
};

/** send on a REP holding no request fails with ESTATE, before and after an exchange. */
export const repSendWithoutRequest: ConformanceCase = {
  id: "reqrep/rep-send-without-request",
  title: "REP send without a received request fails with ESTATE",
  requirements: ["SP-REQREP-16", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: REP_TCP,
  covers: ["rep:idle:send"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const fresh = await rep.trySend(utf8("unasked"), { timeoutMs: 1000 });
    if (fresh.ok) ctx.fail("send on a fresh REP succeeded");
    expectErrorName(ctx, fresh.code, "ESTATE", "send on a fresh REP");
    const peer = await reqPeer(ctx, url);
    await repRoundTrip(ctx, rep, peer, {
      hops: [],
      id: 0x80000005,
      body: utf8("q"),
      reply: utf8("a"),
    });
    const twice = await rep.trySend(utf8("second answer"), { timeoutMs: 1000 });
    if (twice.ok) ctx.fail("a second send for one request succeeded");
    expectErrorName(ctx, twice.code, "ESTATE", "a second send");
    await peer.expectNothing(T.quiet, "no second reply may go out");
  },
};

/** A second recv abandons the held request: the reply goes to the newer one only. */
export const repNewRecvAbandons: ConformanceCase = {
  id: "reqrep/rep-new-recv-abandons",
  title: "A new recv at REP abandons the held request",
  requirements: ["SP-REQREP-19", "SP-REQREP-13"],
  kind: "example",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:deliver", "rep:holding:send"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peer = await reqPeer(ctx, url);
    peer.sendFrame(request({ hops: [], id: 0x80000a01, body: utf8("first") }));
    peer.sendFrame(request({ hops: [], id: 0x80000a02, body: utf8("second") }));
    expectBytes(ctx, await iutRecv(ctx, rep, "the first request"), utf8("first"), "first body");
    expectBytes(ctx, await iutRecv(ctx, rep, "the second request"), utf8("second"), "second body");
    await rep.send(utf8("to second"), { timeoutMs: T.prompt });
    const reply = await peer.readFrame(T.prompt);
    expectBytes(ctx, reply, concat(words(0x80000a02), utf8("to second")), "reply frame");
    await peer.expectNothing(T.quiet, "the first request was abandoned");
  },
};

/** SP-REQREP-21 (REP half): a lone request is not starved by another pipe's backlog. */
export const repFairQueue: ConformanceCase = {
  id: "reqrep/rep-fair-queue",
  title: "REP fair-queues: one peer's backlog does not starve another peer's request",
  requirements: ["SP-REQREP-21"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["tcp"] },
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    await checkFairQueue(ctx, {
      sock: rep,
      url,
      peer: (label) => reqPeer(ctx, url, label),
      noun: "request",
    });
  },
};

/** Cases of this file, in run order. */
export const repCases = [
  repBacktraceUnchanged,
  repNoRequestId,
  repTtlExceeded,
  repTtlConfigurable,
  repSendWithoutRequest,
  repNewRecvAbandons,
  repFairQueue,
];
