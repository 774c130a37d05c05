/**
 * The bracketed IPv6 form of a TCP address (SP-TCP-14), checked with a
 * REP listening on [::1].
 */
import { PROTO, utf8, words } from "../../harness/sp.ts";
import { WireError, WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REP_TCP, T } from "./common.ts";

/** An IUT REP listens on tcp://[::1]:0 and serves a request that arrives over IPv6. */
export const tcpIpv6Bracketed: ConformanceCase = {
  id: "reqrep/tcp-ipv6-bracketed",
  title: "A TCP listener accepts the bracketed IPv6 address form tcp://[::1]:port",
  requirements: ["SP-TCP-14"],
  kind: "example",
  needs: REP_TCP,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const r = await rep.listen("tcp://[::1]:0").then(
      (url) => ({ ok: true as const, url }),
      (e: unknown) => ({ ok: false as const, why: e instanceof Error ? e.message : String(e) }),
    );
    if (!r.ok) return ctx.fail(`listen on tcp://[::1]:0 failed: ${r.why}`);
    const m = /^tcp:\/\/\[::1\]:(\d+)$/.exec(r.url);
    if (!m) return ctx.fail(`the listener answered ${r.url}, not tcp://[::1]:<port>`);
    let peer: WirePeer | undefined;
    try {
      peer = await WirePeer.connect(Number(m[1]), "v6", ctx.transcript, "::1");
      const h = await peer.handshake(PROTO.req0);
      if (h.protocol !== PROTO.rep0) ctx.fail(`announced 0x${h.protocol.toString(16)}`);
      peer.sendFrame(new Uint8Array([...words(0x80000006), ...utf8("over v6")]));
      expectBytes(ctx, await iutRecv(ctx, rep, "the request"), utf8("over v6"), "request");
      await rep.send(utf8("v6 reply"), { timeoutMs: T.prompt });
      const f = await peer.readFrame(T.prompt);
      expectBytes(ctx, f, new Uint8Array([...words(0x80000006), ...utf8("v6 reply")]), "reply");
    } catch (e) {
      if (e instanceof WireError) ctx.fail(e.message);
      throw e;
    } finally {
      peer?.close();
    }
  },
};

export const tcpIpv6Cases: readonly ConformanceCase[] = [tcpIpv6Bracketed];
