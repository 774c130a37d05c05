/**
 * Raw REQ and REP (feature `raw`): the backtrace and request id reach the
 * application as the header, the header the application gives goes on the
 * wire (SP-FRAMEWORK-4), and a raw socket keeps no request state: a raw REP
 * answers any number of requests in any order, a raw REQ never matches ids.
 */
import { concat, request, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  backtraceInHeader,
  expectBytes,
  headerOf,
  listening,
  needs,
  openRaw,
  peerExpect,
  recvMsg,
  recvNothing,
  showWords,
  T,
  wirePeer,
  wordsOf,
} from "./common.ts";

const RAW_REP = needs(["rep0"], ["raw"]);
const RAW_REQ = needs(["req0"], ["raw"]);

/** The backtrace travels to the application and back out unchanged. */
const xrepHeader: ConformanceCase = {
  id: "raw/xrep-header",
  title: "raw REP hands the backtrace to the application and sends the header it is given",
  requirements: ["SP-FRAMEWORK-4", "SP-FRAMEWORK-6", "SP-REQREP-30", "SP-REQREP-31"],
  kind: "example",
  needs: RAW_REP,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "rep0", { raw: true });
    const req = await wirePeer(ctx, url, "req0", "rep0", "req");
    // One device hop (0x0000012c) in front of the request id, as in the REQ/REP draft's example.
    const wire = [0x0000012c, 0x80000007];
    req.sendFrame(request({ hops: wire.slice(0, 1), id: 0x80000007, body: utf8("hello") }));
    const m = await recvMsg(ctx, sock, "the request");
    expectBytes(ctx, m.data, "hello", "body of the request");
    // SP-FRAMEWORK-4: the header reaches the application; whatever local routing
    // word the implementation puts in front of it is its own business.
    const local = backtraceInHeader(ctx, headerOf(m), wire, "raw REP receive");
    ctx.note(`local header prefix: ${showWords(wordsOf(local))}`);
    // SP-FRAMEWORK-4: the header the application gives goes out as given.
    await sock.send(utf8("world"), { header: headerOf(m), timeoutMs: T.prompt });
    await peerExpect(ctx, req, concat(words(...wire), utf8("world")), "the reply frame");
    // A different header on the same route: a raw socket keeps no request
    // state, so a second answer with an id of the application's choosing goes out too.
    const mine = concat(local, words(0x80000099));
    await sock.send(utf8("again"), { header: mine, timeoutMs: T.prompt });
    await peerExpect(ctx, req, concat(words(0x80000099), utf8("again")), "the second reply frame");
  },
};

/** Many requests held at once, answered in reverse order, each back to its own peer. */
const xrepOutOfOrder: ConformanceCase = {
  id: "raw/xrep-any-order",
  title: "raw REP holds several requests from two peers and routes replies given in any order",
  requirements: ["SP-FRAMEWORK-4", "SP-REQREP-31"],
  kind: "example",
  needs: RAW_REP,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "rep0", { raw: true });
    const a = await wirePeer(ctx, url, "req0", "rep0", "a");
    const b = await wirePeer(ctx, url, "req0", "rep0", "b");
    const sent = [
      { peer: a, id: 0x80000a01 },
      { peer: b, id: 0x80000b01 },
      { peer: a, id: 0x80000a02 },
      { peer: b, id: 0x80000b02 },
    ];
    for (const s of sent) {
      s.peer.sendFrame(request({ hops: [], id: s.id, body: utf8(`q${s.id.toString(16)}`) }));
    }
    const held: Uint8Array[] = [];
    for (let i = 0; i < sent.length; i++) {
      const m = await recvMsg(ctx, sock, `request ${i + 1} of ${sent.length}`);
      held.push(headerOf(m));
    }
    // Every header ends with one of the ids sent, each once.
    const ids = held.map((h) => wordsOf(h).at(-1) ?? 0);
    for (const s of sent) {
      if (ids.filter((x) => x === s.id).length !== 1) {
        ctx.fail(`the headers received end with ${showWords(ids)}; expected each id sent once`);
      }
    }
    // Answer in reverse order of arrival.
    for (let i = held.length - 1; i >= 0; i--) {
      const id = ids[i] as number;
      await sock.send(utf8(`r${id.toString(16)}`), {
        header: held[i] as Uint8Array,
        timeoutMs: T.prompt,
      });
    }
    for (const p of [a, b]) {
      const mine = ids.filter((id) => sent.some((s) => s.peer === p && s.id === id)).reverse();
      for (const id of mine) {
        await peerExpect(
          ctx,
          p,
          concat(words(id), utf8(`r${id.toString(16)}`)),
          `${p.label}'s reply to ${id.toString(16)}`,
        );
      }
      await p.expectNothing(T.quiet, "each reply goes only to the pipe its header names");
    }
  },
};

/** A request with no id word cannot be split: nothing reaches the application. */
const xrepMalformed: ConformanceCase = {
  id: "raw/xrep-no-request-id",
  title: "raw REP does not deliver a request whose backtrace never ends",
  requirements: ["SP-REQREP-14", "SP-REQREP-30", "SP-FRAMEWORK-20"],
  kind: "malformed",
  needs: RAW_REP,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "rep0", { raw: true });
    const bad = await wirePeer(ctx, url, "req0", "rep0", "bad");
    // SP-REQREP-14: no word with the top bit set; such a request is never answered,
    // so a raw socket has nothing it could hand over as a header.
    bad.sendFrame(words(0x00000001, 0x00000002));
    await recvNothing(ctx, sock, "the request had no request id");
    const closed = await bad.waitClosed(T.quiet);
    ctx.note(closed ? "the IUT closed the pipe" : "the IUT kept the pipe open");
    const good = await wirePeer(ctx, url, "req0", "rep0", "good");
    good.sendFrame(request({ hops: [], id: 0x80000001, body: utf8("fine") }));
    const m = await recvMsg(ctx, sock, "a well-formed request from another peer");
    expectBytes(ctx, m.data, "fine", "body of the good request");
  },
};

/** Raw REQ: the header goes out as given, and replies come back with any id. */
const xreqHeader: ConformanceCase = {
  id: "raw/xreq-header",
  title: "raw REQ sends the application's header and delivers every reply with its id",
  requirements: ["SP-FRAMEWORK-4", "SP-REQREP-6", "SP-REQREP-32", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: RAW_REQ,
  async run(ctx: CaseContext) {
    const sock = await openRaw(ctx, "req0");
    const server = await ctx.server();
    await sock.dial(server.url);
    const rep = await server.accept(T.prompt);
    const h = await rep.handshake(0x31);
    if (h.protocol !== 0x30) ctx.fail(`the IUT announced 0x${h.protocol.toString(16)}, not 0x30`);
    // SP-FRAMEWORK-4: exactly the header given, nothing added (no id of its own).
    await sock.send(utf8("q1"), { header: words(0x80000042), timeoutMs: T.prompt });
    await peerExpect(ctx, rep, concat(words(0x80000042), utf8("q1")), "the first request frame");
    await sock.send(utf8("q2"), { header: words(0x00000007, 0x80000043), timeoutMs: T.prompt });
    await peerExpect(
      ctx,
      rep,
      concat(words(0x00000007, 0x80000043), utf8("q2")),
      "the second request frame (a device's header with a hop word)",
    );
    // Replies: the header (request id) is handed over; a raw socket keeps no
    // outstanding request, so an id it never sent is delivered as well.
    for (const id of [0x80000042, 0x80001234]) {
      rep.sendFrame(concat(words(id), utf8(`a${id.toString(16)}`)));
      const m = await recvMsg(ctx, sock, `the reply with id ${id.toString(16)}`);
      expectBytes(ctx, headerOf(m), words(id), "header of the reply");
      expectBytes(ctx, m.data, `a${id.toString(16)}`, "body of the reply");
    }
    // A raw REQ does not resend: nothing more arrives at the REP peer.
    await rep.expectNothing(T.quiet * 2, "a raw REQ keeps no request to resend");
    // A reply too short to carry an id is not delivered (SP-REQREP-6).
    rep.sendFrame(new Uint8Array([0x80, 0x01]));
    await recvNothing(ctx, sock, "the 2-byte reply has no request id");
  },
};

/** Raw REQ/REP cases, in run order. */
export const rawReqRepCases: readonly ConformanceCase[] = [
  xrepHeader,
  xrepOutOfOrder,
  xrepMalformed,
  xreqHeader,
];
