/**
 * PAIR's `stalled` state: a peer is attached but cannot take another message
 * because it stopped reading. The case backs the IUT up by sending large
 * messages until a send times out, then parks sends and moves the peer
 * around: another peer knocks, the peer reads again, leaves, or the socket
 * closes.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { utf8 } from "../../harness/sp.ts";
import { StallPeer } from "../../harness/stall.ts";
import { expectErrorName } from "../common/error-name.ts";
import { Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const T = { prompt: 2000, drain: 8000, quiet: 250, probe: 300, confirm: 1500 } as const;
/** Size of the messages used to fill the connection. */
const CHUNK = 512 * 1024;
/** Upper bound on what one fill sends (bytes). */
const MAX_FILL = 64 * 1024 * 1024;

/**
 * Sends large messages until one times out (the peer is backed up); returns
 * whether it did. A short probe that times out is only a hint: on a loaded
 * machine the IUT may just be slow to move bytes into the kernel. The fill
 * counts as backed up only once a small send also waits for `T.confirm`.
 */
async function fill(ctx: CaseContext, sock: IutSocket): Promise<boolean> {
  const big = new Uint8Array(CHUNK).fill(0x5a);
  for (let sent = 0; sent < MAX_FILL; sent += CHUNK) {
    const r = await sock.trySend(big, { timeoutMs: T.probe });
    if (r.ok) continue;
    expectErrorName(ctx, r.code, "ETIMEDOUT", "a send to a slow peer");
    const check = await sock.trySend(utf8("probe"), { timeoutMs: T.confirm });
    if (check.ok) continue;
    expectErrorName(ctx, check.code, "ETIMEDOUT", "a send to a slow peer");
    ctx.note(`backed up after ${(sent / 1048576).toFixed(1)} MiB`);
    return true;
  }
  return false;
}

/** Waits until `peer` has received at least one byte, or `ms` pass. */
async function receivedWithin(peer: StallPeer, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; peer.received === 0 && Date.now() < end; ) await sleep(20);
  return peer.received > 0;
}

async function stillPending(ctx: CaseContext, op: Pending<unknown>, what: string) {
  if (await op.within(T.quiet)) {
    const o = op.outcome;
    ctx.fail(`${what} did not wait: it ${o?.ok ? "completed" : `failed with ${o?.code}`}`);
  }
}

async function completes(ctx: CaseContext, op: Pending<void>, what: string) {
  if (!(await op.within(T.drain))) ctx.fail(`${what} did not complete within ${T.drain} ms`);
  const o = op.outcome;
  if (o && !o.ok) ctx.fail(`${what} failed with ${o.code}`);
}

export const pairFlowControl: ConformanceCase = {
  id: "pair/pair-slow-peer",
  title:
    "PAIR sends wait while the peer cannot take them, in order, and survive peers coming and going",
  requirements: ["SP-PAIR-3", "SP-PAIR-5", "SP-PAIR-6", "SP-PAIR-7", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: { protocols: ["pair0"], transports: ["tcp"] },
  covers: [
    "pair-slot:empty:pipeAdded",
    "pair-slot:occupied:send",
    "pair-slot:stalled:after:sendTimeout",
    "pair-slot:stalled:always[!sendsParked]",
    "pair-slot:stalled:send",
    "pair-slot:stalled:pipeAdded",
    "pair-slot:stalled:writable",
    "pair-slot:stalled:pipeRemoved[isOccupant]",
    "pair-slot:waiting:pipeAdded",
    "pair-slot:stalled:close",
  ],
  timeoutMs: 45000,
  async run(ctx: CaseContext) {
    const sock = await ctx.iut.open("pair0");
    const url = await sock.listen(ctx.iutUrl("tcp"));
    const iutAt = ctx.iutEndpoint(url);
    const num = protocols.pair0.number;
    const slow = await StallPeer.connect(iutAt, num, "slow", ctx.transcript);
    await sleep(150);
    try {
      // Round 1: back up, park two sends, a second peer knocks, the peer reads again.
      slow.pause();
      if (!(await fill(ctx, sock))) {
        ctx.info(`the IUT took ${MAX_FILL / 1048576} MiB for a peer that reads nothing`);
        return;
      }
      const a = new Pending(sock.trySend(utf8("A"), { timeoutMs: 30000 }));
      const b = new Pending(sock.trySend(utf8("B"), { timeoutMs: 30000 }));
      await stillPending(ctx, a, "a send to a backed-up peer");
      await stillPending(ctx, b, "a second send to a backed-up peer");
      const knock = await ctx.connect(url, "knock");
      knock.sendHeader({ protocol: num });
      // SP-PAIR-3: the slot is taken; the newcomer is closed.
      if (!(await knock.waitClosed(T.prompt))) ctx.fail("the IUT accepted a second peer");
      slow.resume();
      await completes(ctx, a, "the first parked send");
      await completes(ctx, b, "the second parked send");

      // Round 2: back up again, park a send, the peer leaves; a new peer gets the send.
      slow.pause();
      if (!(await fill(ctx, sock))) ctx.fail("the peer did not back up a second time");
      const c = new Pending(sock.trySend(utf8("C"), { timeoutMs: 30000 }));
      await stillPending(ctx, c, "a send to a backed-up peer");
      slow.close();
      await sleep(150);
      let next = await StallPeer.connect(iutAt, num, "next", ctx.transcript);
      // The IUT may not have noticed the old peer leave yet and refuse the newcomer.
      for (let i = 2; i <= 5 && !(await c.within(200)) && next.closed; i++) {
        next = await StallPeer.connect(iutAt, num, `next#${i}`, ctx.transcript);
      }
      await completes(ctx, c, "the send parked when the old peer left");
      if (!(await receivedWithin(next, T.prompt)))
        ctx.fail("the parked send did not reach the new peer");

      // Round 3: back up the new peer, park a send, close the socket.
      next.pause();
      if (!(await fill(ctx, sock))) ctx.fail("the new peer did not back up");
      const d = new Pending(sock.trySend(utf8("D"), { timeoutMs: 30000 }));
      await stillPending(ctx, d, "a send to a backed-up peer");
      await sock.close();
      const r = await d.promise;
      if (r.ok) ctx.fail("a parked send completed after close");
      expectErrorName(ctx, r.code, "ECLOSED", "a parked send, on close,");
      next.close();
    } finally {
      slow.close();
    }
  },
};
