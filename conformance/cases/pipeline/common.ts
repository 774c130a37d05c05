/**
 * Building blocks shared by the PUSH/PULL cases: IUT sockets of either side
 * with raw peers, and helpers to tell which raw peer got a message.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Protocol numbers from the draft (SP-PIPELINE-1). */
export const PIPELINE_PROTO = {
  push0: protocols.push0.number,
  pull0: protocols.pull0.number,
} as const;

/** Bounds used by the pipeline cases (ms). */
export const T = {
  prompt: 2000,
  quiet: 300,
  /** Time for the IUT to attach a pipe after our header went out. */
  settle: 150,
} as const;

export const PUSH_TCP: CaseNeeds = { protocols: ["push0"], transports: ["tcp"] };
export const PULL_TCP: CaseNeeds = { protocols: ["pull0"], transports: ["tcp"] };

/** Opens an IUT PUSH or PULL (`CaseIut.open` is typed for REQ/REP names only). */
export function openIut(ctx: CaseContext, protocol: "push0" | "pull0"): Promise<IutSocket> {
  const open = ctx.iut.open as (p: string) => Promise<IutSocket>;
  return open(protocol);
}

/** Connects a raw peer speaking `self`; fails unless the IUT announces `expect`. */
export async function rawPeer(
  ctx: CaseContext,
  url: string,
  self: number,
  expect: number,
  label?: string,
): Promise<WirePeer> {
  const peer = await ctx.connect(url, label);
  const h = await peer.handshake(self);
  if (h.protocol !== expect) {
    ctx.fail(
      `the IUT announced protocol 0x${h.protocol.toString(16)}, expected 0x${expect.toString(16)}`,
    );
  }
  return peer;
}

/** An IUT PUSH listening with `n` raw PULL peers connected and given time to attach. */
export async function pushWithPullers(
  ctx: CaseContext,
  n: number,
): Promise<{ push: IutSocket; url: string; pulls: WirePeer[] }> {
  const push = await openIut(ctx, "push0");
  const url = await push.listen(ctx.iutUrl("tcp"));
  const pulls: WirePeer[] = [];
  for (let i = 0; i < n; i++) {
    pulls.push(await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, `pull${i + 1}`));
  }
  if (n > 0) await (pulls[0] as WirePeer).expectNothing(T.settle, "letting the IUT attach");
  return { push, url, pulls };
}

/** Waits until one of `peers` has data and returns its index (-1 after `ms`). */
export async function whichGot(peers: WirePeer[], ms: number = T.prompt): Promise<number> {
  const deadline = performance.now() + ms;
  for (;;) {
    const i = peers.findIndex((p) => p.buffered > 0);
    if (i >= 0) return i;
    const left = deadline - performance.now();
    if (left <= 0) return -1;
    await Promise.race(peers.map((p) => p.quiet(left)));
  }
}
