/**
 * Closing PUB and SUB in each of their states: a PUB's last message still
 * goes out, a SUB's pending recv fails with ECLOSED, and the connections go.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import {
  expectClosedOp,
  expectConnectionClosed,
  stillPending,
  T,
  withPeer,
} from "../common/close.ts";
import { Pending } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

export const pubClose: ConformanceCase = {
  id: "pubsub/pub-close",
  title: "Closing PUB closes its subscribers' connections",
  requirements: ["SP-PUBSUB-20"],
  kind: "example",
  needs: { protocols: ["pub0"], transports: ["tcp"] },
  covers: ["pub:open:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "pub0");
    await sock.send(utf8("last words"), { timeoutMs: T.prompt });
    const got = await peer.readFrame(T.prompt);
    if (!sameBytes(got, utf8("last words"))) ctx.fail(`the subscriber got ${hex(got)}`);
    await sock.close();
    await expectConnectionClosed(ctx, peer);
  },
};

export const subCloseEmpty: ConformanceCase = {
  id: "pubsub/sub-close-unsubscribed",
  title: "Closing a SUB with no subscription fails its pending recv with ECLOSED",
  requirements: ["SP-PUBSUB-20", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["sub0"], transports: ["tcp"] },
  covers: ["sub:empty:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "sub0");
    const recv = new Pending(sock.tryRecv({ timeoutMs: 30000 }));
    peer.sendFrame(utf8("nobody subscribed"));
    await stillPending(ctx, recv, "recv on a SUB without subscriptions");
    await sock.close();
    await expectClosedOp(ctx, recv, "the pending recv");
    await expectConnectionClosed(ctx, peer);
  },
};

export const pubsubCloseCases: readonly ConformanceCase[] = [pubClose, subCloseEmpty];
