/**
 * Cases for transport MUSTs the family files left without a case: the
 * bracketed IPv6 form of a TCP address (SP-TCP-14) and the refusal of an
 * IPC path that a socket address cannot hold (SP-IPC-2).
 */
import { readdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROTO, utf8, words } from "../../harness/sp.ts";
import { WireError, WirePeer } from "../../harness/wire.ts";
import { expectBytes, iutRecv, REP_TCP, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

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

/** Listening on a 200-byte IPC path fails instead of binding a truncated path. */
export const ipcLongPathRejected: ConformanceCase = {
  id: "ipc/long-path-rejected",
  title: "Listening on an IPC path longer than a socket address holds fails, without truncating",
  requirements: ["SP-IPC-2"],
  kind: "malformed",
  needs: { protocols: ["rep0"], transports: ["ipc"] },
  async run(ctx: CaseContext) {
    const prefix = `spc-long-${process.pid}-${ctx.seed}-`;
    const path = join(tmpdir(), `${prefix}${"x".repeat(200)}.sock`);
    const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
    const rep = await ctx.iut.open("rep0");
    try {
      const r = await rep.listen(`ipc://${path}`).then(
        (url) => ({ ok: true as const, url }),
        (e: unknown) => ({ ok: false as const, code: (e as { code?: string }).code ?? String(e) }),
      );
      if (r.ok) ctx.fail(`listen on a ${path.length}-byte path succeeded (${r.url.length} bytes)`);
      else ctx.note(`listen failed with ${r.code}`);
      const made = leftovers();
      if (made.length > 0) ctx.fail(`a truncated socket file appeared: ${made[0]}`);
    } finally {
      for (const n of leftovers()) unlinkSync(join(tmpdir(), n));
    }
  },
};

/** The cases of this file, in run order. */
export const transportGapCases: readonly ConformanceCase[] = [
  tcpIpv6Bracketed,
  ipcLongPathRejected,
];
