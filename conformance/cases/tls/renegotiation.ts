/**
 * Renegotiation (draft-sp-tls §Version and Features, SP-TLS-5): an end that
 * sees its peer start a new handshake in a TLS 1.2 session closes the
 * connection. The harness's TLS stack (Node, OpenSSL 3) starts it: as a client
 * against an IUT listener (a new ClientHello), and as a server against an IUT
 * dialer (a HelloRequest).
 *
 * Who closed matters. An IUT that declines with a `no_renegotiation` warning
 * alert means to go on with the session, which is not what SP-TLS-5 asks; but
 * OpenSSL, on the side that asked, turns that warning into a fatal error of its
 * own (error "no renegotiation", openssl/openssl#12239) and ends the connection
 * itself. So the harness's socket errors are recorded, and a close that follows
 * that error is the harness's doing, not the IUT's.
 */
import type { TLSSocket } from "node:tls";
import { PROTO } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  certs,
  dialerTls,
  listenerTls,
  portOf,
  TT,
  tlsClient,
  tlsNeeds,
  withTlsServer,
} from "./common.ts";

/** The TLS socket under a harness peer (the peers of {@link tlsClient} and TlsServer wrap one). */
const tlsSocketOf = (peer: WirePeer) => (peer as unknown as { sock: TLSSocket }).sock;

/**
 * Starts renegotiation on `peer`'s TLS socket and judges what the IUT does (SP-TLS-5):
 * fails unless the IUT itself closes the connection.
 */
async function judgeRenegotiation(ctx: CaseContext, peer: WirePeer, who: string): Promise<void> {
  const sock = tlsSocketOf(peer);
  const errors: string[] = [];
  const firstLine = (m: string) => m.split("\n")[0]?.trim() ?? m;
  sock.on("error", (e) => errors.push(firstLine(e.message)));
  let completed = false;
  const started = sock.renegotiate({ rejectUnauthorized: false }, (err) => {
    if (err) errors.push(firstLine(err.message));
    else completed = true;
  });
  if (!started) return ctx.fail(`the harness could not start renegotiation (${errors.join("; ")})`);
  const closed = await peer.waitClosed(TT.prompt);
  const declined = errors.find((m) => /no renegotiation/i.test(m));
  ctx.note(
    `after the ${who} started renegotiation: ${completed ? "it completed; " : ""}${closed ? "the connection closed" : "the connection stayed open"}${errors.length ? ` (harness TLS errors: ${errors.join("; ")})` : ""}`,
  );
  if (declined) {
    ctx.fail(
      `the IUT declined the renegotiation with a no_renegotiation warning alert (in TLS 1.2 a refusal that goes on with the session) instead of closing the connection; the connection ended only because the harness's TLS stack aborts on that alert (${declined})`,
    );
  }
  if (!closed) {
    ctx.fail(
      `the IUT kept the connection open after the ${who} started renegotiation${completed ? " (the renegotiation completed)" : ""}`,
    );
  }
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
    const a = await tlsClient(ctx, port, "reneg", { maxVersion: "TLSv1.2" });
    if (!a.ok) return ctx.fail(`TLS 1.2 connection to the IUT failed: ${a.why}`);
    try {
      const h = await a.peer.handshake(PROTO.req0, TT.prompt);
      if (h.protocol !== PROTO.rep0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
      await judgeRenegotiation(ctx, a.peer, "client");
    } finally {
      a.peer.close();
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
    await withTlsServer(
      ctx,
      certs(ctx).valid,
      async (srv) => {
        const req = await ctx.iut.open("req0");
        await req.dial(srv.url, { tls: dialerTls(ctx) });
        const peer = await srv.accept(TT.prompt);
        if (peer === undefined) {
          return ctx.fail(`the IUT dialer did not complete TLS 1.2 (${srv.failures.join("; ")})`);
        }
        const h = await peer.handshake(PROTO.rep0, TT.prompt);
        if (h.protocol !== PROTO.req0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
        await judgeRenegotiation(ctx, peer, "server");
        // The dialer's retry after the close is SP-TLS-14's SHOULD; only noted here.
        const again = await srv.accept(TT.prompt);
        ctx.note(
          again
            ? "the IUT dialer connected again"
            : "the IUT dialer did not reconnect within the bound",
        );
      },
      { maxVersion: "TLSv1.2" },
    );
  },
};

/** The renegotiation cases, in run order. */
export const tlsRenegotiationCases: readonly ConformanceCase[] = [
  tlsRenegotiationCloses,
  tlsDialerRenegotiationCloses,
];
