/**
 * The frame of a model case with several peers (`<family>/model-<role>-peers`):
 * fast-check command sequences (fc.commands) run by fc.asyncModelRun, each
 * sequence on a fresh IUT socket with fresh peers that are closed after it,
 * inside {@link checkProperty} (so `--seed` and `--replay` reproduce a run).
 * The case supplies the commands and how one sequence's world is set up and
 * finished; this module counts the commands run for the case's note.
 */
import fc from "fast-check";
import { IutError, type IutSocket } from "../../adapters/iut.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext } from "../types.ts";
import { checkProperty } from "./property.ts";

/** What every multi-peer model's commands act on. */
export interface PeersWorld {
  ctx: CaseContext;
  /** Commands run so far, over all sequences (for the case's note). */
  ran: { n: number };
  sock: IutSocket;
  wires: WirePeer[];
}

/**
 * Time for answers the IUT must drop (older or forged ids) to reach it before
 * the model sends the next request or survey, or the matching answer, ms.
 */
export const ARRIVE_MS = 100;

/** A finding of a model step, with the requirement it breaks (fast-check then shrinks the run). */
export function broke(requirement: string, what: string): never {
  throw new Error(`[${requirement}] ${what}`);
}

/** Indexes of the peers that are still there (the model's peers carry `alive`). */
export function aliveIndexes(peers: readonly { alive: boolean }[]): number[] {
  return peers.flatMap((p, i) => (p.alive ? [i] : []));
}

/** One sequence's world: a fresh IUT socket, its peers, the model's start, and a final check. */
export interface ModelSetup<M, R extends PeersWorld> {
  open(ctx: CaseContext, ran: { n: number }): Promise<{ model: M; real: R }>;
  /** Runs after the commands, before the peers close (e.g. "nothing else arrived"). */
  finish?(model: M, real: R): Promise<void>;
}

/**
 * Checks `runs` command sequences against the IUT and notes how many ran;
 * a failure fails the case with fast-check's shrunk sequence and the replay.
 */
export async function checkModelRuns<M extends object, R extends PeersWorld>(
  ctx: CaseContext,
  commands: fc.Arbitrary<Iterable<fc.AsyncCommand<M, R>>>,
  setup: ModelSetup<M, R>,
  limits: { runs: number; timeLimitMs: number },
): Promise<void> {
  let n = 0;
  const ran = { n: 0 };
  const property = fc.asyncProperty(commands, async (cmds) => {
    const { model, real } = await setup.open(ctx, ran);
    try {
      ctx.transcript.event("case", `run ${++n}`);
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      await setup.finish?.(model, real);
    } finally {
      // Close is cleanup here, not the subject. nng 1.5.2 can deadlock in nng_close
      // (nanomsg/nng#1543); its adapter then answers ETIMEDOUT, which is noted, not judged.
      await real.sock.close().catch((e: unknown) => {
        if (e instanceof IutError && e.code === "ETIMEDOUT") {
          ctx.note(`the IUT socket of sequence ${n} did not finish closing: ${e.message}`);
        }
      });
      for (const w of real.wires) w.close();
    }
  });
  const { numRuns, seed } = await checkProperty(ctx, property, {
    numRuns: limits.runs,
    timeLimitMs: limits.timeLimitMs,
  });
  ctx.note(`${numRuns} runs (seed ${seed}), ${ran.n} commands run`);
}

/** Time after which a peer that joined is surely attached at the IUT, ms. */
export const ATTACH_MS = 200;
/** How far the counts of attached peers may drift apart (strict round robin: 1). */
export const TURN_SLACK = 2;

/** What the round-robin check reads and keeps in a model. */
export interface TurnModel {
  peers: readonly { alive: boolean; label: string }[];
  /** Messages per peer since the pipes last changed. */
  turns: Map<number, number>;
  /** Peers that joined recently → when (they count once attached). */
  fresh: Map<number, number>;
}

/**
 * Counts one message handed to `peer` and checks that the peers take turns
 * (`requirement`, e.g. SP-REQREP-21, SP-PIPELINE-4). A peer that just joined
 * counts once it got something or {@link ATTACH_MS} passed (the IUT may
 * attach it a moment after the suite's handshake), and counting starts again
 * then. Strict round robin keeps the counts within one of each other;
 * {@link TURN_SLACK} allows one more for a message that may still go elsewhere
 * while the IUT attaches a peer.
 */
export function takeTurn(m: TurnModel, peer: number, requirement: string, noun: string): void {
  const now = performance.now();
  for (const [i, joined] of m.fresh) {
    if (i !== peer && now - joined < ATTACH_MS) continue;
    m.fresh.delete(i);
    m.turns.clear();
  }
  m.turns.set(peer, (m.turns.get(peer) ?? 0) + 1);
  const counted = aliveIndexes(m.peers).filter((i) => !m.fresh.has(i));
  if (counted.length < 2) return;
  const n = counted.map((i) => m.turns.get(i) ?? 0);
  const most = Math.max(...n);
  const least = Math.min(...n);
  if (most - least > TURN_SLACK) {
    const busy = m.peers[counted[n.indexOf(most)] as number]?.label;
    const idle = m.peers[counted[n.indexOf(least)] as number]?.label;
    broke(
      requirement,
      `${busy} got ${most} ${noun} in a row of turns in which ${idle}, attached, got ${least}: no round robin`,
    );
  }
}
