/**
 * WebSocket message mapping (draft-sp-websocket §Message Mapping, §Paths):
 * one binary message per SP message, fragments, text, oversize, PING, paths.
 */
import { concat, firstWord, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { iutRecv, REP_NAME, REP_WS, repOnWs, T, withWs } from "./common.ts";

export const binaryRoundTrip: ConformanceCase = {
  id: "ws/binary-round-trip",
  title: "REQ/REP over ws:// carries each message as one binary message without an SP header",
  requirements: ["SP-WS-7", "SP-WS-8", "SP-REQREP-5", "SP-REQREP-13"],
  kind: "example",
  needs: { protocols: ["req0", "rep0"], transports: ["ws"] },
  cat: { send: { rep0: { data: "pong" }, req0: { data: "hello" } } },
  // tcp-dialer:connected:stop: closing the socket at the end starts the WebSocket closing
  // handshake, so the dialer is stopped while its pipe is still there.
  covers: [
    "ws-pipe:upgrading:upgrade",
    "rep:idle:deliver",
    "rep:holding:send",
    "tcp-dialer:connected:stop",
  ],
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      // IUT as REP: a raw REQ client.
      const peer = await ws.open(url);
      peer.send(concat(words(0x80000011), utf8("ping")));
      const body = await iutRecv(ctx, rep, "the request");
      if (!sameBytes(body, utf8("ping"))) ctx.fail(`the IUT REP delivered ${hex(body)}`);
      await rep.send(utf8("pong"), { timeoutMs: T.prompt });
      const m = await peer.read(T.prompt, "the reply");
      if (!m.binary) ctx.fail("the reply came as a TEXT message");
      const expected = concat(words(0x80000011), utf8("pong"));
      if (!sameBytes(m.data, expected)) {
        ctx.fail(
          `reply message: expected ${hex(expected)} (no length, no SP header), got ${hex(m.data)}`,
        );
      }

      // IUT as REQ: a raw REP server.
      const srv = await ws.server();
      const req = await ctx.iut.open("req0");
      await req.dial(srv.url("/"));
      const rp = await srv.accept(T.prompt);
      const sending = req.send(utf8("hello"), { timeoutMs: T.prompt });
      const first = await rp.read(T.prompt, "the request");
      await sending;
      if (!first.binary) ctx.fail("the request came as a TEXT message");
      const id = firstWord(first.data);
      if (id === undefined || (id & 0x80000000) === 0) {
        ctx.fail(
          `the first message is not a request with an id (an SP header?): ${hex(first.data)}`,
        );
      }
      if (!sameBytes(first.data.subarray(4), utf8("hello"))) {
        ctx.fail(`request body: expected "hello", got ${hex(first.data.subarray(4))}`);
      }
      rp.send(concat(words(id), utf8("world")));
      const reply = await iutRecv(ctx, req, "the reply");
      if (!sameBytes(reply, utf8("world"))) ctx.fail(`the IUT REQ delivered ${hex(reply)}`);
    });
  },
};

export const fragmentsReassembled: ConformanceCase = {
  id: "ws/fragments-reassembled",
  title: "A message split into several WebSocket frames is delivered whole",
  requirements: ["SP-WS-10"],
  kind: "example",
  needs: REP_WS,
  cat: {},
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      const peer = await ws.open(url);
      const body = new Uint8Array(300).map((_, i) => i & 0xff);
      peer.send(concat(words(0x80000021), body), 7);
      const got = await iutRecv(ctx, rep, "the fragmented request");
      if (!sameBytes(got, body)) ctx.fail(`got ${got.length} bytes, expected the 300-byte body`);
    });
  },
};

export const textRejected: ConformanceCase = {
  id: "ws/text-frame-rejected",
  title: "A TEXT message is rejected with close status 1003",
  requirements: ["SP-WS-9", "SP-WS-16"],
  kind: "malformed",
  needs: REP_WS,
  cat: {},
  covers: ["ws-pipe:open:textMessage"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      const bystander = await ws.open(url, [REP_NAME], "bystander");
      const peer = await ws.open(url, [REP_NAME], "text");
      peer.sendText("\u0080\u0000\u0000\u0001text");
      const code = await peer.waitClosed(T.prompt);
      if (code === undefined) {
        const r = await rep.tryRecv({ timeoutMs: T.quiet });
        // SP-WS-9 is a MAY: keeping the connection is not a fault, whatever becomes of the message.
        if (r.ok)
          ctx.info("the IUT accepted the TEXT message and delivered it (permitted: MAY reject)");
        else
          ctx.info("the IUT neither rejected nor delivered the TEXT message (SP-WS-9: MAY reject)");
        peer.close();
      } else if (code !== 1003) {
        ctx.info(`the IUT closed with status ${code}; SP-WS-9 names 1003 (unsupported data)`);
      }
      bystander.send(concat(words(0x80000031), utf8("still")));
      const got = await iutRecv(ctx, rep, "a request on the other connection");
      if (!sameBytes(got, utf8("still"))) ctx.fail(`got ${hex(got)}`);
    });
  },
};

export const oversizeCloses1009: ConformanceCase = {
  id: "ws/oversize-closes-1009",
  title: "A message over recv-size-max closes that connection with status 1009",
  requirements: ["SP-WS-11", "SP-WS-16"],
  kind: "malformed",
  needs: { ...REP_WS, options: ["recv-size-max"] },
  cat: {},
  covers: ["ws-pipe:open:oversize"],
  async run(ctx: CaseContext) {
    const limit = 1024;
    const { rep, url } = await repOnWs(ctx, "/sp", { "recv-size-max": limit });
    await withWs(ctx, async (ws) => {
      const bystander = await ws.open(url, [REP_NAME], "bystander");
      const big = await ws.open(url, [REP_NAME], "big");
      big.send(concat(words(0x80000041), new Uint8Array(2 * limit)));
      const code = await big.waitClosed(T.prompt);
      if (code === undefined)
        ctx.fail(
          `a ${2 * limit + 4}-byte message with recv-size-max ${limit} did not close the connection`,
        );
      if (code !== 1009) ctx.fail(`closed with status ${code}, expected 1009 (message too big)`);
      const r = await rep.tryRecv({ timeoutMs: T.quiet });
      if (r.ok) ctx.fail(`the oversize message was delivered (${r.value.length} bytes)`);
      // At the limit is fine, on the other connection.
      const body = new Uint8Array(limit - 4).fill(0x61);
      bystander.send(concat(words(0x80000042), body));
      const got = await iutRecv(ctx, rep, "a request of exactly the limit");
      if (got.length !== body.length) ctx.fail(`got ${got.length} bytes, expected ${body.length}`);
    });
  },
};

export const pingAnswered: ConformanceCase = {
  id: "ws/ping-answered",
  title: "A PING is answered with a PONG and not delivered as a message",
  requirements: ["SP-WS-12"],
  kind: "example",
  needs: REP_WS,
  cat: {},
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      const peer = await ws.open(url);
      const payload = new Uint8Array([0x80, 0, 0, 0x51, 0x70]);
      peer.ping(payload);
      const pong = await peer.pong(T.prompt);
      if (!pong) ctx.fail("no PONG within the bound");
      if (!sameBytes(pong, payload))
        ctx.fail(`PONG carried ${hex(pong)}, expected ${hex(payload)}`);
      const r = await rep.tryRecv({ timeoutMs: T.quiet });
      if (r.ok) ctx.fail(`the PING payload was delivered as a message: ${hex(r.value)}`);
    });
  },
};

export const pathRouting: ConformanceCase = {
  id: "ws/path-routing",
  title: "Two REP sockets share one port by path; an unknown path is refused",
  requirements: ["SP-WS-28", "SP-WS-13", "SP-WS-1"],
  kind: "example",
  needs: REP_WS,
  async run(ctx: CaseContext) {
    const { rep: a, url: urlA } = await repOnWs(ctx, "/a");
    const port = new URL(urlA).port;
    const at = (path: string) => ctx.iutUrl("ws", path, Number(port));
    const b = await ctx.iut.open("rep0");
    let urlB: string;
    try {
      urlB = await b.listen(at("/b"));
    } catch (e) {
      ctx.warn(
        `a second socket cannot listen on the same port with another path (SP-WS-28): ${(e as Error).message}`,
      );
      return;
    }
    if (new URL(urlB).port !== port) ctx.fail(`the second listener reported ${urlB}`);
    await withWs(ctx, async (ws) => {
      for (const [sock, path, id] of [
        [a, "/a", 0x80000061],
        [b, "/b", 0x80000062],
      ] as const) {
        const peer = await ws.open(at(path), [REP_NAME], path);
        peer.send(concat(words(id), utf8(path)));
        const got = await iutRecv(ctx, sock, `the request sent to ${path}`);
        if (!sameBytes(got, utf8(path))) ctx.fail(`the socket for ${path} delivered ${hex(got)}`);
      }
      const r = await ws.attempt(at("/c"), [REP_NAME], "/c");
      if (r.kind === "open") ctx.fail("an upgrade for /c, where nothing listens, was accepted");
      if (r.kind === "refused" && r.status !== 404) ctx.note(`/c refused with HTTP ${r.status}`);
    });
  },
};

/** Cases of this file, in run order. */
export const wsMessageCases = [
  binaryRoundTrip,
  fragmentsReassembled,
  textRejected,
  oversizeCloses1009,
  pingAnswered,
  pathRouting,
];
