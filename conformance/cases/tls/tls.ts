/**
 * TLS transport cases (draft-sp-tls): the handshake, then the TCP mapping
 * unchanged inside TLS; certificate verification by the IUT's dialer; old
 * protocol versions refused; a failed handshake spares the other connections.
 */
import type { TlsOptions } from "../../adapters/iut.ts";
import { hex, PROTO, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectBytes, iutRecv } from "../reqrep/common.ts";
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
import { tlsHandshakeTimeoutCases } from "./handshake-timeout.ts";
import { tlsHelloCases } from "./hello.ts";
import { tlsRenegotiationCases } from "./renegotiation.ts";
import { wssCases } from "./wss.ts";

/** Opens an IUT REP listening on tls+tcp with the test certificate; returns it and its port. */
async function repOverTls(ctx: CaseContext, options: Record<string, number> = {}) {
  const rep = await ctx.iut.open("rep0");
  for (const [name, value] of Object.entries(options)) await rep.setopt(name, value);
  const url = await rep.listen(ctx.iutUrl("tls+tcp"), { tls: listenerTls(ctx) });
  return { rep, port: portOf(url) };
}

/** Connects a verifying TLS client and exchanges SP headers as a REQ; fails on any error. */
async function reqOverTls(ctx: CaseContext, port: number, label: string): Promise<WirePeer> {
  const a = await tlsClient(ctx, port, label);
  if (!a.ok) ctx.fail(`TLS connection to the IUT listener failed: ${a.why}`);
  const h = await a.peer.handshake(PROTO.req0, TT.prompt);
  if (h.protocol !== PROTO.rep0) {
    ctx.fail(`inside TLS the IUT REP announced protocol 0x${h.protocol.toString(16)}`);
  }
  return a.peer;
}

/** One request/reply through a raw REQ peer inside TLS. */
async function roundTrip(
  ctx: CaseContext,
  rep: Awaited<ReturnType<typeof repOverTls>>["rep"],
  peer: WirePeer,
  n: number,
) {
  const id = 0x80000000 + n;
  peer.sendFrame(new Uint8Array([...words(id), ...utf8(`tls request ${n}`)]));
  expectBytes(
    ctx,
    await iutRecv(ctx, rep, `request ${n}`),
    utf8(`tls request ${n}`),
    "request body",
  );
  await rep.send(utf8(`tls reply ${n}`), { timeoutMs: TT.prompt });
  const got = await peer.readFrame(TT.prompt);
  expectBytes(ctx, got, new Uint8Array([...words(id), ...utf8(`tls reply ${n}`)]), "reply frame");
}

/** A verifying client completes TLS 1.2+ with the IUT listener; SP header and frames follow inside. */
export const tlsListenerHeaderInside: ConformanceCase = {
  id: "tls/listener-header-inside-tls",
  title: "An IUT REP on tls+tcp presents its certificate, then speaks the TCP mapping inside TLS",
  requirements: ["SP-TLS-1", "SP-TLS-6", "SP-TLS-12", "SP-TCP-4", "SP-TCP-8"],
  kind: "example",
  needs: tlsNeeds("rep0"),
  covers: ["rep:idle:deliver", "rep:holding:send"],
  async run(ctx) {
    const { rep, port } = await repOverTls(ctx);
    const peer = await reqOverTls(ctx, port, "tls-req");
    try {
      for (let n = 1; n <= 3; n++) await roundTrip(ctx, rep, peer, n);
    } finally {
      peer.close();
    }
  },
};

/** A client that offers only TLS 1.0 and 1.1 must not get a session. */
export const tlsOldVersionRefused: ConformanceCase = {
  id: "tls/old-version-refused",
  title: "An IUT listener refuses a client that offers only TLS 1.0 and 1.1",
  requirements: ["SP-TLS-2"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  cat: {},
  async run(ctx) {
    const { port } = await repOverTls(ctx);
    const a = await tlsClient(ctx, port, "old-tls", {
      minVersion: "TLSv1",
      maxVersion: "TLSv1.1",
      ciphers: "DEFAULT:@SECLEVEL=0",
    });
    if (a.ok) {
      a.peer.close();
      ctx.fail(`the IUT accepted a ${a.protocol} session`);
    } else ctx.note(`refused: ${a.why}`);
    // The refusal concerns that connection only: a modern client is served.
    (await reqOverTls(ctx, port, "tls-req")).close();
  },
};

/** Plain SP bytes (no TLS) sent to a TLS listener end that connection only (SP-TLS-14). */
export const tlsBadHandshakeSparesOthers: ConformanceCase = {
  id: "tls/bad-handshake-spares-others",
  title: "A failed TLS handshake closes that connection only; a good client is served",
  requirements: ["SP-TLS-14", "SP-TLS-12", "SP-FRAMEWORK-16"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  async run(ctx) {
    const { rep, port } = await repOverTls(ctx);
    const good = await reqOverTls(ctx, port, "tls-req");
    try {
      const plain = await ctx.connect(port, "plain");
      plain.sendHeader({ protocol: PROTO.req0 });
      plain.sendFrame(new Uint8Array([...words(0x80000001), ...utf8("not in TLS")]));
      await plain.expectClosed(TT.prompt, "plain SP bytes are no TLS handshake");
      await roundTrip(ctx, rep, good, 7);
      const later = await reqOverTls(ctx, port, "tls-req-2");
      try {
        await roundTrip(ctx, rep, later, 8);
      } finally {
        later.close();
      }
    } finally {
      good.close();
    }
  },
};

/** A frame announcing more than recv-size-max inside TLS closes the connection (SP-TLS-12). */
export const tlsOversizeCloses: ConformanceCase = {
  id: "tls/oversize-closes",
  title: "Inside TLS, a frame longer than recv-size-max closes the connection",
  requirements: ["SP-TLS-12", "SP-TCP-10", "SP-TCP-12"],
  kind: "malformed",
  needs: { ...tlsNeeds("rep0"), options: ["recv-size-max"] },
  cat: { send: { rep0: { data: "tls reply 9" } } },
  async run(ctx) {
    const { rep, port } = await repOverTls(ctx, { "recv-size-max": 1024 });
    const peer = await reqOverTls(ctx, port, "tls-req");
    try {
      peer.sendFrame(new Uint8Array(2048).fill(0x41), 2048);
      await peer.expectClosed(TT.prompt, "the frame announces 2048 bytes, the limit is 1024");
      const r = await rep.tryRecv({ timeoutMs: 250 });
      if (r.ok)
        ctx.fail(`the IUT delivered the oversize message (${hex(r.value.subarray(0, 8))}…)`);
      const next = await reqOverTls(ctx, port, "tls-req-2");
      try {
        await roundTrip(ctx, rep, next, 9);
      } finally {
        next.close();
      }
    } finally {
      peer.close();
    }
  },
};

/** Dials `srvCert`'s server with `tls`; returns whether an SP header arrived inside TLS. */
async function dialerConnects(
  ctx: CaseContext,
  srvCert: string,
  tls: TlsOptions,
  label: string,
): Promise<{ connected: boolean; failures: string[] }> {
  return withTlsServer(ctx, srvCert, async (srv) => {
    const req = await ctx.iut.open("req0");
    await req.setopt("reconnect-time-min", 100).catch(() => {});
    await req.dial(srv.url, { tls });
    const peer = await srv.accept(TT.refuse);
    ctx.note(
      `${label}: ${peer ? "handshake completed" : "no session"}; server saw ${srv.failures.length} failed handshake(s)`,
    );
    if (peer === undefined) {
      await req.close();
      return { connected: false, failures: srv.failures };
    }
    const h = await peer.readHeader(TT.prompt);
    if (h.protocol !== PROTO.req0) ctx.fail(`the IUT REQ announced 0x${h.protocol.toString(16)}`);
    await req.close();
    return { connected: true, failures: srv.failures };
  });
}

/** Without the CA, the IUT dialer must refuse the server; with it, it connects (SP-TLS-7, -9). */
export const tlsDialerVerifies: ConformanceCase = {
  id: "tls/dialer-verifies-by-default",
  title:
    "An IUT dialer refuses an untrusted or misnamed server certificate and accepts a trusted one",
  requirements: ["SP-TLS-7", "SP-TLS-9"],
  kind: "malformed",
  needs: tlsNeeds("req0"),
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const c = certs(ctx);
    const untrusted = await dialerConnects(
      ctx,
      c.valid,
      { ca: c.otherCa, servername: "localhost" },
      "untrusted CA",
    );
    if (untrusted.connected)
      ctx.fail("the IUT dialer accepted a certificate from a CA it does not trust");
    const misnamed = await dialerConnects(ctx, c.wrongName, dialerTls(ctx), "wrong name");
    if (misnamed.connected)
      ctx.fail("the IUT dialer accepted a certificate issued for another name");
    const good = await dialerConnects(ctx, c.valid, dialerTls(ctx), "trusted");
    if (!good.connected)
      ctx.fail("the IUT dialer did not connect to a trusted, correctly named server");
  },
};

/** IUT REQ dials a TLS server with the CA; a request and its reply cross inside TLS. */
export const tlsReqRoundTrip: ConformanceCase = {
  id: "tls/req-round-trip",
  title: "An IUT REQ dialing tls+tcp sends its request and takes the reply inside TLS",
  requirements: ["SP-TLS-12", "SP-REQREP-5", "SP-REQREP-7"],
  kind: "example",
  needs: tlsNeeds("req0"),
  covers: ["req:idle:send", "req:waiting:reply[idMatches]"],
  cat: { send: { req0: { data: "over tls" } } },
  async run(ctx) {
    await withTlsServer(ctx, certs(ctx).valid, async (srv) => {
      const req = await ctx.iut.open("req0");
      await req.dial(srv.url, { tls: dialerTls(ctx) });
      const peer = await srv.accept(TT.prompt);
      if (peer === undefined)
        return ctx.fail(`the IUT REQ did not complete TLS (${srv.failures.join("; ")})`);
      const h = await peer.handshake(PROTO.rep0, TT.prompt);
      if (h.protocol !== PROTO.req0) ctx.fail(`the IUT REQ announced 0x${h.protocol.toString(16)}`);
      await req.send(utf8("over tls"), { timeoutMs: TT.prompt });
      const f = await peer.readFrame(TT.prompt);
      if (f.length < 4 || (f[0] ?? 0) < 0x80) ctx.fail(`malformed request frame ${hex(f)}`);
      expectBytes(ctx, f.subarray(4), utf8("over tls"), "request body");
      peer.sendFrame(new Uint8Array([...f.subarray(0, 4), ...utf8("tls reply")]));
      expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("tls reply"), "reply");
    });
  },
};

/** A listener that requires client certificates closes a client without one (SP-TLS-10). */
export const tlsClientCertRequired: ConformanceCase = {
  id: "tls/client-cert-required",
  title:
    "An IUT listener that requires client certificates serves only clients that present a valid one",
  requirements: ["SP-TLS-10"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  async run(ctx) {
    const c = certs(ctx);
    const rep = await ctx.iut.open("rep0");
    const url = await rep.listen(ctx.iutUrl("tls+tcp"), {
      tls: { ...listenerTls(ctx), ca: c.ca, requireClientCert: true },
    });
    const port = portOf(url);
    // Without a certificate: the handshake fails, or (TLS 1.3) the IUT closes before any SP byte.
    const bare = await tlsClient(ctx, port, "no-cert");
    if (bare.ok) {
      try {
        bare.peer.sendHeader({ protocol: PROTO.req0 });
        const q = await bare.peer.quiet(TT.refuse);
        if (q.kind === "data")
          ctx.fail(`the IUT spoke SP to a client without a certificate: ${hex(q.bytes)}`);
        if (q.kind === "nothing")
          ctx.fail("the IUT kept a connection without a client certificate open");
      } finally {
        bare.peer.close();
      }
    } else ctx.note(`no certificate: ${bare.why}`);
    // With a certificate from the trusted CA: served.
    const a = await tlsClient(ctx, port, "with-cert", { cert: c.valid, key: c.key });
    if (!a.ok) return ctx.fail(`a client with a valid certificate was refused: ${a.why}`);
    try {
      const h = await a.peer.handshake(PROTO.req0, TT.prompt);
      if (h.protocol !== PROTO.rep0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
      await roundTrip(ctx, rep, a.peer, 10);
    } finally {
      a.peer.close();
    }
  },
};

/** The TLS cases, in run order. */
export const tlsCases: readonly ConformanceCase[] = [
  ...wssCases,
  tlsListenerHeaderInside,
  tlsReqRoundTrip,
  tlsOversizeCloses,
  tlsBadHandshakeSparesOthers,
  tlsOldVersionRefused,
  tlsDialerVerifies,
  tlsClientCertRequired,
  ...tlsHandshakeTimeoutCases,
  ...tlsRenegotiationCases,
  ...tlsHelloCases,
];
