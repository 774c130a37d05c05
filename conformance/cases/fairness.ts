/**
 * Fair queueing on the receive side of REP (SP-REQREP-21) and RESPONDENT
 * (SP-SURVEY-18): while one peer keeps a large backlog of requests or
 * surveys, a single message from another peer must still be handed to the
 * application before that backlog is worked off.
 *
 * What counts as starvation, stated so that buffering stacks pass: the busy
 * peer queues `FLOOD` messages first, then the quiet peer sends one. A
 * fair-queueing IUT hands out the quiet one within a few receives; one with
 * a bounded FIFO buffer, after at most that buffer's depth. An IUT that
 * serves everything in arrival order from an unbounded queue needs all
 * `FLOOD` receives, and one that drops the quiet message when its buffer is
 * full never delivers it: both fail. `LIMIT` receives are allowed, well
 * under `FLOOD` and above any buffer depth in use (nng, nanomsg: 128 or less).
 */
import type { IutSocket } from "../adapters/iut.ts";
import { concat, frame, utf8, words } from "../harness/sp.ts";
import type { WirePeer } from "../harness/wire.ts";
import type { CaseContext } from "./types.ts";

const FLOOD = 2000;
const LIMIT = 300;

export interface FairnessSetup {
  /** The IUT socket, listening, and the URL of its listener. */
  sock: IutSocket;
  url: string;
  /** Connects one raw peer of the right protocol to the IUT (handshake done). */
  peer(label: string): Promise<WirePeer>;
  /** What a message is called in failure text ("survey", "request"). */
  noun: string;
}

/** Runs the fairness check; fails the case when the quiet peer is starved. */
export async function checkFairQueue(ctx: CaseContext, s: FairnessSetup): Promise<void> {
  const busy = await s.peer("busy");
  const quiet = await s.peer("quiet");
  const id = (n: number) => (0x80000000 | n) >>> 0;
  // One write for the whole backlog keeps the transcript short.
  const backlog: Uint8Array[] = [];
  for (let i = 0; i < FLOOD; i++) backlog.push(frame(concat(words(id(i + 1)), utf8(`busy ${i}`))));
  busy.write(concat(...backlog));
  ctx.note(`the busy peer queued ${FLOOD} ${s.noun}s`);
  await new Promise((r) => setTimeout(r, 300));
  quiet.sendFrame(concat(words(id(0x7fff_fff0)), utf8("quiet")));
  await new Promise((r) => setTimeout(r, 100));

  const decoder = new TextDecoder();
  for (let n = 1; n <= LIMIT; n++) {
    const r = await s.sock.tryRecv({ timeoutMs: 2000 });
    if (!r.ok) {
      ctx.fail(
        `receive ${n} failed with ${r.code} before the quiet peer's ${s.noun} was delivered (it was dropped or lost)`,
      );
    }
    if (decoder.decode(r.value) === "quiet") {
      ctx.note(`the quiet peer's ${s.noun} came with receive ${n}`);
      return;
    }
  }
  ctx.fail(
    `the quiet peer's ${s.noun} was not delivered within ${LIMIT} receives while the busy peer had ${FLOOD} queued: served in arrival order, not fair-queued`,
  );
}
