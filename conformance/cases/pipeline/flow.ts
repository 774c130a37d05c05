/**
 * Flow control of PUSH and PULL (SP-PIPELINE-20, -21, -10, -16; framework
 * "Flow Control"): a PULL whose application does not read stops reading and
 * resumes without loss; a PUSH passes a worker that stopped reading and
 * gives the others its messages; a PULL keeps serving a quiet pipe while a
 * busy one is paused; a paused pipe that dies costs the others nothing.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { FloodPeer } from "../../harness/flood.ts";
import { fmt, receiverBound, senderBound, tcpLimits } from "../../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../../harness/numbered.ts";
import { FrameReader } from "../../harness/reader-peer.ts";
import { SpListener } from "../../harness/sp-listener.ts";
import { expectErrorName } from "../common/error-name.ts";
import { sleep } from "../common/paths-runtime.ts";
import {
  FLOW_T,
  messageAllowance,
  type NoReadSpec,
  noReadCase,
  noReadDefaults,
  openAny,
} from "../flow.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { PIPELINE_PROTO, T } from "./common.ts";

const MiB = 1024 * 1024;
/** Bytes of one numbered frame on the wire. */
const FRAME = 8 + FLOOD_BODY;
/** Numbers of a second sender's messages start here, so the two streams never mix. */
const OTHER = 1_000_000;

const pullNoReadSpec: NoReadSpec = {
  id: "pipeline/pull-noread-bounded",
  title: "PULL whose application does not read stops reading the pipe, then resumes losing nothing",
  requirements: [
    "SP-PIPELINE-21",
    "SP-FRAMEWORK-21",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-FRAMEWORK-28",
  ],
  covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
  protocol: "pull0",
  peer: PIPELINE_PROTO.push0,
  must: true,
};

export const pullNoRead: ConformanceCase = noReadCase(pullNoReadSpec);

/** The same with the IUT's default bounds: only a byte bound stops the reading early. */
export const pullNoReadDefaults: ConformanceCase = noReadCase(noReadDefaults(pullNoReadSpec));

/**
 * The PULL dials a fresh raw listener (see SpListener for why it dials); the
 * connection becomes a pusher whose message `s` carries number `base + s`.
 * The listener closes once it accepted, so a redial after a reset is refused.
 */
async function dialedPusher(
  ctx: CaseContext,
  pull: IutSocket,
  label: string,
  base: number,
): Promise<FloodPeer> {
  const listener = await SpListener.listen(ctx.hosts.suite, label, ctx.transcript);
  try {
    await pull.dial(listener.url);
    return await FloodPeer.accept(listener, PIPELINE_PROTO.push0, label, ctx.transcript, (s) =>
      numberedBody(base + s),
    );
  } finally {
    listener.close();
  }
}

/** Fails unless `seqs` is strictly increasing; `who` names the peer. */
function increasing(ctx: CaseContext, seqs: readonly number[], who: string): void {
  for (let i = 1; i < seqs.length; i++) {
    const a = seqs[i - 1] as number;
    const b = seqs[i] as number;
    if (b <= a) ctx.fail(`${who} received #${b} after #${a}: duplicated or reordered`);
  }
}

/**
 * A PUSH with one reading and one non-reading PULL peer: every send completes
 * (the PUSH passes the stalled pipe, SP-PIPELINE-4/-20), the stalled peer is
 * given at most what the buffers between them hold, and the reading one gets
 * every other message, in order.
 */
export const pushSlowWorker: ConformanceCase = {
  id: "pipeline/push-flow-slow-worker",
  title:
    "PUSH stops giving a worker that does not read more than the buffers hold; the other gets the rest",
  requirements: [
    "SP-PIPELINE-20",
    "SP-PIPELINE-4",
    "SP-FRAMEWORK-27",
    "SP-PIPELINE-3",
    "SP-PIPELINE-6",
  ],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"] },
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const push = await openAny(ctx, "push0");
    const allowance = await messageAllowance(push, "send-buffer", FRAME);
    const url = await push.listen(ctx.iutUrl("tcp"));
    const decode = (p: Uint8Array) => bodySeq(p);
    const iutAt = ctx.iutEndpoint(url);
    const slow = await FrameReader.connect(
      iutAt,
      PIPELINE_PROTO.pull0,
      "slow",
      ctx.transcript,
      decode,
      {
        paused: true,
      },
    );
    const fast = await FrameReader.connect(
      iutAt,
      PIPELINE_PROTO.pull0,
      "fast",
      ctx.transcript,
      decode,
    );
    try {
      await sleep(T.settle);
      const bound = senderBound(tcpLimits(), allowance, slow.nodeBuffered);
      // Three times the bound: a PUSH that queued for the stalled pipe without bound would
      // give it every other message, half of them, which must be well over the bound.
      const n = Math.ceil((3 * bound.bytes) / FRAME);
      ctx.note(
        `${bound.derivation}; the IUT sends ${n} messages of ${fmt(FLOOD_BODY)} (three times the bound)`,
      );
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const r = await push.trySend(numberedBody(i), { timeoutMs: FLOW_T.send });
        if (!r.ok) {
          ctx.fail(
            `send #${i} failed with ${r.code} (the reading peer had ${fast.seqs.length} messages): the PUSH waited for the peer that does not read instead of passing it`,
          );
        }
      }
      ctx.note(`${n} sends took ${(performance.now() - started).toFixed(0)} ms`);
      await fast.settle(T.quiet, 5000);
      const beforeResume = fast.seqs.length;
      slow.resume();
      await slow.until(() => slow.seqs.length + fast.seqs.length >= n, 5000);
      await slow.settle(T.quiet, 3000);
      if (fast.bad ?? slow.bad) ctx.fail(`a damaged message arrived: ${fast.bad ?? slow.bad}`);
      increasing(ctx, fast.seqs, "the reading peer");
      increasing(ctx, slow.seqs, "the peer that did not read");
      const seen = new Uint8Array(n);
      for (const s of [...fast.seqs, ...slow.seqs]) {
        if (s >= n) ctx.fail(`#${s} arrived, only ${n} were sent`);
        if (seen[s]) ctx.fail(`#${s} arrived at both peers`);
        seen[s] = 1;
      }
      const lost = seen.indexOf(0);
      if (lost >= 0) {
        ctx.fail(
          `#${lost} never arrived (${fast.seqs.length} at the reading peer, ${slow.seqs.length} at the other, of ${n})`,
        );
      }
      const slowBytes = slow.seqs.length * FRAME;
      ctx.note(
        `the reading peer got ${fast.seqs.length} (${beforeResume} before the other read), the peer that did not read ${slow.seqs.length} (${fmt(slowBytes)})`,
      );
      if (slowBytes > bound.bytes) {
        ctx.fail(
          `the peer that did not read was given ${slow.seqs.length} messages (${fmt(slowBytes)}), more than the ${fmt(bound.bytes)} the buffers between them hold: the PUSH queued for a pipe that was not ready`,
        );
      }
      if (slow.seqs.length === 0)
        ctx.note("the IUT gave the peer that did not read nothing at all");
    } finally {
      slow.close();
      fast.close();
    }
  },
};

/**
 * A PULL whose application does not read, pipe A flooded until paused; then
 * pipe B sends one message. B's message must come before A's flood is
 * exhausted (SP-PIPELINE-10) and, for a pass, within the first 1 + pipes
 * receives (fair queueing, SP-PIPELINE-16; bounds per pipe, SP-FRAMEWORK-24).
 */
export const pullFairWhilePaused: ConformanceCase = {
  id: "pipeline/pull-flow-fair",
  title: "PULL serves a quiet pipe while a flooded pipe is paused",
  requirements: ["SP-PIPELINE-10", "SP-PIPELINE-16", "SP-FRAMEWORK-24", "SP-FRAMEWORK-23"],
  kind: "example",
  needs: { protocols: ["pull0"], transports: ["tcp"] },
  covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const pull = await openAny(ctx, "pull0");
    const allowance = await messageAllowance(pull, "recv-buffer", FRAME);
    const bound = receiverBound(tcpLimits(), allowance);
    ctx.note(bound.derivation);
    const a = await dialedPusher(ctx, pull, "busy", 0);
    const b = await dialedPusher(ctx, pull, "quiet", OTHER);
    try {
      const r = await a.flood({
        limit: bound.bytes + 4 * MiB,
        stallMs: FLOW_T.stall,
        maxMs: FLOW_T.flood,
      });
      if (!r.stalled) {
        ctx.fail(
          `the busy peer never stalled: ${fmt(r.accepted)} accepted (bound ${fmt(bound.bytes)})`,
        );
      }
      b.writeNext();
      await sleep(T.settle);
      const total = a.frames + 1;
      let nextA = 0;
      let at = -1;
      for (let i = 0; i < total; i++) {
        const m = await pull.tryRecv({ timeoutMs: FLOW_T.recv });
        if (!m.ok) {
          ctx.fail(
            `receive ${i + 1} of ${total} failed with ${m.code} (${nextA} of the busy peer's ${a.frames}, quiet one ${at >= 0 ? "received" : "not yet"})`,
          );
        }
        const seq = bodySeq(m.value);
        if (typeof seq !== "number") ctx.fail(`a damaged message arrived: ${seq}`);
        if (seq === OTHER) {
          if (at >= 0) ctx.fail("the quiet peer's message arrived twice");
          at = i + 1;
          continue;
        }
        if (seq !== nextA) ctx.fail(`the busy peer's #${nextA} was expected, #${seq} arrived`);
        nextA++;
      }
      if (at < 0) ctx.fail("the quiet peer's message never arrived");
      ctx.note(`the quiet peer's message was receive ${at} of ${total}`);
      if (at === total) {
        ctx.fail(
          `the quiet peer's message came only after all ${a.frames} of the busy peer's: the PULL ignored a pipe with a message while it delivered another's`,
        );
      }
      if (at > 3) {
        ctx.warn(
          `the quiet peer's message came only at receive ${at} of ${total}: not fair queueing (expected within 3: one per pipe, plus one)`,
        );
      }
    } finally {
      a.close();
      b.close();
    }
  },
};

/**
 * A PULL, pipe A flooded until paused, then reset (its unread data dies with
 * it); pipe B's messages before and after the reset must all arrive in order,
 * and what arrives of A must be its first messages, in order (SP-FRAMEWORK-16,
 * -23). Then a third pipe is flooded until paused and the socket is closed:
 * its connection must close.
 */
export const pullPausedPipeDies: ConformanceCase = {
  id: "pipeline/pull-flow-paused-reset",
  title: "PULL: a paused pipe that is reset costs the other pipes nothing",
  requirements: [
    "SP-FRAMEWORK-16",
    "SP-FRAMEWORK-23",
    "SP-PIPELINE-21",
    "SP-PIPELINE-10",
    "SP-FRAMEWORK-20",
  ],
  kind: "example",
  needs: { protocols: ["pull0"], transports: ["tcp"] },
  covers: [
    "recv-flow:reading:full",
    "recv-flow:paused:room",
    "recv-flow:reading:detach",
    "recv-flow:paused:detach",
  ],
  timeoutMs: 25000,
  async run(ctx: CaseContext) {
    const pull = await openAny(ctx, "pull0");
    const allowance = await messageAllowance(pull, "recv-buffer", FRAME);
    const bound = receiverBound(tcpLimits(), allowance);
    ctx.note(bound.derivation);
    const a = await dialedPusher(ctx, pull, "doomed", 0);
    const b = await dialedPusher(ctx, pull, "other", OTHER);
    let c: FloodPeer | undefined;
    try {
      const r = await a.flood({
        limit: bound.bytes + 4 * MiB,
        stallMs: FLOW_T.stall,
        maxMs: FLOW_T.flood,
      });
      if (!r.stalled) ctx.fail(`the flooded peer never stalled: ${fmt(r.accepted)} accepted`);
      for (let i = 0; i < 5; i++) b.writeNext();
      await sleep(T.settle);
      a.reset();
      await sleep(T.settle);
      for (let i = 0; i < 5; i++) b.writeNext();
      // Receive until B's ten arrived and nothing more comes.
      let nextA = 0;
      let nextB = 0;
      for (let i = 0; i <= a.frames + 10; i++) {
        const m = await pull.tryRecv({ timeoutMs: nextB < 10 ? FLOW_T.recv : FLOW_T.quiet * 2 });
        if (!m.ok) {
          if (nextB === 10) {
            expectErrorName(ctx, m.code, "ETIMEDOUT", "the recv after the last message");
            break;
          }
          ctx.fail(
            `recv failed with ${m.code} after ${nextB} of the other peer's 10 messages (and ${nextA} of the reset peer's): ${nextB < 10 ? "the reset of one pipe cost the other its messages" : ""}`,
          );
        }
        const seq = bodySeq(m.value);
        if (typeof seq !== "number") ctx.fail(`a damaged message arrived: ${seq}`);
        if (seq >= OTHER) {
          if (seq !== OTHER + nextB)
            ctx.fail(`the other peer's #${nextB} was expected, #${seq - OTHER} arrived`);
          nextB++;
        } else {
          if (seq !== nextA) {
            ctx.fail(
              `the reset peer's #${nextA} was expected, #${seq} arrived: what a dead pipe leaves must be its first messages, in order`,
            );
          }
          nextA++;
        }
      }
      if (nextB < 10) ctx.fail(`only ${nextB} of the other peer's 10 messages arrived`);
      ctx.note(
        `of the reset peer's ${a.frames} messages (${fmt(r.accepted)} accepted by the kernel before the reset), ${nextA} were delivered, in order`,
      );
      // The socket still works: a new pipe is read, flooded until paused, and the close ends it.
      c = await dialedPusher(ctx, pull, "late", 2 * OTHER);
      const rc = await c.flood({
        limit: bound.bytes + 4 * MiB,
        stallMs: FLOW_T.stall,
        maxMs: FLOW_T.flood,
      });
      if (!rc.stalled) ctx.fail(`the new peer never stalled: ${fmt(rc.accepted)} accepted`);
      const first = await pull.tryRecv({ timeoutMs: FLOW_T.recv });
      if (!first.ok) ctx.fail(`a new peer's first message did not arrive: ${first.code}`);
      const s0 = bodySeq(first.value);
      if (s0 !== 2 * OTHER) ctx.fail(`the new peer's #0 was expected, ${String(s0)} arrived`);
      await sleep(T.settle);
      await pull.close();
      const late = c;
      const end = performance.now() + T.prompt;
      while (!late.closed && performance.now() < end) await sleep(20);
      if (!late.closed) ctx.fail("closing the socket left the connection of its paused pipe open");
    } finally {
      a.close();
      b.close();
      c?.close();
    }
  },
};

export const pipelineFlowCases: readonly ConformanceCase[] = [
  pullNoRead,
  pullNoReadDefaults,
  pushSlowWorker,
  pullFairWhilePaused,
  pullPausedPipeDies,
];
