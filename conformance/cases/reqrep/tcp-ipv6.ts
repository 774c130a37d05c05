/**
 * The bracketed IPv6 form of a TCP address (SP-TCP-14), checked with a
 * REP listening on [::1], or on the IUT's host when that is an IPv6 address.
 */
import { isIP } from "node:net";
import { IutUnsupportedError } from "../../adapters/iut.ts";
import { endpointUrl, type Hosts, urlHost, urlHostOf, urlPort } from "../../harness/hosts.ts";
import { PROTO, utf8, words } from "../../harness/sp.ts";
import { WireError, WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REP_TCP, T } from "./common.ts";

/**
 * The IPv6 address to listen on: the IUT's host when it is one, else ::1
 * when the IUT runs on this machine (its ::1 is ours). An IUT elsewhere,
 * reached over IPv4, has no IPv6 address the suite knows.
 */
function ipv6Host(hosts: Hosts): string {
  if (isIP(hosts.iut) === 6) return hosts.iut;
  if (hosts.local) return "::1";
  throw new IutUnsupportedError(
    `the IUT at ${hosts.iut} is on another machine and has no IPv6 address the suite knows (give an IPv6 --iut-host)`,
  );
}

/** The canonical text of an IPv6 address, for comparing two spellings. */
const canonical = (v6: string) => new URL(`http://[${v6}]/`).hostname;

/** An IUT REP listens on tcp://[<IPv6>]:0 and serves a request that arrives over IPv6. */
export const tcpIpv6Bracketed: ConformanceCase = {
  id: "reqrep/tcp-ipv6-bracketed",
  title: "A TCP listener accepts the bracketed IPv6 address form tcp://[::1]:port",
  requirements: ["SP-TCP-14"],
  kind: "example",
  needs: REP_TCP,
  cat: { send: { rep0: { data: "v6 reply" } } },
  async run(ctx: CaseContext) {
    const v6 = ipv6Host(ctx.hosts);
    const asked = endpointUrl("tcp", v6, 0);
    const rep = await ctx.iut.open("rep0");
    const r = await rep.listen(asked).then(
      (url) => ({ ok: true as const, url }),
      (e: unknown) => ({ ok: false as const, why: e instanceof Error ? e.message : String(e) }),
    );
    if (!r.ok) return ctx.fail(`listen on ${asked} failed: ${r.why}`);
    const host = /^tcp:\/\/\[/.test(r.url) ? urlHostOf(r.url) : undefined;
    const port = urlPort(r.url);
    if (host === undefined || port === undefined || canonical(host) !== canonical(v6)) {
      return ctx.fail(`the listener answered ${r.url}, not tcp://${urlHost(v6)}:<port>`);
    }
    let peer: WirePeer | undefined;
    try {
      peer = await WirePeer.connect({ host: v6, port }, "v6", ctx.transcript);
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
