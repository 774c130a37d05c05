/**
 * A PUSH send queue whose oldest send expires while a later one keeps
 * waiting (a timer transition no other pipeline case walks).
 */
import { protocols } from "../../../spec/constants.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectConnectionClosed, stillPending, T } from "../common/close.ts";
import { expectErrorName } from "../common/error-name.ts";
import { Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

export const pushQueueExpiry: ConformanceCase = {
  id: "pipeline/push-oldest-send-expires",
  title: "PUSH fails the oldest waiting send at its timeout while a later one keeps waiting",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-4", "SP-PIPELINE-14", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"] },
  covers: [
    "push:idle:block",
    "push:blocked:after:sendTimeout",
    "push:idle:always[sendsWaiting]",
    "push:blocked:ready",
    "push:idle:close",
  ],
  async run(ctx: CaseContext) {
    const sock = await ctx.iut.open("push0");
    const url = await sock.listen(ctx.iutUrl("tcp"));
    const first = new Pending(sock.trySend(utf8("short-lived"), { timeoutMs: 300 }));
    await sleep(20);
    const second = new Pending(sock.trySend(utf8("patient"), { timeoutMs: 30000 }));
    const r1 = await first.promise;
    if (r1.ok) {
      ctx.fail(
        "PUSH completed a send with no peer connected: it queued the message in the socket, where SP-PIPELINE-5 says the send must wait for a ready pipe",
      );
    }
    expectErrorName(ctx, r1.code, "ETIMEDOUT", "the first send");
    await stillPending(ctx, second, "the second send");
    const peer = await ctx.connect(url, "pull");
    const h = await peer.handshake(protocols.pull0.number);
    if (h.protocol !== protocols.push0.number)
      ctx.fail(`the IUT PUSH announced 0x${h.protocol.toString(16)}`);
    const got = await peer.readFrame(T.prompt);
    if (!sameBytes(got, utf8("patient")))
      ctx.fail(`the PULL peer got ${hex(got)}, expected the waiting send`);
    const r2 = await second.promise;
    if (!r2.ok) ctx.fail(`the waiting send failed with ${r2.code} after a peer came`);
    await sock.close();
    await expectConnectionClosed(ctx, peer);
  },
};

export const pushQueueExpiryCases: readonly ConformanceCase[] = [pushQueueExpiry];
