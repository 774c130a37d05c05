/**
 * The empty request target (draft-sp-websocket §Addresses, SP-WS-21 and
 * SP-WS-22). NNG 1.5.2 dials `ws://host:port` (no path) with the request line
 * `GET  HTTP/1.1`; a listener should upgrade that as a request for "/"
 * (SP-WS-22), and a dialer must itself request "/" for such a URL (SP-WS-21). Both halves speak WebSocket by hand over a raw
 * TCP connection, because the `ws` package can neither send that line nor
 * show it to a server before node's HTTP parser rejects it.
 */
import { randomBytes } from "node:crypto";
import { hostPort } from "../../harness/hosts.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { WireError } from "../../harness/wire.ts";
import { portOf, readHttpHead, readWsFrame, wsAcceptKey, wsFrame } from "../../harness/ws.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { iutRecv, REP_NAME, REP_WS, REQ_WS, repOnWs, T } from "./common.ts";

/** BINARY opcode (RFC 6455 §5.2). */
const BINARY = 2;
/** The REQ request ID the suite uses on the listener side. */
const REQ_ID = [0x80, 0, 0, 1] as const;

const concat = (...parts: ArrayLike<number>[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => Array.from(p)));

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const emptyTargetAccepted: ConformanceCase = {
  id: "ws/empty-target-accepted",
  title: "A ws:// REP listener upgrades `GET  HTTP/1.1` (empty target) as a request for /",
  requirements: ["SP-WS-22", "SP-WS-3", "SP-WS-8"],
  kind: "malformed",
  needs: REP_WS,
  cat: { send: { rep0: { data: "ho" } } },
  covers: ["ws-pipe:upgrading:upgrade"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx, "/");
    const port = portOf(url);
    const peer = await ctx.connect(port, "raw");
    const key = randomBytes(16).toString("base64");
    ctx.transcript.event("raw", "upgrade request with an empty target: GET  HTTP/1.1");
    peer.write(
      utf8(
        [
          "GET  HTTP/1.1",
          `Host: ${hostPort(ctx.hosts.iut, port)}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Key: ${key}`,
          "Sec-WebSocket-Version: 13",
          `Sec-WebSocket-Protocol: ${REP_NAME}`,
          "",
          "",
        ].join("\r\n"),
      ),
    );
    let head: Awaited<ReturnType<typeof readHttpHead>>;
    try {
      head = await readHttpHead(peer, T.prompt);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      ctx.warn(`the IUT did not upgrade a request with an empty target: ${reason(e)}`);
      return;
    }
    if (!/^HTTP\/1\.1 101\b/.test(head.startLine)) {
      ctx.warn(
        `the IUT answered ${JSON.stringify(head.startLine)} to a request with an empty target; ` +
          `SP-WS-22 asks for the upgrade of "/"`,
      );
      return;
    }
    // Upgraded: from here on the ordinary MUSTs of an upgrade and of messages apply.
    if (head.headers.get("sec-websocket-accept") !== wsAcceptKey(key)) {
      ctx.fail(
        `the 101 response carried Sec-WebSocket-Accept ${JSON.stringify(head.headers.get("sec-websocket-accept"))}, expected ${wsAcceptKey(key)}`,
      );
    }
    const answered = head.headers.get("sec-websocket-protocol");
    if (answered !== REP_NAME) {
      ctx.fail(`the 101 response echoed ${JSON.stringify(answered)}, expected ${REP_NAME}`);
    }
    peer.write(wsFrame(BINARY, concat(REQ_ID, utf8("hi")), true));
    const got = await iutRecv(ctx, rep, "the request sent on the upgraded connection");
    if (!sameBytes(got, utf8("hi"))) ctx.fail(`the IUT delivered ${hex(got)}, expected "hi"`);
    await rep.send(utf8("ho"));
    const f = await readWsFrame(peer, T.prompt).catch((e: unknown) =>
      ctx.fail(`no reply on the upgraded connection: ${reason(e)}`),
    );
    const want = concat(REQ_ID, utf8("ho"));
    if (f.opcode !== BINARY || f.masked || !sameBytes(f.payload, want)) {
      ctx.fail(
        `the reply arrived as opcode ${f.opcode}${f.masked ? " (masked)" : ""} with ${hex(f.payload)}, expected an unmasked BINARY frame with ${hex(want)}`,
      );
    }
  },
};

export const emptyTargetNeverSent: ConformanceCase = {
  id: "ws/empty-target-never-sent",
  title: "A ws:// REQ dialer whose URL has no path requests /, never an empty target",
  requirements: ["SP-WS-21", "SP-WS-2", "SP-WS-8"],
  kind: "example",
  needs: REQ_WS,
  cat: { send: { req0: { data: "hi" } } },
  async run(ctx: CaseContext) {
    const srv = await ctx.server("srv");
    const req = await ctx.iut.open("req0");
    await req.dial(ctx.suiteUrl("ws", srv.port));
    const peer = await srv.accept(T.prompt);
    const head = await readHttpHead(peer, T.prompt).catch((e: unknown) =>
      ctx.fail(`the IUT sent no complete upgrade request: ${reason(e)}`),
    );
    ctx.transcript.event("srv", `request line ${JSON.stringify(head.startLine)}`);
    const parts = head.startLine.split(" ");
    if (parts.length === 3 && parts[1] === "") {
      ctx.fail(
        `the IUT sent ${JSON.stringify(head.startLine)}: an empty request target for a URL without a path, where "/" is required`,
      );
    }
    if (parts.length !== 3 || parts[0] !== "GET" || parts[2] !== "HTTP/1.1") {
      ctx.fail(`the IUT sent a malformed request line ${JSON.stringify(head.startLine)}`);
    }
    if (parts[1] !== "/") {
      ctx.fail(
        `the IUT requested ${JSON.stringify(parts[1])} for a URL without a path, expected "/"`,
      );
    }
    const key = head.headers.get("sec-websocket-key");
    if (!key) ctx.fail("the upgrade request had no Sec-WebSocket-Key");
    // Answer as a REP server for "/" and check that the connection carries a request.
    peer.write(
      utf8(
        [
          "HTTP/1.1 101 Switching Protocols",
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Accept: ${wsAcceptKey(key)}`,
          `Sec-WebSocket-Protocol: ${REP_NAME}`,
          "",
          "",
        ].join("\r\n"),
      ),
    );
    const sent = await req.trySend(utf8("hi"), { timeoutMs: T.prompt });
    if (!sent.ok) ctx.fail(`the IUT could not send on the upgraded connection: ${sent.code}`);
    const f = await readWsFrame(peer, T.prompt).catch((e: unknown) =>
      ctx.fail(`no request on the upgraded connection: ${reason(e)}`),
    );
    if (f.opcode !== BINARY || !f.masked || f.payload.length !== 6) {
      ctx.fail(
        `the request arrived as opcode ${f.opcode}${f.masked ? "" : " (unmasked)"} with ${hex(f.payload)}, expected a masked BINARY frame of 4 + 2 bytes`,
      );
    }
    if (!sameBytes(f.payload.subarray(4), utf8("hi"))) {
      ctx.fail(`the request body was ${hex(f.payload.subarray(4))}, expected "hi"`);
    }
    peer.write(wsFrame(BINARY, concat(f.payload.subarray(0, 4), utf8("ho")), false));
    const reply = await req.tryRecv({ timeoutMs: T.prompt });
    if (!reply.ok) ctx.fail(`the IUT did not deliver the reply: recv failed with ${reply.code}`);
    if (!sameBytes(reply.value, utf8("ho"))) {
      ctx.fail(`the IUT delivered ${hex(reply.value)} as the reply, expected "ho"`);
    }
  },
};

/** Cases of this file, in run order. */
export const wsEmptyTargetCases = [emptyTargetAccepted, emptyTargetNeverSent];
