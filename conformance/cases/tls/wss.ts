/**
 * The WebSocket mapping over TLS (draft-sp-websocket, `wss://`, SP-WS-15):
 * an IUT listener presents its certificate and speaks WebSocket SP inside
 * TLS 1.2+, and an IUT dialer verifies the server's certificate by default.
 */
import { createServer as createHttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import { type ClientOptions, WebSocket, WebSocketServer } from "ws";
import type { TlsOptions } from "../../adapters/iut.ts";
import { concat, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import { WsPeer } from "../../harness/ws.ts";
import { expectBytes, iutRecv } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REP_NAME } from "../ws/common.ts";
import { certs, dialerTls, listenerTls, portOf, TT } from "./common.ts";

/** Opens a verifying wss client to the IUT; resolves with the peer and the TLS version. */
function wssClient(
  ctx: CaseContext,
  url: string,
): Promise<{ peer: WsPeer; version: string } | { why: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [REP_NAME], {
      perMessageDeflate: false,
      ca: certs(ctx).ca,
      servername: "localhost",
    } as ClientOptions);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ why: "no upgrade within bound" });
    }, TT.prompt);
    ws.once("upgrade", (res) => {
      const s = res.socket as TLSSocket;
      ctx.transcript.event("wss", `upgrade over ${s.getProtocol?.() ?? "?"}`);
    });
    ws.once("open", () => {
      clearTimeout(timer);
      const s = (ws as unknown as { _socket: TLSSocket })._socket;
      resolve({ peer: new WsPeer(ws, "wss", ctx.transcript), version: s.getProtocol?.() ?? "?" });
    });
    ws.once("error", (e) => {
      clearTimeout(timer);
      resolve({ why: e.message });
    });
  });
}

/** An IUT REP on wss:// serves a request from a verifying client, inside TLS 1.2+. */
export const wssListenerRoundTrip: ConformanceCase = {
  id: "tls/wss-listener-round-trip",
  title: "An IUT REP on wss:// presents its certificate and carries SP messages inside TLS 1.2+",
  requirements: ["SP-WS-15", "SP-TLS-6", "SP-WS-7"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["wss"] },
  covers: ["rep:idle:deliver", "rep:holding:send"],
  cat: { send: { rep0: { data: "secure pong" } } },
  async run(ctx) {
    const rep = await ctx.iut.open("rep0");
    const url = await rep.listen(ctx.iutUrl("wss", "/sp"), { tls: listenerTls(ctx) });
    const c = await wssClient(ctx, ctx.iutUrl("wss", "/sp", portOf(url)));
    if ("why" in c) return ctx.fail(`wss connection to the IUT failed: ${c.why}`);
    try {
      if (!/^TLSv1\.[23]$/.test(c.version)) ctx.fail(`the session uses ${c.version}`);
      c.peer.send(concat(words(0x80000015), utf8("secure ping")));
      expectBytes(ctx, await iutRecv(ctx, rep, "the request"), utf8("secure ping"), "request");
      await rep.send(utf8("secure pong"), { timeoutMs: TT.prompt });
      const m = await c.peer.read(TT.prompt, "the reply");
      const expected = concat(words(0x80000015), utf8("secure pong"));
      if (!m.binary || !sameBytes(m.data, expected)) {
        ctx.fail(`reply: expected binary ${hex(expected)}, got ${hex(m.data)}`);
      }
    } finally {
      c.peer.ws.terminate();
    }
  },
};

/** Does an IUT REQ dialing a wss server presenting `cert` with `tls` reach the WebSocket upgrade? */
async function wssDialerUpgrades(
  ctx: CaseContext,
  cert: string,
  tls: TlsOptions,
  label: string,
): Promise<boolean> {
  const server = createHttpsServer({ cert, key: certs(ctx).key });
  const wss = new WebSocketServer({ server, handleProtocols: (p) => [...p][0] ?? false });
  let upgrades = 0;
  wss.on("connection", (ws) => {
    upgrades++;
    ws.close(1000);
  });
  server.on("tlsClientError", (e) => ctx.transcript.event(label, `TLS failed: ${e.message}`));
  await new Promise<void>((resolve) => server.listen(0, ctx.hosts.suite, () => resolve()));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  try {
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", 100).catch(() => {});
    await req.dial(ctx.suiteUrl("wss", port, "/sp"), { tls });
    const deadline = performance.now() + TT.refuse;
    while (upgrades === 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await req.close();
    ctx.note(`${label}: ${upgrades} upgrade(s)`);
    return upgrades > 0;
  } finally {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.close();
    server.closeAllConnections();
  }
}

/** An IUT dialer on wss:// refuses a server its trust anchors do not vouch for. */
export const wssDialerVerifies: ConformanceCase = {
  id: "tls/wss-dialer-verifies",
  title:
    "An IUT dialer on wss:// refuses an untrusted server certificate and accepts a trusted one",
  requirements: ["SP-WS-15", "SP-TLS-7"],
  kind: "malformed",
  needs: { protocols: ["req0"], transports: ["wss"] },
  // The refused certificate ends each attempt while the pipe is still upgrading.
  covers: ["ws-pipe:upgrading:disconnect"],
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const c = certs(ctx);
    const untrusted = { ca: c.otherCa, servername: "localhost" };
    if (await wssDialerUpgrades(ctx, c.valid, untrusted, "untrusted")) {
      ctx.fail("the IUT dialer upgraded over TLS to a server from a CA it does not trust");
    }
    if (!(await wssDialerUpgrades(ctx, c.valid, dialerTls(ctx), "trusted"))) {
      ctx.fail("the IUT dialer did not reach a trusted, correctly named wss server");
    }
  },
};

/** The wss cases, in run order. */
export const wssCases: readonly ConformanceCase[] = [wssListenerRoundTrip, wssDialerVerifies];
