/**
 * What a socket sends to a peer that stopped reading, where its protocol lets
 * it drop rather than wait (framework draft "Flow Control", SP-FRAMEWORK-27):
 * REP and RESPONDENT answers (SP-REQREP-18, SP-SURVEY-22: drop or wait) and
 * SURVEYOR surveys (SP-SURVEY-28: skip a pipe that cannot take the copy;
 * SP-SURVEY-7: never block). Either way the socket may hold only a bounded amount for that pipe:
 * once the peer reads again it must get no more than the buffers between the
 * two sockets held, never everything that was sent while it did not read.
 */
import type { IutSocket } from "../adapters/iut.ts";
import { fmt, senderBound, tcpLimits } from "../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../harness/numbered.ts";
import { FrameReader } from "../harness/reader-peer.ts";
import { concat, firstWord, utf8, word32, words } from "../harness/sp.ts";
import { expectErrorName } from "./common/error-name.ts";
import { FLOW_T, messageAllowance, openAny } from "./flow.ts";
import type { CaseContext, ConformanceCase } from "./types.ts";

/** Bytes of one numbered answer on the wire: frame length, the id word, the body. */
const FRAME = 8 + 4 + FLOOD_BODY;
/** Send timeout of each answer: a socket that waits shows it within this. */
const ANSWER_MS = 300;
/** Answers that timed out in a row after which the IUT has shown that it waits. */
const WAITS_SHOWN = 2;

/** A payload's id word must have its top bit set; the body carries the number. */
function decodeAnswer(p: Uint8Array, idMustMatch: boolean): number | string {
  const id = firstWord(p);
  if (id === undefined || (id & 0x80000000) === 0) {
    return `an answer whose first word ${id === undefined ? "is missing" : `${word32(id)} has no top bit`}`;
  }
  const seq = bodySeq(p.subarray(4));
  if (typeof seq === "number" && idMustMatch && (id & 0x7fffffff) !== seq) {
    return `answer #${seq} carries the id ${word32(id)} of another question`;
  }
  return seq;
}

/** Checks the answers a peer got once it read again: bounded, each once, in order. */
function checkArrived(
  ctx: CaseContext,
  peer: FrameReader,
  limit: number,
  what: string,
  whats: string,
) {
  if (peer.bad) ctx.fail(`a damaged ${what} arrived: ${peer.bad}`);
  const got = peer.seqs;
  for (let k = 1; k < got.length; k++) {
    if ((got[k] as number) <= (got[k - 1] as number)) {
      ctx.fail(`${what} #${got[k]} arrived after #${got[k - 1]}: duplicated or reordered`);
    }
  }
  if (got.length * FRAME > limit) {
    ctx.fail(
      `${got.length} ${whats} (${fmt(got.length * FRAME)}) reached a peer that read nothing while they were sent, over the ${fmt(limit)} bound: they were queued without limit`,
    );
  }
}

/** How an answering socket is driven: its protocol and the asking peer's. */
export interface AnswerSpec {
  id: string;
  title: string;
  requirements: string[];
  /** The IUT (`rep0`, `respondent0`). */
  protocol: string;
  /** Protocol number the raw asking peer announces. */
  asker: number;
  /** What one answer is called in messages (`reply`, `response`). */
  noun: string;
  /** And several (`replies`, `responses`). */
  nouns: string;
}

/**
 * Case: a raw REQ or SURVEYOR peer asks question after question and never reads
 * the answers; the IUT's application receives each question and answers it
 * with 64 KiB. Each answer either goes out (or is dropped) at once or waits
 * and times out (SP-REQREP-18 / SP-SURVEY-22 allow both); after two answers
 * waited in a row the case stops asking. Then the peer reads: it must get at
 * most what the buffers between the sockets hold, in order. A socket that
 * queued every answer for the stalled pipe fails.
 */
export function answersBoundedCase(spec: AnswerSpec): ConformanceCase {
  return {
    id: spec.id,
    title: spec.title,
    requirements: [...spec.requirements, "SP-FRAMEWORK-20"],
    kind: "example",
    needs: { protocols: [spec.protocol], transports: ["tcp"] },
    timeoutMs: 30000,
    async run(ctx: CaseContext) {
      const sock = await openAny(ctx, spec.protocol);
      const allowance = await messageAllowance(sock, "send-buffer", FRAME);
      const url = await sock.listen(ctx.iutUrl("tcp"));
      const peer = await FrameReader.connect(
        ctx.iutEndpoint(url),
        spec.asker,
        "asker",
        ctx.transcript,
        (p) => decodeAnswer(p, true),
        { paused: true },
      );
      try {
        const bound = senderBound(tcpLimits(), allowance, peer.nodeBuffered);
        ctx.note(bound.derivation);
        let answered = 0;
        let waited = 0;
        let inARow = 0;
        let n = 0;
        // Twice the bound: a socket that queued everything would hand all of it over.
        for (; answered * FRAME < 2 * bound.bytes && inARow < WAITS_SHOWN; n++) {
          peer.sendFrame(concat(words(0x80000000 | n), utf8(`q${n}`)));
          const q = await sock.tryRecv({ timeoutMs: FLOW_T.recv });
          if (!q.ok) ctx.fail(`question #${n} did not reach the application: ${q.code}`);
          const a = await sock.trySend(numberedBody(n), { timeoutMs: ANSWER_MS });
          if (a.ok) {
            answered++;
            inARow = 0;
          } else {
            // A send that waited and timed out; ESTATE would say it had no question to answer.
            expectErrorName(ctx, a.code, "ETIMEDOUT", `${spec.noun} #${n}`, {
              ESTATE: "ESTATE says the socket held no question to answer",
            });
            waited++;
            inARow++;
          }
        }
        ctx.note(
          `${n} questions: ${answered} ${spec.nouns} went out or were dropped at once, ${waited} waited and timed out`,
        );
        peer.resume();
        await peer.until(() => peer.seqs.length >= answered || peer.bad !== undefined, 5000);
        await peer.settle(FLOW_T.quiet, 3000);
        ctx.note(`the peer then received ${peer.seqs.length} ${spec.nouns}`);
        checkArrived(ctx, peer, bound.bytes, spec.noun, spec.nouns);
        if (peer.seqs.length === 0) ctx.fail(`no ${spec.noun} at all reached the peer`);
        // The pipe works again: a new question is answered.
        await answerOnce(ctx, sock, peer, n + 1000, spec.noun);
      } finally {
        peer.close();
      }
    },
  };
}

/** One more question and answer on a pipe whose peer reads again. */
async function answerOnce(
  ctx: CaseContext,
  sock: IutSocket,
  peer: FrameReader,
  seq: number,
  noun: string,
): Promise<void> {
  peer.sendFrame(concat(words(0x80000000 | seq), utf8("again")));
  const q = await sock.tryRecv({ timeoutMs: FLOW_T.recv });
  if (!q.ok) ctx.fail(`a question after the peer read again did not arrive: ${q.code}`);
  const a = await sock.trySend(numberedBody(seq), { timeoutMs: FLOW_T.send });
  if (!a.ok) ctx.fail(`the ${noun} after the peer read again failed with ${a.code}`);
  if (!(await peer.until(() => peer.seqs.includes(seq), FLOW_T.recv))) {
    ctx.fail(`the ${noun} sent after the peer read again did not arrive`);
  }
}

/**
 * Case: an IUT SURVEYOR with one raw RESPONDENT that never reads sends survey
 * after survey of 64 KiB. Every send must complete at once (SP-SURVEY-7); once
 * the respondent reads it must get at most what the buffers held, in order
 * (SP-FRAMEWORK-27), and a later survey reaches it.
 */
/** Time for the IUT to attach a pipe whose handshake just finished, ms. */
const ATTACH_MS = 300;

export const surveysBounded: ConformanceCase = {
  id: "survey/surveyor-flow-stalled-respondent",
  title:
    "SURVEYOR keeps surveying a respondent that does not read without waiting, and queues only a bounded amount for it",
  requirements: ["SP-SURVEY-7", "SP-FRAMEWORK-27"],
  kind: "example",
  needs: { protocols: ["surveyor0"], transports: ["tcp"] },
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const sock = await openAny(ctx, "surveyor0");
    const allowance = await messageAllowance(sock, "send-buffer", FRAME);
    const url = await sock.listen(ctx.iutUrl("tcp"));
    const peer = await FrameReader.connect(
      ctx.iutEndpoint(url),
      0x63,
      "respondent",
      ctx.transcript,
      (p) => decodeAnswer(p, false),
      { paused: true },
    );
    try {
      // Let the IUT attach the pipe first: a survey sent before that reaches nobody, and the
      // check below would pass on a peer that was never surveyed at all.
      await new Promise((r) => setTimeout(r, ATTACH_MS));
      const bound = senderBound(tcpLimits(), allowance, peer.nodeBuffered);
      ctx.note(bound.derivation);
      const started = performance.now();
      let n = 0;
      for (; n * FRAME < 2 * bound.bytes; n++) {
        const s = await sock.trySend(numberedBody(n), { timeoutMs: FLOW_T.send });
        if (!s.ok) ctx.fail(`survey #${n} failed with ${s.code}: a survey must not wait`);
      }
      ctx.note(
        `${n} surveys (${fmt(n * FRAME)}) sent in ${(performance.now() - started).toFixed(0)} ms`,
      );
      peer.resume();
      await peer.drain(FLOW_T.quiet, 6000);
      ctx.note(`the respondent then received ${peer.seqs.length} surveys`);
      checkArrived(ctx, peer, bound.bytes, "survey", "surveys");
      // The first surveys went out while the pipe was ready (SP-SURVEY-7).
      if (peer.seqs.length === 0) ctx.fail("no survey at all reached the respondent");
      const next = n + 1000;
      const s = await sock.trySend(numberedBody(next), { timeoutMs: FLOW_T.send });
      if (!s.ok) ctx.fail(`a survey after the respondent read again failed with ${s.code}`);
      if (!(await peer.until(() => peer.seqs.includes(next), FLOW_T.recv))) {
        ctx.fail("a survey sent after the respondent read again did not reach it");
      }
    } finally {
      peer.close();
    }
  },
};
