/**
 * WebSocket opening handshake (draft-sp-websocket §Opening Handshake):
 * subprotocol names offered and echoed, refusals, no SP header.
 */
import { sameBytes, utf8 } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REP_NAME, REP_WS, REQ_NAME, REQ_WS, repOnWs, T, withWs } from "./common.ts";

export const subprotocolEchoed: ConformanceCase = {
  id: "ws/subprotocol-echoed",
  title: "A ws:// REP listener echoes rep.sp.nanomsg.org to a client that offers it",
  requirements: ["SP-WS-3", "SP-WS-7", "SP-WS-20"],
  kind: "example",
  needs: REP_WS,
  cat: {},
  covers: ["ws-pipe:upgrading:upgrade"],
  async run(ctx: CaseContext) {
    const { url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      const peer = await ws.open(url, [REP_NAME]);
      if (peer.protocol !== REP_NAME) {
        ctx.fail(`the 101 response echoed ${JSON.stringify(peer.protocol)}, expected ${REP_NAME}`);
      }
      // SP-WS-20: a list holding the name MAY be accepted; either answer is allowed.
      const listed = await ws.attempt(url, ["chat.example", REP_NAME], "list");
      if (listed.kind === "open" && listed.peer.protocol !== REP_NAME) {
        ctx.fail(
          `for an offer list the 101 response echoed ${JSON.stringify(listed.peer.protocol)}`,
        );
      }
      ctx.note(
        listed.kind === "open"
          ? "an offer list containing the name is accepted"
          : "an offer list containing the name is refused (permitted)",
      );
      // SP-WS-7: nothing (no 8-byte SP header) arrives unasked.
      const early = await peer.read(T.quiet).catch(() => undefined);
      if (early) ctx.fail(`the IUT sent a message before any request: ${early.data.length} bytes`);
    });
  },
};

export const dialerOffersPeerName: ConformanceCase = {
  id: "ws/dialer-offers-peer-name",
  title: "A ws:// REQ dialer offers rep.sp.nanomsg.org and requests the URL's path",
  requirements: ["SP-WS-2", "SP-WS-14"],
  kind: "example",
  needs: REQ_WS,
  cat: {},
  async run(ctx: CaseContext) {
    await withWs(ctx, async (ws) => {
      const srv = await ws.server();
      const req = await ctx.iut.open("req0");
      await req.dial(srv.url("/svc/path"));
      await srv.accept(T.prompt);
      const seen = srv.upgrades[0];
      if (!seen) ctx.fail("the IUT connected without an upgrade request we could see");
      if (seen.offered.length !== 1 || seen.offered[0] !== REP_NAME) {
        ctx.fail(
          `the IUT REQ offered [${seen.offered.join(", ")}], expected exactly [${REP_NAME}]`,
        );
      }
      if (seen.path !== "/svc/path") {
        ctx.fail(`the IUT requested ${JSON.stringify(seen.path)}, expected "/svc/path"`);
      }
    });
  },
};

export const missingSubprotocolRefused: ConformanceCase = {
  id: "ws/missing-subprotocol-refused",
  title: "A ws:// REP listener refuses upgrades with no or another protocol's subprotocol",
  requirements: ["SP-WS-4", "SP-WS-23", "SP-WS-5", "SP-WS-16"],
  kind: "malformed",
  needs: REP_WS,
  cat: {},
  covers: ["ws-pipe:upgrading:upgrade[!subprotocolValid]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    await withWs(ctx, async (ws) => {
      for (const [label, offered] of [
        ["none", []],
        ["wrong", [REQ_NAME]],
        ["unknown", ["chat.example"]],
      ] as const) {
        const r = await ws.attempt(url, [...offered], label);
        if (r.kind === "open") {
          ctx.fail(
            `${label}: the IUT completed the upgrade (subprotocol ${JSON.stringify(r.peer.protocol)})`,
          );
        }
        if (r.kind === "refused" && r.status !== 400) {
          ctx.warn(`${label}: refused with HTTP ${r.status}; 400 is RECOMMENDED (SP-WS-23)`);
        }
        if (r.kind === "failed")
          ctx.note(`${label}: the connection failed without an HTTP answer: ${r.message}`);
      }
      // The listener still serves a well-behaved client.
      const good = await ws.open(url, [REP_NAME], "good");
      good.send(new Uint8Array([0x80, 0, 0, 1, 0x6f, 0x6b]));
      const got = await rep.tryRecv({ timeoutMs: T.prompt });
      if (!got.ok || !sameBytes(got.value, utf8("ok")))
        ctx.fail("the listener stopped serving after refusals");
    });
  },
};

export const dialerChecksAnswer: ConformanceCase = {
  id: "ws/dialer-checks-answer",
  title: "A ws:// REQ dialer drops a server that answers another subprotocol",
  requirements: ["SP-WS-6"],
  kind: "malformed",
  needs: REQ_WS,
  cat: { send: { req0: { data: "hello" } } },
  covers: ["ws-pipe:upgrading:upgrade[!subprotocolValid]"],
  async run(ctx: CaseContext) {
    await withWs(ctx, async (ws) => {
      const srv = await ws.server("liar", () => "pub.sp.nanomsg.org");
      const req = await ctx.iut.open("req0");
      await req.setopt("reconnect-time-min", 50).catch(() => {});
      await req.dial(srv.url("/"));
      const peer = await srv.accept(T.prompt);
      // A conforming dialer fails the connection at once and sends no request on it.
      const sent = req.trySend(utf8("hello"), { timeoutMs: T.quiet });
      const code = await peer.waitClosed(T.prompt);
      if (code === undefined) {
        const m = await peer.read(T.quiet).catch(() => undefined);
        ctx.fail(
          m
            ? `the IUT used a connection whose server answered pub.sp.nanomsg.org (sent ${m.data.length} bytes)`
            : "the IUT kept a connection whose server answered pub.sp.nanomsg.org",
        );
      }
      await sent;
    });
  },
};

/** Cases of this file, in run order. */
export const wsHandshakeCases = [
  subprotocolEchoed,
  dialerOffersPeerName,
  missingSubprotocolRefused,
  dialerChecksAnswer,
];
