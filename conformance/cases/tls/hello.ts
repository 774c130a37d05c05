/**
 * Cipher suites and compression (draft-sp-tls §Version and Features,
 * SP-TLS-3 and SP-TLS-4), checked with hand-made hellos: the harness's own TLS
 * stack (OpenSSL 3) cannot offer RC4, DES, 3DES, MD5 or export suites, nor
 * compression, so {@link clientHelloRecord} writes a TLS 1.2 ClientHello byte
 * by byte on a plain TCP connection to an IUT listener, and the first answer
 * (ServerHello or alert) is judged. For an IUT dialer, the harness is a plain
 * TCP server and reads the ClientHello the IUT sends.
 *
 * Every weak or compressed offer is paired with a control hello that differs
 * only in the tested field, so that a refusal can be told apart from a hello
 * the IUT does not like for other reasons.
 */
import {
  alertName,
  type ClientHelloSpec,
  clientHelloRecord,
  describeReply,
  type HelloReply,
  isSignalling,
  readClientHello,
  readServerReply,
  STRONG_TLS12,
  suiteHex,
  TLS12,
  WEAK_OFFER,
  weakness,
} from "../../harness/tls-hello.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { dialerTls, listenerTls, portOf, TT, tlsNeeds } from "./common.ts";

/** Opens an IUT REP listening on tls+tcp with the test certificate; returns its port. */
async function tlsListenerPort(ctx: CaseContext): Promise<number> {
  const rep = await ctx.iut.open("rep0");
  return portOf(await rep.listen(ctx.iutUrl("tls+tcp"), { tls: listenerTls(ctx) }));
}

/** Writes the ClientHello of `spec` on a fresh TCP connection to `port`; returns the answer. */
async function offer(
  ctx: CaseContext,
  port: number,
  label: string,
  spec: ClientHelloSpec,
): Promise<HelloReply> {
  const peer = await ctx.connect(port, label);
  try {
    peer.write(clientHelloRecord(spec));
    const r = await readServerReply(peer, TT.prompt);
    ctx.transcript.event(label, describeReply(r));
    return r;
  } finally {
    peer.close();
  }
}

/** The IUT's answer to a strong TLS 1.2 offer: the control of the cases below. */
async function control(ctx: CaseContext, port: number): Promise<HelloReply> {
  const r = await offer(ctx, port, "control", { suites: STRONG_TLS12 });
  ctx.note(`control hello (strong suites, null compression): ${describeReply(r)}`);
  return r;
}

/** Fails when a ServerHello picked a forbidden suite (SP-TLS-3). */
function checkSuite(ctx: CaseContext, r: HelloReply, what: string): void {
  if (r.kind !== "server-hello") return;
  const weak = weakness(r.hello.suite);
  if (weak) ctx.fail(`SP-TLS-3: the IUT accepted ${what} and chose ${weak}`);
}

/** An IUT listener answers an offer of weak suites only with a refusal, never a ServerHello. */
export const tlsWeakSuitesRefused: ConformanceCase = {
  id: "tls/weak-suites-refused",
  title:
    "An IUT listener refuses a TLS 1.2 hello offering only RC4, DES, 3DES, MD5 or export suites",
  requirements: ["SP-TLS-3"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const port = await tlsListenerPort(ctx);
    // SP-TLS-3: only forbidden suites on offer. A TLS 1.3 server cannot pick them either (it
    // chooses from the TLS 1.3 suites, and this hello offers TLS 1.2 only), so any conforming
    // server ends the handshake: a fatal alert (handshake_failure, insufficient_security) or a close.
    const weak = await offer(ctx, port, "weak-only", { suites: WEAK_OFFER });
    checkSuite(ctx, weak, "a weak-only offer");
    if (weak.kind === "server-hello") {
      ctx.fail(
        `the IUT answered a weak-only offer with a ServerHello for ${suiteHex(weak.hello.suite)}, a suite it was not offered`,
      );
    }
    ctx.note(`weak-only offer: ${describeReply(weak)}`);

    // SP-TLS-3 "accept": with weak suites first and strong ones after, the IUT must pick a strong one.
    const mixed = await offer(ctx, port, "weak-first", {
      suites: [...WEAK_OFFER, ...STRONG_TLS12],
    });
    checkSuite(ctx, mixed, "an offer listing weak suites first");
    ctx.note(`weak suites first, then strong ones: ${describeReply(mixed)}`);

    // The control tells a refusal of the suites from a refusal of the hello itself.
    const ctl = await control(ctx, port);
    if (ctl.kind !== "server-hello") {
      ctx.info(
        `the IUT did not accept the harness's hand-made TLS 1.2 hello with strong suites either (${describeReply(ctl)}), so the refusal above may have another cause; no forbidden suite was accepted`,
      );
    } else if (mixed.kind !== "server-hello") {
      ctx.info(
        `the IUT refused a hello that offered strong suites after weak ones (${describeReply(mixed)}) though it accepts the strong ones alone`,
      );
    }
    if (weak.kind === "silent") {
      ctx.info("the IUT neither answered nor closed after a weak-only offer within the bound");
    }
    if (weak.kind === "garbage")
      ctx.info(`the IUT answered the weak-only offer with ${weak.detail}`);
  },
};

/** An IUT listener offered DEFLATE (with null) picks null compression. */
export const tlsCompressionRefused: ConformanceCase = {
  id: "tls/compression-not-used",
  title: "An IUT listener offered DEFLATE and null compression picks null compression",
  requirements: ["SP-TLS-4", "SP-TLS-3"],
  kind: "malformed",
  needs: tlsNeeds("rep0"),
  timeoutMs: 15000,
  cat: {},
  async run(ctx) {
    const port = await tlsListenerPort(ctx);
    // SP-TLS-4: DEFLATE (1) first, null (0) second, as a client that wants compression would offer.
    const r = await offer(ctx, port, "deflate", { suites: STRONG_TLS12, compression: [1, 0] });
    ctx.note(`offer with compression [1, 0]: ${describeReply(r)}`);
    checkSuite(ctx, r, "a strong offer");
    if (r.kind === "server-hello") {
      if (r.hello.compression !== 0) {
        ctx.fail(`SP-TLS-4: the IUT chose compression method ${r.hello.compression}`);
      }
      return;
    }
    // Refusing the hello uses no compression either; tell whether DEFLATE in the list was the cause.
    const ctl = await control(ctx, port);
    if (ctl.kind === "server-hello") {
      ctx.info(
        `the IUT refuses a TLS 1.2 hello that lists DEFLATE before null compression (${describeReply(r)}), though TLS 1.2 lets it pick null; no compression is used`,
      );
    } else if (ctl.kind === "alert" && ctl.description === 70) {
      ctx.note(`the IUT refuses TLS 1.2 (${alertName(70)}); TLS 1.3 has no compression at all`);
    } else {
      ctx.info(
        `the IUT did not accept the harness's hand-made TLS 1.2 hello (${describeReply(ctl)}); compression could not be judged`,
      );
    }
  },
};

/** The ClientHello of an IUT dialer offers no forbidden suite and null compression only. */
export const tlsDialerHelloStrong: ConformanceCase = {
  id: "tls/dialer-hello-strong",
  title:
    "An IUT dialer's ClientHello offers no RC4, DES, 3DES, MD5 or export suite and no compression",
  requirements: ["SP-TLS-3", "SP-TLS-4", "SP-TLS-2"],
  kind: "example",
  needs: tlsNeeds("req0"),
  cat: {},
  async run(ctx) {
    const srv = await ctx.server("raw-tls-srv");
    const req = await ctx.iut.open("req0");
    await req.dial(ctx.suiteUrl("tls+tcp", srv.port), { tls: dialerTls(ctx) });
    const peer = await srv.accept(TT.prompt);
    let hello: Awaited<ReturnType<typeof readClientHello>>;
    try {
      hello = await readClientHello(peer, TT.prompt);
    } catch (e) {
      return ctx.fail(`reading the IUT's ClientHello: ${(e as Error).message}`);
    } finally {
      peer.close();
    }
    const suites = hello.suites.filter((s) => !isSignalling(s));
    const versions = hello.supportedVersions ?? [hello.legacyVersion];
    ctx.note(
      `ClientHello: ${suites.length} suites [${suites.map(suiteHex).join(" ")}], compression [${hello.compression.join(", ")}], versions [${versions.map(suiteHex).join(" ")}]`,
    );
    // SP-TLS-3: "MUST NOT offer".
    const weak = suites.map(weakness).filter((w): w is string => w !== undefined);
    if (weak.length > 0) ctx.fail(`SP-TLS-3: the IUT dialer offers ${weak.join("; ")}`);
    // SP-TLS-4: any method besides null would let a server turn compression on.
    if (hello.compression.length !== 1 || hello.compression[0] !== 0) {
      ctx.fail(
        `SP-TLS-4: the IUT dialer offers compression methods [${hello.compression.join(", ")}]`,
      );
    }
    // SP-TLS-2, as far as a ClientHello shows it: its highest version is 1.2 or later, and a
    // supported_versions list names nothing older (a TLS 1.2-only hello hides its minimum).
    if (Math.max(...versions) < TLS12) {
      ctx.fail(
        `SP-TLS-2: the IUT dialer offers at most version ${suiteHex(Math.max(...versions))}`,
      );
    }
    const old = versions.filter((v) => v < TLS12);
    if (hello.supportedVersions && old.length > 0) {
      ctx.fail(`SP-TLS-2: the IUT dialer offers old versions ${old.map(suiteHex).join(", ")}`);
    }
  },
};

/** The cases of this file, in run order. */
export const tlsHelloCases: readonly ConformanceCase[] = [
  tlsWeakSuitesRefused,
  tlsCompressionRefused,
  tlsDialerHelloStrong,
];
