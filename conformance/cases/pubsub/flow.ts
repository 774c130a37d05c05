/**
 * Flow control of PUB and SUB (SP-PUBSUB-17, -25, -26, -22, -23, -8;
 * framework "Flow Control").
 */
import { FloodPeer } from "../../harness/flood.ts";
import { fmt, receiverBound, senderBound, tcpLimits } from "../../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../../harness/numbered.ts";
import { FrameReader } from "../../harness/reader-peer.ts";
import { concat, hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { sleep } from "../common/paths-runtime.ts";
import { FLOW_T, messageAllowance, noReadCase, openAny } from "../flow.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { PUBSUB_PROTO, SYNC, subscribe, T } from "./common.ts";

/** Bytes of one numbered message on the wire. */
const FRAME = 8 + FLOOD_BODY;
/** A publish that takes longer than this waited for something. */
const SLOW_SEND_MS = 500;

export const subNoRead: ConformanceCase = noReadCase({
  id: "pubsub/sub-noread-bounded",
  title:
    "SUB whose application does not receive stops reading the pipe (or discards), never closes it",
  requirements: [
    "SP-PUBSUB-17",
    "SP-PUBSUB-25",
    "SP-PUBSUB-26",
    "SP-FRAMEWORK-21",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-FRAMEWORK-28",
  ],
  covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
  protocol: "sub0",
  peer: PUBSUB_PROTO.pub0,
  must: false,
  setup: (_ctx, sock) => subscribe(sock, new Uint8Array(0)),
});

/** The topic of the filter case; numbered bodies start with 0x00 and never match it. */
const TOPIC = utf8("match");

/**
 * A SUB subscribed to one topic whose application does not read: a flood of
 * messages that match no subscription, several times what the buffers could
 * hold, must never make it stop reading (they take no room, SP-PUBSUB-22,
 * SP-FRAMEWORK-26); a matching message written after them is delivered.
 */
export const subFilterFirst: ConformanceCase = {
  id: "pubsub/sub-flow-filter-first",
  title:
    "SUB drops non-matching messages before they take room: a flood of them never stops it reading",
  requirements: ["SP-PUBSUB-22", "SP-FRAMEWORK-26"],
  kind: "example",
  needs: { protocols: ["sub0"], transports: ["tcp"] },
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const sub = await openAny(ctx, "sub0");
    await subscribe(sub, TOPIC);
    const allowance = await messageAllowance(sub, "recv-buffer", FRAME);
    const bound = receiverBound(tcpLimits(), allowance);
    const limit = 3 * bound.bytes;
    ctx.note(
      `${bound.derivation}; the peer writes ${fmt(limit)} that match nothing (three times the bound)`,
    );
    const url = await sub.listen(ctx.iutUrl("tcp"));
    const pub = await FloodPeer.connect(
      ctx.iutEndpoint(url),
      PUBSUB_PROTO.pub0,
      "pub",
      ctx.transcript,
      (s) => numberedBody(s),
    );
    try {
      // A generous stall window: the SUB must read (and drop) every byte, which takes CPU.
      const r = await pub.flood({ limit, stallMs: 2000, maxMs: 20000 });
      if (r.closed) ctx.fail(`the IUT closed the connection after ${fmt(r.accepted)}`);
      if (r.stalled) {
        ctx.fail(
          `the peer's writes stalled after ${fmt(r.accepted)} of messages that match no subscription: they took room in the receive buffer and made the SUB stop reading`,
        );
      }
      if (r.accepted < limit) {
        ctx.fail(`the SUB read only ${fmt(r.accepted)} of ${fmt(limit)} in ${r.ms.toFixed(0)} ms`);
      }
      ctx.note(`${fmt(r.accepted)} of non-matching messages went through in ${r.ms.toFixed(0)} ms`);
      const wanted = concat(TOPIC, utf8(" after the flood"));
      pub.writeFrame(wanted);
      const m = await sub.tryRecv({ timeoutMs: 5000 });
      if (!m.ok) ctx.fail(`the matching message written after the flood did not arrive: ${m.code}`);
      if (!sameBytes(m.value, wanted)) {
        ctx.fail(
          `expected the matching message, got ${hex(m.value)}: a message that matches no subscription was delivered`,
        );
      }
    } finally {
      pub.close();
    }
  },
};

/**
 * A PUB with two raw subscribers, one of which never reads: every publish
 * completes at once (SP-PUBSUB-8), the reading subscriber gets every message
 * in order at its own pace (SP-PUBSUB-23: the case publishes the next message
 * once the reading one has the last), what the stalled one gets is in order
 * and bounded (SP-PUBSUB-11, SP-PUBSUB-10), and its pipe is not closed: once
 * it reads again, a new message reaches it (SP-PUBSUB-6).
 */
export const pubSlowSubscriber: ConformanceCase = {
  id: "pubsub/pub-flow-slow-subscriber",
  title: "PUB keeps sending to a reading subscriber at its pace while another does not read",
  requirements: [
    "SP-PUBSUB-23",
    "SP-PUBSUB-8",
    "SP-PUBSUB-10",
    "SP-PUBSUB-11",
    "SP-PUBSUB-6",
    "SP-FRAMEWORK-27",
  ],
  kind: "example",
  needs: { protocols: ["pub0"], transports: ["tcp"] },
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const pub = await openAny(ctx, "pub0");
    const allowance = await messageAllowance(pub, "send-buffer", FRAME);
    const url = await pub.listen(ctx.iutUrl("tcp"));
    const iutAt = ctx.iutEndpoint(url);
    // SYNC probes (which make sure the pipes are attached) are numbered -1.
    const decode = (p: Uint8Array) => (sameBytes(p, SYNC) ? -1 : bodySeq(p));
    const slow = await FrameReader.connect(
      iutAt,
      PUBSUB_PROTO.sub0,
      "slow",
      ctx.transcript,
      decode,
      {
        paused: true,
      },
    );
    const fast = await FrameReader.connect(
      iutAt,
      PUBSUB_PROTO.sub0,
      "fast",
      ctx.transcript,
      decode,
    );
    try {
      for (let i = 0; fast.seqs.length === 0; i++) {
        if (i === 40) ctx.fail("the IUT PUB never delivered a probe to a connected subscriber");
        await pub.send(SYNC, { timeoutMs: FLOW_T.send });
        await fast.until(() => fast.seqs.length > 0, 50);
      }
      await sleep(T.probe);
      const data = () => fast.seqs.filter((s) => s >= 0);
      const bound = senderBound(tcpLimits(), allowance, slow.nodeBuffered);
      const n = Math.ceil((2 * bound.bytes) / FRAME);
      ctx.note(
        `${bound.derivation}; the IUT publishes ${n} messages of ${fmt(FLOOD_BODY)} (twice the bound)`,
      );
      const started = performance.now();
      let slowest = 0;
      let slowSends = 0;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const r = await pub.trySend(numberedBody(i), { timeoutMs: FLOW_T.send });
        if (!r.ok)
          ctx.fail(
            `publishing #${i} failed with ${r.code}: a PUB send must not wait for a slow subscriber`,
          );
        const took = performance.now() - t0;
        slowest = Math.max(slowest, took);
        // One slow answer is the machine; a PUB that waits for the stalled pipe is slow each time.
        if (took > SLOW_SEND_MS && ++slowSends > 3) {
          ctx.fail(
            `${slowSends} publishes took over ${SLOW_SEND_MS} ms each (the last ${took.toFixed(0)} ms): a PUB send must not wait for a slow subscriber`,
          );
        }
        if (!(await fast.until(() => data().length > i || fast.bad !== undefined, FLOW_T.send))) {
          ctx.fail(
            `the reading subscriber did not get #${i} within ${FLOW_T.send} ms (it has ${data().length}): the subscriber that does not read cost it its messages`,
          );
        }
        const got = data()[i];
        if (fast.bad) ctx.fail(`a damaged message reached the reading subscriber: ${fast.bad}`);
        if (got !== i)
          ctx.fail(`the reading subscriber's message ${i} is #${got}: lost or reordered`);
      }
      ctx.note(
        `${n} publishes took ${(performance.now() - started).toFixed(0)} ms (slowest send ${slowest.toFixed(0)} ms); the reading subscriber got all, in order`,
      );
      slow.resume();
      await slow.drain(T.quiet, 7000);
      if (slow.closed) ctx.fail("the IUT closed the pipe of the subscriber that did not read");
      if (slow.bad)
        ctx.fail(`a damaged message reached the subscriber that did not read: ${slow.bad}`);
      const got = slow.seqs.filter((s) => s >= 0);
      for (let k = 1; k < got.length; k++) {
        if ((got[k] as number) <= (got[k - 1] as number)) {
          ctx.fail(`the subscriber that did not read got #${got[k]} after #${got[k - 1]}`);
        }
      }
      const slowBytes = got.length * FRAME;
      ctx.note(`the subscriber that did not read got ${got.length} of ${n} (${fmt(slowBytes)})`);
      if (slowBytes > bound.bytes) {
        ctx.warn(
          `the PUB gave the subscriber that did not read ${fmt(slowBytes)}, more than the ${fmt(bound.bytes)} the buffers between them hold: it queued without bound`,
        );
      }
      // Its pipe is still there: a new message reaches both.
      const last = n + 1;
      await pub.send(numberedBody(last), { timeoutMs: FLOW_T.send });
      const both = await slow.until(() => slow.seqs.includes(last), FLOW_T.recv);
      if (!both)
        ctx.fail("a message published after the stalled subscriber read again did not reach it");
      if (!(await fast.until(() => fast.seqs.includes(last), FLOW_T.recv))) {
        ctx.fail("the last message did not reach the reading subscriber");
      }
    } finally {
      slow.close();
      fast.close();
    }
  },
};

export const pubsubFlowCases: readonly ConformanceCase[] = [
  subNoRead,
  subFilterFirst,
  pubSlowSubscriber,
];
