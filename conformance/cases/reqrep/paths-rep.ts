/**
 * Paths of the `rep` machine. One raw REQ peer stays connected; `deliver` is
 * "the peer sends a request and the IUT's recv returns it".
 */
import { repMachine, repTransitions } from "../../../spec/machines/rep.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { PathModel, PathStep, Stimulus } from "../common/paths-model.ts";
import type { MachinePaths } from "../common/paths-runtime.ts";
import type { CaseContext } from "../types.ts";
import { expectBytes, iutRecv, repListening, reqPeer, T } from "./common.ts";

type W = Record<string, never>;

const model: PathModel<W> = {
  machine: repMachine,
  table: repTransitions,
  initialWorld: {},
  stimuli(state, w) {
    const s = (name: string, event: string): Stimulus<W> => ({ name, event, guards: {}, world: w });
    if (state === "idle") return [s("deliver", "deliver"), s("send", "send"), s("close", "close")];
    if (state === "holding")
      return [s("send", "send"), s("deliver", "deliver"), s("close", "close")];
    return [];
  },
  unobservable: {},
};

interface D {
  rep: IutSocket;
  peer: WirePeer;
  /** Id of the request the IUT holds. */
  held: number | undefined;
  n: number;
}

export const repPaths: MachinePaths<W, D> = {
  machine: "rep",
  family: "reqrep",
  model,
  limits: { maxSteps: 8, maxTours: 3, lifecycles: 2 },
  // The ESTATE of a send with no request held.
  driverChecks: { "rep:idle:send": ["SP-FRAMEWORK-20"] },
  driver: {
    needs: () => ({ protocols: ["rep0"], transports: ["tcp"] }),
    async setup(ctx: CaseContext) {
      const { rep, url } = await repListening(ctx);
      const peer = await reqPeer(ctx, url);
      return { rep, peer, held: undefined, n: 0 };
    },
    async apply(ctx: CaseContext, d: D, step: PathStep<W>) {
      const s = step.stimulus.name;
      if (s === "deliver") {
        const id = 0x80000100 + ++d.n;
        const body = utf8(`question ${d.n}`);
        d.peer.sendFrame(concat(words(id), body));
        expectBytes(ctx, await iutRecv(ctx, d.rep, "the request"), body, "delivered request body");
        d.held = id;
      } else if (s === "send") {
        const body = utf8(`answer ${d.n}`);
        const r = await d.rep.trySend(body, { timeoutMs: T.prompt });
        if (step.from === "idle") {
          // SP-REQREP-16: no request held.
          if (r.ok) ctx.fail("send with no request held succeeded");
          expectErrorName(ctx, r.code, "ESTATE", "send with no request held");
          await d.peer.expectNothing(T.quiet, "no request is held, nothing may be sent");
        } else {
          if (!r.ok) ctx.fail(`send of the reply failed with ${r.code}`);
          // SP-REQREP-13 (and -19: only the newest request is answered).
          const got = await d.peer.readFrame(T.prompt);
          expectBytes(ctx, got, concat(words(d.held as number), body), "reply frame");
          d.held = undefined;
        }
      } else if (s === "close") {
        await d.rep.close();
        if (!(await d.peer.waitClosed(T.prompt)))
          ctx.fail("the IUT kept the connection open after close");
      } else ctx.fail(`no driver for stimulus ${s} (${hex(new Uint8Array())})`);
    },
  },
};
