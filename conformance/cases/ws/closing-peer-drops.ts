/**
 * The IUT has sent a CLOSE frame and waits for the answer; the peer drops
 * TCP instead of answering (`ws-pipe:closing:disconnect`). Nothing of that
 * connection is visible any more, but its end must be: the pipe must be
 * released, so a PAIR v0 socket, which takes one partner at a time, serves
 * the next client.
 */
import { withHost } from "../../harness/hosts.ts";
import { utf8 } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { closeStatus, isData, OP, RawWsClient } from "./raw-client.ts";

const PROMPT = 2000;
const PAIR = "pair.sp.nanomsg.org";

export const wsClosingPeerDrops: ConformanceCase = {
  id: "ws/closing-peer-drops",
  title: "A peer that drops TCP instead of answering the IUT's CLOSE releases the pipe",
  requirements: ["SP-WS-18", "SP-WS-16", "SP-WS-9"],
  kind: "malformed",
  needs: { protocols: ["pair0"], transports: ["ws"] },
  covers: ["ws-pipe:open:textMessage", "ws-pipe:closing:disconnect"],
  async run(ctx: CaseContext) {
    const pair = await ctx.iut.open("pair0");
    const url = withHost(await pair.listen(ctx.iutUrl("ws", "/sp")), ctx.hosts.iut);
    const first = await RawWsClient.connect(url, PAIR, "first", ctx.transcript);
    // SP-WS-9: a TEXT message makes the IUT close the pipe with a CLOSE frame.
    first.send(OP.text, utf8("not an SP message"));
    const closing = await first.until(
      () => first.frames.some((f) => f.opcode === OP.close) || first.closedAt !== undefined,
      PROMPT,
    );
    const close = first.frames.find((f) => f.opcode === OP.close);
    if (!closing || !close) {
      first.close();
      ctx.info(
        closing
          ? "the IUT dropped TCP without a CLOSE frame, so it never waited for an answer"
          : "the IUT did not close on a TEXT message; the closing state was not reached",
      );
      return;
    }
    ctx.note(`the IUT sent CLOSE ${closeStatus(close) ?? "(no status)"}; we drop TCP unanswered`);
    first.close();

    // The pipe must be gone: a new client is PAIR v0's only partner and gets a message.
    // The IUT may not have seen the drop yet when the next client arrives and turn it
    // away (PAIR v0 keeps its partner); a turned-away client is replaced.
    const body = utf8("to the next peer");
    const end = performance.now() + 3 * PROMPT;
    let got = false;
    for (let n = 2; !got && performance.now() < end; n++) {
      const next = await RawWsClient.connect(url, PAIR, `client${n}`, ctx.transcript);
      while (!got && next.closedAt === undefined && performance.now() < end) {
        await pair.trySend(body, { timeoutMs: 200 });
        got = await next.until(() => next.frames.some(isData), 200);
      }
      next.close();
    }
    if (!got) {
      ctx.fail(
        "after the first peer dropped TCP while the IUT waited for its CLOSE answer, a new peer got nothing: the old pipe was not released",
      );
    }
  },
};
