/**
 * A SUB whose receive queue is full keeps its pipe open (it may discard,
 * SP-PUBSUB-25; it must not close the connection, SP-PUBSUB-26).
 */
import { utf8 } from "../../harness/sp.ts";
import { expectBytes, T } from "../reqrep/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { PUBSUB_PROTO, rawPeer, SUB_TCP, subscribe } from "./common.ts";

/** A SUB that is not read while its publisher floods it keeps the connection open. */
export const subFullQueueKeepsPipe: ConformanceCase = {
  id: "pubsub/sub-full-queue-keeps-pipe",
  title: "A SUB whose receive queue is full does not close the pipe",
  requirements: ["SP-PUBSUB-26", "SP-PUBSUB-25"],
  kind: "example",
  needs: SUB_TCP,
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const sub = await ctx.iut.open("sub0");
    await subscribe(sub, "");
    const url = await sub.listen(ctx.iutUrl("tcp"));
    const pub = await rawPeer(ctx, url, PUBSUB_PROTO.pub0, PUBSUB_PROTO.sub0, "pub");
    const body = new Uint8Array(1024).fill(0x61);
    const n = 1500;
    for (let i = 0; i < n; i++) pub.sendFrame(body);
    await pub.expectNothing(500, "the SUB holds more messages than its queue takes");
    let drained = 0;
    for (; drained < n; drained++) {
      const r = await sub.tryRecv({ timeoutMs: 300 });
      if (!r.ok) break;
    }
    ctx.note(`${drained} of ${n} flooded messages were delivered; the rest were dropped or held`);
    if (pub.closed) ctx.fail("the SUB closed the pipe while its queue was full (SP-PUBSUB-26)");
    pub.sendFrame(utf8("after the flood"));
    for (let i = 0; i < n; i++) {
      const r = await sub.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`the message sent after the flood did not arrive (${r.code})`);
      if (r.value.length !== body.length) {
        expectBytes(ctx, r.value, utf8("after the flood"), "message after the flood");
        return;
      }
    }
  },
};

export const subFullQueueCases: readonly ConformanceCase[] = [subFullQueueKeepsPipe];
