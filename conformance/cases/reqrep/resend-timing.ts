/**
 * REQ resend timing: the interval stays put and only the reply ends it (SP-REQREP-8).
 *
 * SP-REQREP-8 asks for a resend "each time the resend interval passes without
 * a matching reply": the interval is the same for every resend (no back-off),
 * and a reply that does not match (dropped, SP-REQREP-6) does not count as an
 * answer, so it must not postpone the next resend either.
 *
 * Timing on a loaded machine: the suite sees copies later than the IUT sent
 * them, never earlier, and each lag of the IUT shifts all later copies. So the
 * cases bound the arrival of the k-th resend from above with a wide slack
 * (k intervals plus a fixed allowance) instead of checking single gaps; the
 * faults these cases target push that arrival several intervals further out.
 * Early resends are reqrep/req-resend-after-timer's business.
 */
import { concat, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "./common.ts";

/** Resend interval of these cases (ms). */
const RESEND = 200;
/** Resends observed after the first copy. */
const RESENDS = 4;
/**
 * Allowance (ms) for the suite's and the IUT's scheduling lag on top of
 * `RESENDS * RESEND`: the 4th resend is due 800 ms after the first copy and
 * must be seen within 1600 ms. An interval that doubles puts it at 3000 ms.
 */
const LAG = RESENDS * RESEND;

/**
 * Reads copies of the request `first` until `count` more arrived, each one
 * byte for byte the same (same id, same body), and returns their arrival
 * times (ms after `t0`). Fails once `deadline` ms after `t0` pass first.
 */
async function readCopies(
  ctx: CaseContext,
  peer: WirePeer,
  first: Uint8Array,
  count: number,
  t0: number,
  deadline: number,
  why: string,
): Promise<number[]> {
  const at: number[] = [];
  while (at.length < count) {
    const left = t0 + deadline - performance.now();
    let payload: Uint8Array;
    try {
      if (left <= 0) throw new Error("deadline");
      payload = await peer.readFrame(left);
    } catch {
      const seen = at.map((t) => `${t.toFixed(0)}`).join(", ") || "none";
      ctx.fail(
        `only ${at.length} of ${count} resends arrived within ${deadline} ms of the first copy ${why} (seen at ${seen} ms)`,
      );
    }
    expectBytes(ctx, payload, first, `resend ${at.length + 1}`);
    at.push(performance.now() - t0);
  }
  return at;
}

/** The interval between resends stays the configured one; it does not grow. */
export const reqResendNoBackoff: ConformanceCase = {
  id: "reqrep/req-resend-interval-constant",
  title: "REQ keeps resending at the configured interval; the interval does not grow",
  requirements: ["SP-REQREP-8"],
  kind: "example",
  needs: { ...REQ_TCP, options: ["req:resend-time"] },
  covers: ["req:waiting:after:resendTime"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx, { "req:resend-time": RESEND });
    await req.send(utf8("anyone?"), { timeoutMs: T.prompt });
    const first = await readRequest(ctx, peer);
    const t0 = performance.now();
    const limit = RESENDS * RESEND + LAG;
    const at = await readCopies(
      ctx,
      peer,
      first.payload,
      RESENDS,
      t0,
      limit,
      `(resend time ${RESEND} ms: due at ${RESEND}, ${2 * RESEND}, ${3 * RESEND}, ${4 * RESEND} ms)`,
    );
    const gaps = at.map((t, i) => t - (i === 0 ? 0 : (at[i - 1] as number)));
    ctx.note(
      `resends seen ${at.map((t) => t.toFixed(0)).join(", ")} ms after the first copy (gaps ${gaps.map((g) => g.toFixed(0)).join(", ")} ms)`,
    );
    peer.sendFrame(concat(words(first.id), utf8("here")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("here"), "reply body");
  },
};

/** Replies that do not match the request are dropped and do not delay the next resend. */
export const reqResendDespiteStrayReplies: ConformanceCase = {
  id: "reqrep/req-resend-despite-stray-replies",
  title: "Stray replies (other request id) do not postpone REQ's resend",
  requirements: ["SP-REQREP-8", "SP-REQREP-6"],
  kind: "example",
  needs: { ...REQ_TCP, options: ["req:resend-time"] },
  covers: ["req:waiting:after:resendTime", "req:waiting:reply", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const resend = 300;
    const { req, peer } = await reqDialing(ctx, { "req:resend-time": resend });
    await req.send(utf8("are you there?"), { timeoutMs: T.prompt });
    const first = await readRequest(ctx, peer);
    const t0 = performance.now();
    // A stray reply every third of the interval: an IUT that restarted its
    // resend timer on each of them would resend only if two strays in a row
    // were delayed by more than a whole interval.
    const strayId = (first.id ^ 0x00000001) >>> 0;
    let strays = 0;
    const stray = () => {
      if (peer.closed) return;
      peer.sendFrame(concat(words(strayId), utf8(`stray ${++strays}`)));
    };
    stray();
    const timer = setInterval(stray, resend / 3);
    let at: number[];
    try {
      // Three resends are due at 300, 600 and 900 ms; allow 1100 ms of lag.
      at = await readCopies(
        ctx,
        peer,
        first.payload,
        3,
        t0,
        3 * resend + 1100,
        `while stray replies with id ${word32(strayId)} came every ${resend / 3} ms (resend time ${resend} ms)`,
      );
    } finally {
      clearInterval(timer);
    }
    ctx.note(
      `${strays} stray replies sent; resends seen ${at.map((t) => t.toFixed(0)).join(", ")} ms after the first copy`,
    );
    if (peer.closed) ctx.fail("the IUT REQ closed the connection that sent stray replies");
    // The strays were dropped: the matching reply is the one delivered.
    peer.sendFrame(concat(words(first.id), utf8("the real one")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("the real one"), "reply body");
  },
};

/** Cases of this file, in run order. */
export const reqResendTimingCases: readonly ConformanceCase[] = [
  reqResendNoBackoff,
  reqResendDespiteStrayReplies,
];
