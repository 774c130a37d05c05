/**
 * Shared steps of the close cases (PUB, SUB, PUSH and RESPONDENT closed in
 * each of their states): a listening IUT socket with one raw peer attached,
 * and the checks that a pending operation fails (with ECLOSED), that the
 * connection goes, or that an operation keeps waiting.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext } from "../types.ts";
import { expectErrorName } from "./error-name.ts";
import { type Pending, sleep } from "./paths-runtime.ts";

export const T = { prompt: 2000, quiet: 250, settle: 150 } as const;

export type Proto = keyof typeof protocols;

/** Opens an IUT socket, listens, and connects one raw peer of the matching protocol. */
export async function withPeer(
  ctx: CaseContext,
  protocol: Proto,
): Promise<{ sock: IutSocket; url: string; peer: WirePeer }> {
  const sock = await ctx.iut.open(protocol);
  const url = await sock.listen(ctx.iutUrl("tcp"));
  const peer = await ctx.connect(url, "peer");
  const h = await peer.handshake(protocols[protocol].peer);
  if (h.protocol !== protocols[protocol].number) {
    ctx.fail(`the IUT ${protocol} announced 0x${h.protocol.toString(16)}`);
  }
  // Let the IUT attach the pipe before the case relies on it.
  await sleep(T.settle);
  return { sock, url, peer };
}

/** Fails unless `op` fails on close; warns when it is not named ECLOSED (SP-FRAMEWORK-20). */
export async function expectClosedOp(ctx: CaseContext, op: Pending<unknown>, what: string) {
  const r = await op.promise;
  if (r.ok) ctx.fail(`${what} completed after close`);
  expectErrorName(ctx, r.code, "ECLOSED", `${what}, on close,`);
}

export async function expectConnectionClosed(ctx: CaseContext, peer: WirePeer) {
  if (!(await peer.waitClosed(T.prompt))) ctx.fail("the IUT kept the connection open after close");
}

/** Fails if `op` settles within the quiet window. */
export async function stillPending(ctx: CaseContext, op: Pending<unknown>, what: string) {
  if (await op.within(T.quiet)) {
    const o = op.outcome;
    ctx.fail(`${what} did not wait: it ${o?.ok ? "completed" : `failed with ${o?.code}`}`);
  }
}
