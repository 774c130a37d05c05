/**
 * PUSH sends that wait for a pipe (draft-sp-pipeline §Blocking): a backlog
 * larger than one pipe can take at once, a send with no timeout, a send with
 * a zero timeout, and several waiting sends whose timeouts expire one by one.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, PUSH_TCP, rawPeer, T } from "./common.ts";

/** Backlog of the drain case: more bytes than a pipe's write buffer holds at once. */
const BACKLOG = 16;
const BIG = 1024 * 1024;

/**
 * SP-PIPELINE-5/-6: many sends wait with no peer; when one peer comes, every
 * one of them reaches it, even though the pipe cannot take them all at once
 * (it applies backpressure part way and the rest go out as it drains).
 */
export const pushBacklogDrains: ConformanceCase = {
  id: "pipeline/push-backlog-drains-to-late-peer",
  title: "PUSH sends that waited with no peer all reach a late PULL, beyond one write buffer",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-6", "SP-PIPELINE-3"],
  kind: "example",
  needs: PUSH_TCP,
  covers: ["push:idle:block", "push:blocked:ready"],
  timeoutMs: 40000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    // Each body is filled with its own byte (1..BACKLOG), so a frame tells which send it is.
    const sends: Pending<void>[] = [];
    for (let i = 0; i < BACKLOG; i++) {
      sends.push(new Pending(push.trySend(new Uint8Array(BIG).fill(i + 1), { timeoutMs: 30000 })));
    }
    await sleep(300);
    const early = sends.filter((s) => s.settled).length;
    if (early > 0) ctx.note(`${early} send(s) completed with no peer (the IUT buffers them)`);
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, "pull");
    const seen = new Map<number, number>();
    for (let n = 0; n < BACKLOG; n++) {
      const f = await peer.readFrame(15000, BIG + 16);
      const tag = f[0] ?? 0;
      if (f.length !== BIG || tag < 1 || tag > BACKLOG || !f.every((b) => b === tag)) {
        ctx.fail(`frame ${n + 1} is not one of the sent bodies (${f.length} bytes, ${hex(f, 8)})`);
      }
      seen.set(tag, (seen.get(tag) ?? 0) + 1);
    }
    // SP-PIPELINE-3: each message exactly once.
    for (let i = 1; i <= BACKLOG; i++) {
      if (seen.get(i) !== 1) ctx.fail(`body ${i} arrived ${seen.get(i) ?? 0} times, expected once`);
    }
    for (const [i, s] of sends.entries()) {
      const r = await s.promise;
      if (!r.ok) ctx.fail(`send ${i + 1} failed with ${r.code} although its message was delivered`);
    }
    await peer.expectNothing(T.quiet, "every waiting message goes out exactly once");
  },
};

/** SP-PIPELINE-5: without a send timeout, a send waits as long as it takes. */
export const pushNoTimeoutWaits: ConformanceCase = {
  id: "pipeline/push-without-timeout-waits",
  title: "PUSH send with no timeout and no peer keeps waiting, then goes to the first PULL",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-6"],
  kind: "example",
  needs: PUSH_TCP,
  covers: ["push:idle:block", "push:blocked:ready"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    // No timeoutMs: the socket's send-timeout applies, which defaults to "wait forever".
    const s = new Pending(push.trySend(utf8("patient")));
    if (await s.within(800)) {
      const r = s.outcome;
      if (r && !r.ok)
        ctx.fail(`send with no timeout failed with ${r.code} while no peer was there`);
      ctx.fail(
        "PUSH completed a send with no peer connected: it queued the message in the socket, where SP-PIPELINE-5 says the send must wait for a ready pipe",
      );
    }
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, "pull");
    const f = await peer.readFrame(T.prompt);
    if (!sameBytes(f, utf8("patient"))) ctx.fail(`the PULL peer got ${hex(f)}, expected "patient"`);
    if (!(await s.within(T.prompt))) ctx.fail("the send still waits after its message went out");
    const r = s.outcome;
    if (r && !r.ok) ctx.fail(`the send failed with ${r.code} after its message went out`);
  },
};

/** SP-PIPELINE-5: a zero send timeout expires at once when no pipe is ready. */
export const pushZeroTimeout: ConformanceCase = {
  id: "pipeline/push-zero-timeout-fails-at-once",
  title: "PUSH send with a zero timeout and no peer fails at once and sends nothing later",
  requirements: ["SP-PIPELINE-5", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PUSH_TCP,
  covers: ["push:idle:block", "push:blocked:after:sendTimeout"],
  timeoutMs: 15000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    const s = new Pending(push.trySend(utf8("now or never"), { timeoutMs: 0 }));
    if (!(await s.within(2000))) ctx.fail("a send with timeout 0 still waits after 2 s");
    const r = s.outcome;
    if (r?.ok) {
      ctx.fail(
        "PUSH completed a send with no peer connected: it queued the message in the socket, where SP-PIPELINE-5 says the send must wait for a ready pipe",
      );
    }
    // A zero timeout is a timeout that has already expired, not a non-blocking send.
    if (r && !r.ok) expectErrorName(ctx, r.code, "ETIMEDOUT", "a send with timeout 0");
    // The failed message is gone: a peer that comes now gets nothing.
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, "pull");
    await peer.expectNothing(T.quiet * 2, "the send failed, so its message must not go out");
  },
};

/** Timeouts of the three staggered sends (ms). */
const FIRST = 300;
const SECOND = 1200;
const THIRD = 15000;
/** The second send must have failed by this long after it started (well before THIRD). */
const SECOND_LATEST = 6000;

/**
 * SP-PIPELINE-5: three waiting sends with timeouts in increasing order fail
 * one after another, each at its own timeout; the last one still goes out.
 */
export const pushStaggeredTimeouts: ConformanceCase = {
  id: "pipeline/push-staggered-timeouts",
  title: "PUSH with no peer: three waiting sends time out one by one, each at its own timeout",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-6", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PUSH_TCP,
  covers: [
    "push:idle:block",
    "push:blocked:after:sendTimeout",
    "push:idle:always[sendsWaiting]",
    "push:blocked:ready",
  ],
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    const started = performance.now();
    const a = new Pending(push.trySend(utf8("A"), { timeoutMs: FIRST }));
    const b = new Pending(push.trySend(utf8("B"), { timeoutMs: SECOND }));
    const c = new Pending(push.trySend(utf8("C"), { timeoutMs: THIRD }));
    await a.within(SECOND_LATEST);
    if (a.outcome?.ok) {
      ctx.fail(
        "PUSH completed a send with no peer connected: it queued the message in the socket, where SP-PIPELINE-5 says the send must wait for a ready pipe",
      );
    }
    if (!a.settled) ctx.fail(`send A (timeout ${FIRST} ms) still waits after ${SECOND_LATEST} ms`);
    const ra = a.outcome;
    if (ra && !ra.ok) expectErrorName(ctx, ra.code, "ETIMEDOUT", "send A");
    // After the first expiry the next deadline is B's, not C's.
    await b.within(Math.max(0, started + SECOND_LATEST - performance.now()));
    const tookB = performance.now() - started;
    if (!b.settled) {
      ctx.fail(
        `send B (timeout ${SECOND} ms) still waits ${Math.round(tookB)} ms after it started, after A failed`,
      );
    }
    const rb = b.outcome;
    if (rb?.ok) ctx.fail("send B completed with no peer");
    if (rb && !rb.ok) expectErrorName(ctx, rb.code, "ETIMEDOUT", "send B");
    if (tookB < SECOND - 100) ctx.fail(`send B failed after ${Math.round(tookB)} ms, too early`);
    ctx.note(`send B failed after ${Math.round(tookB)} ms`);
    if (c.settled) {
      const rc = c.outcome;
      ctx.fail(
        `send C (timeout ${THIRD} ms) ${rc?.ok ? "completed" : `failed (${rc?.code})`} early`,
      );
    }
    // SP-PIPELINE-6: C still waits; the first peer gets it and only it.
    const pull = await rawPeer(ctx, url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, "pull");
    const got = await pull.readFrame(T.prompt);
    if (!sameBytes(got, utf8("C"))) ctx.fail(`the PULL peer got ${hex(got)}, expected C`);
    const rc = await c.promise;
    if (!rc.ok) ctx.fail(`send C failed with ${rc.code} after a peer came`);
    await pull.expectNothing(T.quiet, "A and B timed out, so nothing else may arrive");
  },
};

/** Cases about sends that wait for a pipe, in run order. */
export const pushWaitingCases: ConformanceCase[] = [
  pushBacklogDrains,
  pushNoTimeoutWaits,
  pushZeroTimeout,
  pushStaggeredTimeouts,
];
