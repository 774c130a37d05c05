/**
 * The refusal of a foreign subprotocol, seen on the wire (SP-WS-4).
 *
 * SP-WS-4: a server MUST refuse an upgrade whose offer does not contain the
 * name of its own protocol, "without switching protocols", that is without a
 * 101 answer. ws/missing-subprotocol-refused offers through a WebSocket
 * library, which itself fails a 101 that names a subprotocol it did not
 * offer, so a server that switches protocols anyway looks the same there as
 * one that refused. This case writes the upgrade request by hand and reads the
 * status line of the answer: an offer of another protocol's name
 * (`req.sp.nanomsg.org` to a REP), of a name outside SP, or of nothing must
 * not be answered with 101. Any other answer, or a closed connection, is a
 * refusal; a status other than 400 is only noted here (SP-WS-23 is checked by
 * ws/missing-subprotocol-refused). The listener then still serves a client
 * offering its name (SP-WS-16).
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { withHost } from "../../harness/hosts.ts";
import { sameBytes, utf8 } from "../../harness/sp.ts";
import type { Transcript } from "../../harness/transcript.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REP_NAME, REP_WS, REQ_NAME, repOnWs, T, withWs } from "./common.ts";

/** What came back for one hand-written upgrade request. */
type UpgradeAnswer =
  | { kind: "answered"; status: string; protocol: string | undefined }
  | { kind: "none"; why: string };

/**
 * Sends one upgrade request to `url` offering `offered` (no
 * Sec-WebSocket-Protocol header when empty) and returns the status and
 * subprotocol of the answer's head, then drops the connection.
 */
function upgradeAnswer(
  url: string,
  offered: readonly string[],
  label: string,
  transcript: Transcript,
  ms: number,
): Promise<UpgradeAnswer> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = connect({ host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port) });
    let head = Buffer.alloc(0);
    let settled = false;
    const done = (a: UpgradeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      transcript.event(
        label,
        a.kind === "answered"
          ? `answered ${a.status}, subprotocol ${a.protocol ?? "(none)"}`
          : `no answer: ${a.why}`,
      );
      resolve(a);
    };
    const timer = setTimeout(() => done({ kind: "none", why: `nothing within ${ms} ms` }), ms);
    sock.once("connect", () => {
      const lines = [
        `GET ${u.pathname}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
        "Sec-WebSocket-Version: 13",
      ];
      if (offered.length > 0) lines.push(`Sec-WebSocket-Protocol: ${offered.join(", ")}`);
      transcript.event(label, `upgrade ${u.pathname} offering [${offered.join(", ")}] (by hand)`);
      sock.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    sock.on("data", (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const text = head.subarray(0, end).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? "?";
      const protocol = /^sec-websocket-protocol:\s*(.+)$/im.exec(text)?.[1]?.trim();
      done({ kind: "answered", status, protocol });
    });
    sock.on("error", (e) => done({ kind: "none", why: e.message }));
    sock.on("close", () => done({ kind: "none", why: "connection closed without an answer" }));
  });
}

const OFFERS: readonly (readonly [string, readonly string[]])[] = [
  ["another protocol's name", [REQ_NAME]],
  ["a name outside SP", ["chat.example"]],
  ["no subprotocol", []],
];

const foreignSubprotocolNo101: ConformanceCase = {
  id: "ws/foreign-subprotocol-no-101",
  title: "A ws:// REP listener answers no 101 to an offer without rep.sp.nanomsg.org",
  requirements: ["SP-WS-4", "SP-WS-16"],
  kind: "malformed",
  needs: REP_WS,
  covers: ["ws-pipe:upgrading:upgrade[!subprotocolValid]"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repOnWs(ctx);
    const to = withHost(url, ctx.hosts.iut);
    for (const [i, [what, offered]] of OFFERS.entries()) {
      const a = await upgradeAnswer(to, offered, `offer${i + 1}`, ctx.transcript, T.prompt);
      if (a.kind === "answered" && a.status === "101") {
        ctx.fail(
          `offered ${what} [${offered.join(", ")}], the IUT switched protocols (101, subprotocol ${a.protocol ?? "(none)"}); it must refuse without 101`,
        );
      }
      ctx.note(
        a.kind === "answered"
          ? `${what}: refused with HTTP ${a.status}`
          : `${what}: no HTTP answer (${a.why})`,
      );
    }
    // SP-WS-16: the refusals cost the listener nothing.
    await withWs(ctx, async (ws) => {
      const good = await ws.open(url, [REP_NAME], "good");
      good.send(new Uint8Array([0x80, 0, 0, 7, 0x6f, 0x6b]));
      const got = await rep.tryRecv({ timeoutMs: T.prompt });
      if (!got.ok || !sameBytes(got.value, utf8("ok"))) {
        ctx.fail("the listener stopped serving after the refusals");
      }
    });
  },
};

/** Cases of this file, in run order. */
export const wsSubprotocolRefusalCases: readonly ConformanceCase[] = [foreignSubprotocolNo101];
