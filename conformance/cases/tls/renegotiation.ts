/**
 * Renegotiation (draft-sp-tls §Version and Features, SP-TLS-5): an end that
 * sees its peer start a new handshake in a TLS 1.2 session closes the
 * connection. The harness's TLS stack (Node, OpenSSL 3) starts it: as a client
 * against an IUT listener (a new ClientHello), and as a server against an IUT
 * dialer (a HelloRequest).
 *
 * Who closed matters. An IUT may decline with a `no_renegotiation` warning
 * alert and then close (that conforms), or decline and go on with the session
 * (that does not). OpenSSL, on the side that asked, turns the warning into a
 * fatal error of its own (openssl/openssl#12239) and would end the connection
 * itself, hiding the IUT's next step. So the harness's TLS runs over a tap
 * (tap.ts) that, once renegotiation starts, holds back the harness's alerts and
 * keeps the TCP connection open: only an end of the connection by the IUT passes.
 */
import type { TLSSocket } from "node:tls";
import { endpointUrl, hostPort } from "../../harness/hosts.ts";
import { PROTO } from "../../harness/sp.ts";
import { until } from "../../harness/wait.ts";
import { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { certs, dialerTls, listenerTls, portOf, TT, tlsClient, tlsNeeds } from "./common.ts";
import { type TcpTap, tappedClient, tappedServer } from "./tap.ts";

/**
 * Starts renegotiation on `tls` (whose TCP connection runs over `tap`) and
 * judges what the IUT does (SP-TLS-5): it must end the connection itself.
 * Declining with a `no_renegotiation` warning and then closing conforms;
 * declining and going on with the session does not. The harness's OpenSSL
 * aborts on that warning, so the tap holds back its alert and keeps the TCP
 * connection open, and the verdict rests on whether the IUT ends it.
 */
export async function judgeRenegotiation(
  ctx: CaseContext,
  tls: TLSSocket,
  tap: TcpTap,
  who: string,
): Promise<void> {
  const errors: string[] = [];
  const firstLine = (m: string) => m.split("\n")[0]?.trim() ?? m;
  tls.on("error", (e) => errors.push(firstLine(e.message)));
  let completed = false;
  tap.arm();
  const started = tls.renegotiate({ rejectUnauthorized: false }, (err) => {
    if (err) errors.push(firstLine(err.message));
    else completed = true;
  });
  if (!started) return ctx.fail(`the harness could not start renegotiation (${errors.join("; ")})`);
  const ended = await tap.waitEnded(TT.prompt);
  // The IUT's alert is encrypted; OpenSSL names it in an error when it reports one.
  const declined =
    errors.find((m) => /no renegotiation/i.test(m)) ??
    (tap.peerAlerts > 0 ? `${tap.peerAlerts} alert record(s) from the IUT` : undefined);
  const held = tap.heldAlerts > 0 ? `; ${tap.heldAlerts} harness alert(s) held back` : "";
  ctx.note(
    `after the ${who} started renegotiation: ${completed ? "it completed; " : ""}${declined ? `the IUT declined (${declined}); ` : ""}${ended ? `the IUT ended the TCP connection (${tap.ended})` : "the TCP connection stayed open"}${errors.length ? ` (harness TLS errors: ${errors.join("; ")}${held})` : ""}`,
  );
  if (ended) return;
  if (declined) {
    ctx.fail(
      `the IUT declined the renegotiation with an alert (a no_renegotiation warning) and kept the connection open for ${TT.prompt} ms; SP-TLS-5 asks it to close the connection`,
    );
  }
  ctx.fail(
    `the IUT kept the connection open after the ${who} started renegotiation${completed ? " (the renegotiation completed)" : ""}`,
  );
}

/** A client that starts renegotiation in a TLS 1.2 session must see the connection closed (SP-TLS-5). */
export const tlsRenegotiationCloses: ConformanceCase = {
  id: "tls/renegotiation-closes",
  title: "An IUT listener closes a TLS 1.2 connection whose client starts renegotiation",
  requirements: ["SP-TLS-5", "SP-TLS-14"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const rep = await ctx.iut.open("rep0");
    const port = portOf(await rep.listen(ctx.iutUrl("tls+tcp"), { tls: listenerTls(ctx) }));
    const { tap, tls } = await tappedClient(ctx.hosts.iut, port, {
      ca: certs(ctx).ca,
      servername: "localhost",
      maxVersion: "TLSv1.2",
    });
    try {
      const shaken = await secured(tls, "secureConnect");
      if (shaken !== undefined) return ctx.fail(`TLS 1.2 connection to the IUT failed: ${shaken}`);
      ctx.transcript.event("reneg", `TLS handshake done (${tls.getProtocol()})`);
      const peer = new WirePeer(tls, "reneg", ctx.transcript);
      const h = await peer.handshake(PROTO.req0, TT.prompt);
      if (h.protocol !== PROTO.rep0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
      await judgeRenegotiation(ctx, tls, tap, "client");
    } finally {
      tls.destroy();
      tap.close();
    }
    // SP-TLS-14: the refusal concerns that connection only; a new client is served.
    const next = await tlsClient(ctx, port, "after-reneg");
    if (!next.ok) return ctx.fail(`a new TLS client was refused afterwards: ${next.why}`);
    try {
      const h = await next.peer.handshake(PROTO.req0, TT.prompt);
      if (h.protocol !== PROTO.rep0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
    } finally {
      next.peer.close();
    }
  },
};

/** A server that starts renegotiation (HelloRequest) must see the IUT dialer close (SP-TLS-5). */
export const tlsDialerRenegotiationCloses: ConformanceCase = {
  id: "tls/dialer-renegotiation-closes",
  title: "An IUT dialer closes a TLS 1.2 connection whose server starts renegotiation",
  requirements: ["SP-TLS-5"],
  kind: "malformed",
  needs: tlsNeeds("req0"),
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const accepted: { tls: TLSSocket; tap: TcpTap }[] = [];
    const failures: string[] = [];
    const srv = await tappedServer(
      ctx.hosts.suite,
      { cert: certs(ctx).valid, key: certs(ctx).key, maxVersion: "TLSv1.2" },
      (tls, tap) => accepted.push({ tls, tap }),
      (why) => failures.push(why),
    );
    try {
      const url = endpointUrl("tls+tcp", ctx.hosts.suite, srv.port);
      ctx.transcript.event("tls-server", `TLS listening on ${hostPort(ctx.hosts.suite, srv.port)}`);
      const req = await ctx.iut.open("req0");
      await req.dial(url, { tls: dialerTls(ctx) });
      if (!(await until(() => accepted.length > 0, TT.prompt))) {
        return ctx.fail(`the IUT dialer did not complete TLS 1.2 (${failures.join("; ")})`);
      }
      const first = accepted.shift() as { tls: TLSSocket; tap: TcpTap };
      const peer = new WirePeer(first.tls, "tls-server.1", ctx.transcript);
      const h = await peer.handshake(PROTO.rep0, TT.prompt);
      if (h.protocol !== PROTO.req0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
      await judgeRenegotiation(ctx, first.tls, first.tap, "server");
      // The dialer's retry after the close is SP-TLS-18's SHOULD; only noted here.
      const again = await until(() => accepted.length > 0, TT.prompt);
      ctx.note(
        again
          ? "the IUT dialer connected again"
          : "the IUT dialer did not reconnect within the bound",
      );
    } finally {
      for (const tap of srv.taps) tap.close();
      srv.server.close();
    }
  },
};

/** Resolves when `tls` fires `event` (undefined) or fails first (the reason). */
function secured(tls: TLSSocket, event: "secureConnect" | "secure"): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("no handshake within bound"), TT.prompt);
    tls.once(event, () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    tls.once("error", (e) => {
      clearTimeout(timer);
      resolve(e.message);
    });
  });
}

/** The renegotiation cases, in run order. */
export const tlsRenegotiationCases: readonly ConformanceCase[] = [
  tlsRenegotiationCloses,
  tlsDialerRenegotiationCloses,
];
