/**
 * Paths of the `pair-slot` machine, walked with an IUT PAIR v0 that listens
 * while raw PAIR peers come and go. World: is a peer attached, how many sends
 * are parked. Flow control on an attached peer (the `stalled` state reached
 * from `occupied`) is not part of this model: pair/slow-peer.ts walks it.
 */
import { pairSlotMachine, pairSlotTransitions } from "../../../spec/machines/pair-slot.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { MachinePath, PathModel, PathStep, Stimulus } from "../common/paths-model.ts";
import { type MachinePaths, Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext } from "../types.ts";
import { attachedPeer, listening, NUM, peerExpect, T } from "./common.ts";

interface W {
  peer: boolean;
  parked: number;
}

/** Send timeout of parked sends in paths that wait for one to expire (ms). */
const SHORT_SEND = 600;
/** Window in which a parked send must stay pending (ms). */
const QUIET = 100;

const FLOW =
  "no flow-control stimulus in the path model: backing up a peer takes megabytes of traffic per step; the hand-written case pair/pair-slow-peer walks it";

const model: PathModel<W> = {
  machine: pairSlotMachine,
  table: pairSlotTransitions,
  initialWorld: { peer: false, parked: 0 },
  stimuli(state, w) {
    const out: Stimulus<W>[] = [];
    const add = (name: string, event: string, guards: Record<string, boolean>, world: W) =>
      out.push({ name, event, guards, world });
    if (state === "empty") {
      add("peer joins", "pipeAdded", { sendsParked: false }, { peer: true, parked: 0 });
      add("send", "send", { sendsParked: true }, { ...w, parked: 1 });
      add("close", "close", {}, w);
    } else if (state === "waiting") {
      // Two parked sends are enough to check their order; more would not end the graph.
      if (w.parked < 2) add("send", "send", { sendsParked: true }, { ...w, parked: w.parked + 1 });
      if (w.parked === 1) {
        add("after:sendTimeout", "after:sendTimeout", { sendsParked: false }, { ...w, parked: 0 });
      }
      // The new peer takes every parked send (flush), so the slot ends up occupied.
      add("peer joins", "pipeAdded", { sendsParked: false }, { peer: true, parked: 0 });
      add("close", "close", {}, w);
    } else if (state === "occupied") {
      add("second peer", "pipeAdded", {}, w);
      add("peer leaves", "pipeRemoved", { isOccupant: true }, { peer: false, parked: 0 });
      add("close", "close", {}, w);
    }
    return out;
  },
  unobservable: {
    "pair-slot:occupied:send": FLOW,
    "pair-slot:stalled:pipeAdded": FLOW,
    "pair-slot:stalled:pipeRemoved[isOccupant]": FLOW,
    "pair-slot:stalled:writable": FLOW,
    "pair-slot:stalled:send": FLOW,
    "pair-slot:stalled:after:sendTimeout": FLOW,
    "pair-slot:stalled:close": FLOW,
  },
};

interface D {
  sock: IutSocket;
  url: string;
  peer: WirePeer | undefined;
  parked: { body: Uint8Array; op: Pending<void> }[];
  sendMs: number;
  n: number;
}

const expires = (p: MachinePath<W>) =>
  p.steps.some((s) => s.stimulus.event === "after:sendTimeout");

async function joinPeer(ctx: CaseContext, d: D): Promise<WirePeer> {
  const peer = await ctx.connect(d.url, `peer${d.n}`);
  const h = await peer.handshake(NUM.pair0);
  if (h.protocol !== NUM.pair0) ctx.fail(`the IUT PAIR announced 0x${h.protocol.toString(16)}`);
  return peer;
}

export const pairSlotPaths: MachinePaths<W, D> = {
  machine: "pair-slot",
  family: "pair",
  model,
  limits: { maxSteps: 9, maxTours: 4, lifecycles: 2 },
  // The ETIMEDOUT of a parked send at its timeout, the ECLOSED of parked sends on close.
  driverChecks: {
    "pair-slot:waiting:after:sendTimeout": ["SP-FRAMEWORK-20"],
    "pair-slot:waiting:close": ["SP-FRAMEWORK-20"],
  },
  driver: {
    needs: () => ({ protocols: ["pair0"], transports: ["tcp"] }),
    async setup(ctx: CaseContext, path: MachinePath<W>) {
      const { sock, url } = await listening(ctx, "pair0");
      return {
        sock,
        url,
        peer: undefined,
        parked: [],
        sendMs: expires(path) ? SHORT_SEND : 30000,
        n: 0,
      };
    },
    async apply(ctx: CaseContext, d: D, step: PathStep<W>) {
      const s = step.stimulus.name;
      if (s === "peer joins") {
        d.n++;
        if (d.parked.length === 0) {
          d.peer = await attachedPeer(ctx, d.sock, d.url, "pair0", `peer${d.n}`);
        } else {
          // SP-PAIR-5/6: the parked sends reach the new peer, oldest first, and complete.
          for (const p of d.parked) {
            if (p.op.settled) {
              const o = p.op.outcome;
              ctx.fail(
                `a parked send ${o?.ok ? "completed" : `failed with ${o?.code}`} while no peer was attached`,
              );
            }
          }
          const peer = await joinPeer(ctx, d);
          // Each parked message arrives once. Their order is checked only when one send
          // was parked: two sends pending at once have no issue order an adapter that
          // runs each call on its own thread (nanomsg) can keep, so SP-PAIR-6 is noted.
          if (d.parked.length === 1) {
            await peerExpect(
              ctx,
              peer,
              (d.parked[0] as { body: Uint8Array }).body,
              "the parked message",
            );
          } else {
            const got: string[] = [];
            for (const _ of d.parked)
              got.push(new TextDecoder().decode(await peer.readFrame(T.prompt)));
            const want = d.parked.map((p) => new TextDecoder().decode(p.body));
            if ([...got].sort().join("|") !== [...want].sort().join("|")) {
              ctx.fail(
                `the parked messages arrived as ${got.join(", ")}; expected ${want.join(", ")}`,
              );
            }
            if (got.join("|") !== want.join("|"))
              ctx.note(`concurrently parked sends arrived as ${got.join(", ")}`);
          }
          for (const p of d.parked) {
            const r = await p.op.promise;
            if (!r.ok) ctx.fail(`a parked send failed with ${r.code} after the peer came`);
          }
          d.parked = [];
          d.peer = peer;
        }
      } else if (s === "send") {
        const body = utf8(`parked ${++d.n}`);
        const op = new Pending(d.sock.trySend(body, { timeoutMs: d.sendMs }));
        if (await op.within(QUIET)) {
          const o = op.outcome;
          ctx.fail(
            `a send with no peer did not wait: it ${o?.ok ? "completed" : `failed with ${o?.code}`}`,
          );
        }
        d.parked.push({ body, op });
      } else if (s === "after:sendTimeout") {
        const p = d.parked.shift() as { op: Pending<void> };
        const r = await p.op.promise;
        if (r.ok) ctx.fail("the parked send completed with no peer");
        expectErrorName(ctx, r.code, "ETIMEDOUT", "the parked send");
      } else if (s === "second peer") {
        const extra = await joinPeer(ctx, d);
        // SP-PAIR-3: the extra connection is refused; the peer keeps the slot.
        if (!(await extra.waitClosed(T.prompt))) ctx.fail("the IUT kept a second peer connected");
        const body = utf8(`still yours ${d.n}`);
        const r = await d.sock.trySend(body, { timeoutMs: T.prompt });
        if (!r.ok) ctx.fail(`send to the first peer failed with ${r.code}`);
        await peerExpect(ctx, d.peer as WirePeer, body, "message to the first peer");
      } else if (s === "peer leaves") {
        d.peer?.close();
        d.peer = undefined;
        // Let the IUT notice before the next step relies on an empty slot.
        await sleep(300);
      } else if (s === "close") {
        const peer = d.peer;
        await d.sock.close();
        for (const p of d.parked) {
          const r = await p.op.promise;
          if (r.ok) ctx.fail(`a parked send completed after close (${hex(p.body)})`);
          expectErrorName(ctx, r.code, "ECLOSED", `a parked send (${hex(p.body)}), on close,`);
        }
        d.parked = [];
        if (peer && !(await peer.waitClosed(T.prompt)))
          ctx.fail("the IUT kept the connection open after close");
      } else ctx.fail(`no driver for stimulus ${s}`);
    },
  },
};
