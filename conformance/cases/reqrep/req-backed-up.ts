/**
 * REQ whose only pipe is backed up: `reqrep/req-backed-up-pipe`.
 *
 * The IUT REQ listens; one raw REP peer connects and reads nothing after the
 * SP header. The application sends request A (65 KiB) with a 10 ms resend
 * time, so copies of A go out until the buffers between the two processes are
 * full (about 4 MiB on Linux loopback, some 65 copies) and the IUT holds the
 * rest of its backlog itself. A is a little over 64 KiB because stacks tend to
 * copy smaller messages into a batch and queue larger ones by reference (the
 * reference does), and where the IUT has the option `send-buffer-bytes` it is
 * set to 1 MiB: then whole copies queue in the IUT, still pointing at the
 * request's buffers when B is sent. (Without it, whether a whole copy queues
 * behind the one the kernel took part of depends on where the kernel's
 * buffer happens to end.) The application then sends B, which cancels A
 * and has to wait for the pipe. Then the peer reads everything and answers B.
 *
 * What must hold, whatever the IUT's buffering:
 * - every copy of A carries A's id, with the top bit set (SP-REQREP-8: a
 *   resend has the same id). A stack that queues copies by reference to one
 *   id buffer and rewrites it for B sends later copies of A under B's id;
 * - B goes out once the pipe drains (SP-REQREP-12: a waiting request is sent
 *   when a pipe becomes ready). A stack that wakes waiting requests only when
 *   a new pipe is added never sends B; a stack that throws when a resend finds
 *   no ready pipe dies;
 * - B has its own id, and nothing of A follows B (SP-REQREP-10: A is
 *   cancelled; copies already queued before B may still arrive before it);
 * - the answer to B reaches the application.
 * How many copies of A the IUT queued, skipped or held back the draft leaves
 * to the implementation (notes only).
 */

import { protocols } from "../../../spec/constants.ts";
import { FrameReader } from "../../harness/reader-peer.ts";
import { concat, firstWord, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import { trySetopt } from "../flow.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, expectTopBit, iutRecv, T } from "./common.ts";

/** Resend interval set on the IUT, ms. */
const RESEND_MS = 10;
/** Size of request A's body: just over 64 KiB, see above. */
const A_BYTES = 65 * 1024;
/** Backlog bound asked of the IUT's pipe, bytes (option `send-buffer-bytes`, where it has one). */
const QUEUE_BYTES = 1024 * 1024;
/** Time for copies of A to fill the buffers: about 65 copies are needed, 250 intervals pass. */
const FILL_MS = 2500;
/** Time B waits for the pipe before the peer reads, ms. */
const B_WAITS_MS = 200;
/** Bound for B to appear once the peer reads (more than 4 MiB of A are ahead of it), ms. */
const DRAIN_MS = 5000;

const A_BODY = (() => {
  const b = new Uint8Array(A_BYTES).fill(0x61);
  b.set(utf8("request A "), 0);
  return b;
})();
const B_BODY = utf8("request B");

/** Kinds of frame the peer reads, kept with the id as kind * 2^32 + id. */
const KIND_A = 1;
const KIND_B = 2;
const SHIFT = 2 ** 32;

/** Decodes a request frame: its id word and which body it carries. */
function decode(payload: Uint8Array): number | string {
  if (payload.length < 4) return `a ${payload.length}-byte frame, too short for a request id`;
  const id = firstWord(payload) as number;
  const body = payload.subarray(4);
  if (sameBytes(body, A_BODY)) return KIND_A * SHIFT + id;
  if (sameBytes(body, B_BODY)) return KIND_B * SHIFT + id;
  return `a frame whose body is neither request: ${hex(payload.subarray(0, 24))}…`;
}

const kindOf = (v: number) => Math.floor(v / SHIFT);
const idOf = (v: number) => v % SHIFT;

const reqBackedUpPipe: ConformanceCase = {
  id: "reqrep/req-backed-up-pipe",
  title:
    "REQ whose pipe is backed up keeps each request's id on every copy, and sends a waiting request once the pipe drains",
  requirements: ["SP-REQREP-8", "SP-REQREP-12", "SP-REQREP-10", "SP-REQREP-5"],
  kind: "example",
  needs: { protocols: ["req0"], transports: ["tcp"], options: ["req:resend-time"] },
  covers: ["req:waiting:after:resendTime", "req:waiting:send", "req:pending:pipeAdded"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    await req.setopt("req:resend-time", RESEND_MS);
    // Where the IUT bounds a pipe's backlog in bytes, a wide bound lets whole copies queue.
    const wide = await trySetopt(req, "send-buffer-bytes", QUEUE_BYTES);
    ctx.note(
      wide
        ? `send-buffer-bytes set to ${QUEUE_BYTES >> 10} KiB`
        : "no send-buffer-bytes option: the IUT's own queue bound applies",
    );
    const url = await req.listen(ctx.iutUrl("tcp"));
    const peer = await FrameReader.connect(
      ctx.iutEndpoint(url),
      protocols.rep0.number,
      "rep",
      ctx.transcript,
      decode,
      { paused: true },
    );
    try {
      const a = await req.trySend(A_BODY, { timeoutMs: T.prompt });
      if (!a.ok) ctx.fail(`request A could not be sent: ${a.code}`);
      await sleep(FILL_MS);
      // B may wait for the pipe (nng's send does), so it is not awaited yet.
      const b = req.trySend(B_BODY, { timeoutMs: FILL_MS + DRAIN_MS });
      await sleep(B_WAITS_MS);
      peer.resume();
      const sawB = await peer.until(
        () => peer.bad !== undefined || peer.closed || peer.seqs.some((v) => kindOf(v) === KIND_B),
        DRAIN_MS,
      );
      if (peer.bad) ctx.fail(`the peer read ${peer.bad}`);
      const copiesOfA = peer.seqs.filter((v) => kindOf(v) === KIND_A).length;
      if (!sawB) {
        ctx.fail(
          peer.closed
            ? `the IUT closed the connection after ${copiesOfA} copies of A, before B went out`
            : `request B did not go out within ${DRAIN_MS} ms of the peer reading (it read ${copiesOfA} copies of A): a request waiting for a backed-up pipe must be sent once it drains (SP-REQREP-12)`,
        );
      }
      const first = peer.seqs[0] as number;
      if (kindOf(first) !== KIND_A) ctx.fail("the first frame the peer read is not request A");
      const idA = idOf(first);
      expectTopBit(ctx, idA);
      const firstB = peer.seqs.findIndex((v) => kindOf(v) === KIND_B);
      const idB = idOf(peer.seqs[firstB] as number);
      for (let i = 1; i < firstB; i++) {
        const id = idOf(peer.seqs[i] as number);
        if (id !== idA) {
          ctx.fail(
            `copy ${i + 1} of request A carries id 0x${id.toString(16)}, the first carried 0x${idA.toString(16)}${id === idB ? " (the id of request B, sent later)" : ""}: every copy of a request has its id (SP-REQREP-8)`,
          );
        }
      }
      if (idB === idA) ctx.fail(`request B carries request A's id 0x${idA.toString(16)}`);
      expectTopBit(ctx, idB);
      ctx.note(
        `the peer read ${copiesOfA} copies of A (${(copiesOfA * A_BYTES) >> 10} KiB) before B`,
      );
      peer.sendFrame(concat(words(idB), utf8("reply B")));
      const sent = await b;
      if (!sent.ok) ctx.fail(`the send of request B failed with ${sent.code}`);
      expectBytes(ctx, await iutRecv(ctx, req, "the reply to B"), utf8("reply B"), "reply body");
      // Copies of B sent before the reply arrived may follow; nothing of A may.
      await peer.settle(T.quiet, DRAIN_MS);
      const after = peer.seqs.slice(firstB);
      const lateA = after.findIndex((v) => kindOf(v) === KIND_A);
      if (lateA >= 0) {
        ctx.fail(
          `a copy of request A arrived after request B (frame ${firstB + lateA + 1}): B cancelled A, which must not be sent again (SP-REQREP-10)`,
        );
      }
      const strayB = after.find((v) => idOf(v) !== idB);
      if (strayB !== undefined) {
        ctx.fail(`a copy of request B carries id 0x${idOf(strayB).toString(16)}, not B's`);
      }
    } finally {
      peer.close();
    }
  },
};

/** Cases of this file, in run order. */
export const reqBackedUpCases: readonly ConformanceCase[] = [reqBackedUpPipe];
