/**
 * Closing a BUS fails its pending recv with ECLOSED (SP-BUS-8).
 */
import { hex } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { attachedPeer, listening, tcpNeeds } from "../pair/common.ts";
import { T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Closing a BUS socket fails its pending recv with ECLOSED. */
export const busCloseFailsPending: ConformanceCase = {
  id: "bus/close-fails-pending",
  title: "Closing a BUS fails a pending recv with ECLOSED",
  requirements: ["SP-BUS-8", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: tcpNeeds("bus0"),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const peer = await attachedPeer(ctx, sock, url, "bus0", "peer");
    const pending = sock.tryRecv({ timeoutMs: 5000 });
    await peer.expectNothing(100, "letting the recv be registered");
    await sock.close();
    const r = await pending;
    if (r.ok) ctx.fail(`the pending recv delivered ${hex(r.value)} after close`);
    expectErrorName(ctx, r.code, "ECLOSED", "the pending recv");
    await peer.expectClosed(T.prompt, "closing the socket closes its pipes");
  },
};

export const busClosePendingCases: readonly ConformanceCase[] = [busCloseFailsPending];
