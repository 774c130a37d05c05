/**
 * BUS send goes on past a peer whose pipe is full (SP-BUS-3, SP-BUS-4).
 *
 * A BUS socket with two raw BUS peers: the first attached never reads after
 * the SP header (so the IUT's writes to it back up once the buffers between
 * them are full), the second reads. The IUT sends numbered messages, each
 * once the reading peer has the previous one, twice as many bytes as the
 * buffers towards the stalled peer can hold (flow-bounds.ts). SP-BUS-4: a
 * send never waits for the stalled pipe and the message "is still
 * transmitted on the others"; SP-BUS-3: the reading peer's pipe can take
 * every message, so it gets every one, in order. Attaching the stalled peer
 * first matters: an implementation that gives up its send loop at the first
 * busy pipe only shows it for the pipes after that one. How much the stalled
 * peer got, and whether its pipe is kept, the draft leaves open (notes only).
 */
import { fmt, senderBound, tcpLimits } from "../../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../../harness/numbered.ts";
import { FrameReader } from "../../harness/reader-peer.ts";
import { utf8 } from "../../harness/sp.ts";
import { FLOW_T, messageAllowance, openAny } from "../flow.ts";
import { iutExpect, NUM, T } from "../pair/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Bytes of one numbered message on the wire. */
const FRAME = 8 + FLOOD_BODY;
/** A send that takes longer than this waited for something. */
const SLOW_SEND_MS = 500;

const busyPipeSkipped: ConformanceCase = {
  id: "bus/send-past-busy-pipe",
  title: "BUS keeps sending to a reading peer while the peer attached before it does not read",
  requirements: ["SP-BUS-3", "SP-BUS-4", "SP-FRAMEWORK-27"],
  kind: "example",
  needs: { protocols: ["bus0"], transports: ["tcp"] },
  timeoutMs: 40000,
  async run(ctx: CaseContext) {
    const bus = await openAny(ctx, "bus0");
    const allowance = await messageAllowance(bus, "send-buffer", FRAME);
    const url = await bus.listen(ctx.iutUrl("tcp"));
    const iutAt = ctx.iutEndpoint(url);
    const decode = (p: Uint8Array) => bodySeq(p);
    // The stalled peer first: its hello, received by the IUT, shows its pipe is attached
    // before the reading peer connects.
    const stalled = await FrameReader.connect(iutAt, NUM.bus0, "stalled", ctx.transcript, decode, {
      paused: true,
    });
    const reader = await FrameReader.connect(iutAt, NUM.bus0, "reader", ctx.transcript, decode);
    try {
      stalled.sendFrame(utf8("hello from stalled"));
      await iutExpect(ctx, bus, "hello from stalled", "the stalled peer's hello");
      reader.sendFrame(utf8("hello from reader"));
      await iutExpect(ctx, bus, "hello from reader", "the reading peer's hello");

      const bound = senderBound(tcpLimits(), allowance, stalled.nodeBuffered);
      const n = Math.ceil((2 * bound.bytes) / FRAME);
      ctx.note(
        `${bound.derivation}; the IUT sends ${n} messages of ${fmt(FLOOD_BODY)} (twice the bound)`,
      );
      const started = performance.now();
      let slowest = 0;
      let slowSends = 0;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await bus.trySend(numberedBody(i), { timeoutMs: FLOW_T.send });
        if (!r.ok) {
          ctx.fail(`send #${i} failed with ${r.code}: a BUS send must not wait for a busy pipe`);
        }
        const took = performance.now() - t0;
        slowest = Math.max(slowest, took);
        // One slow answer is the machine; a BUS that waits for the stalled pipe is slow each time.
        if (took > SLOW_SEND_MS && ++slowSends > 3) {
          ctx.fail(
            `${slowSends} sends took over ${SLOW_SEND_MS} ms each (the last ${took.toFixed(0)} ms): a BUS send must not wait for a busy pipe`,
          );
        }
        const arrived = await reader.until(
          () => reader.seqs.length > i || reader.bad !== undefined || reader.closed,
          FLOW_T.send,
        );
        if (reader.bad) ctx.fail(`a damaged message reached the reading peer: ${reader.bad}`);
        if (!arrived) {
          ctx.fail(
            `the reading peer did not get #${i} within ${FLOW_T.send} ms (it has ${reader.seqs.length} of ${i + 1}): a busy pipe attached before it cost it the message`,
          );
        }
        if (reader.seqs.length <= i) ctx.fail(`the IUT closed the reading peer's pipe at #${i}`);
        const got = reader.seqs[i];
        if (got !== i) ctx.fail(`the reading peer's message ${i} is #${got}: lost or reordered`);
      }
      ctx.note(
        `${n} sends took ${(performance.now() - started).toFixed(0)} ms (slowest ${slowest.toFixed(0)} ms); the reading peer got all, in order`,
      );
      stalled.resume();
      await stalled.drain(T.quiet, 7000);
      ctx.note(
        `the peer that did not read got ${stalled.seqs.length} of ${n} (${fmt(stalled.bytes)}); its pipe ${stalled.closed ? "was closed" : "stayed open"}`,
      );
      if (stalled.bad)
        ctx.fail(`a damaged message reached the peer that did not read: ${stalled.bad}`);
      // SP-FRAMEWORK-27: what waited for the busy pipe is bounded; the rest was discarded for it.
      if (stalled.bytes > bound.bytes) {
        ctx.fail(
          `the peer that did not read got ${fmt(stalled.bytes)} once it read, over the ${fmt(bound.bytes)} bound: messages for its busy pipe were queued without limit`,
        );
      }
    } finally {
      stalled.close();
      reader.close();
    }
  },
};

/** Cases of this file, in run order. */
export const busBusyPipeCases: readonly ConformanceCase[] = [busyPipeSkipped];
