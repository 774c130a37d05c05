/**
 * Paths of the `surveyor` machine. One raw RESPONDENT peer stays connected.
 * The survey time is long (5 s) unless the path walks `after:surveyTime`,
 * where it is short enough to wait for but long enough for the steps taken
 * while the survey runs.
 */
import { surveyorMachine, surveyorTransitions } from "../../../spec/machines/surveyor.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, utf8 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { MachinePath, PathModel, PathStep, Stimulus } from "../common/paths-model.ts";
import { type MachinePaths, Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext } from "../types.ts";
import {
  expectBytes,
  NO_SURVEY,
  readSurvey,
  response,
  SURVEYOR_TCP,
  surveyorWithPeer,
  T,
} from "./common.ts";

interface W {
  recv: boolean;
}

/** Survey time for paths that wait for a survey to expire (ms). */
const SHORT_SURVEY = 1000;
/** "Nothing happens" window while a survey runs (ms). */
const QUIET = 150;

const model: PathModel<W> = {
  machine: surveyorMachine,
  table: surveyorTransitions,
  initialWorld: { recv: false },
  stimuli(state, w) {
    const out: Stimulus<W>[] = [];
    const add = (name: string, event: string, guards: Record<string, boolean>, world: W) =>
      out.push({ name, event, guards, world });
    if (state === "idle") {
      add("send", "send", {}, { recv: false });
      add("recv", "recv", {}, w);
      add("response (stale id)", "response", { idMatches: false }, w);
      add("close", "close", {}, w);
    } else if (state === "surveying") {
      add("response[idMatches]", "response", { idMatches: true }, { recv: false });
      add("response (other id)", "response", { idMatches: false }, w);
      if (!w.recv) add("recv", "recv", {}, { recv: true });
      add("send", "send", {}, { recv: false });
      add("after:surveyTime", "after:surveyTime", {}, { recv: false });
      add("close", "close", {}, w);
    }
    return out;
  },
  unobservable: {},
};

interface D {
  surveyor: IutSocket;
  peer: WirePeer;
  surveyTime: number;
  id: number | undefined;
  lastId: number;
  sentAt: number;
  recv: Pending<Uint8Array> | undefined;
  n: number;
}

const expires = (p: MachinePath<W>) => p.steps.some((s) => s.stimulus.event === "after:surveyTime");

async function recvNotSettled(ctx: CaseContext, d: D, why: string) {
  if (d.recv && (await d.recv.within(QUIET))) {
    const o = d.recv.outcome;
    ctx.fail(
      `${why}, yet the pending recv ${o?.ok ? `delivered ${hex(o.value)}` : `failed with ${o?.code}`}`,
    );
  }
}

export const surveyorPaths: MachinePaths<W, D> = {
  machine: "surveyor",
  family: "survey",
  model,
  limits: { maxSteps: 9, maxTours: 3, lifecycles: 2 },
  // The ESTATE of a recv with no survey, the ETIMEDOUT at the deadline, the ECLOSED on close.
  driverChecks: {
    "surveyor:idle:recv": ["SP-FRAMEWORK-20"],
    "surveyor:surveying:after:surveyTime": ["SP-FRAMEWORK-20"],
    "surveyor:surveying:close": ["SP-FRAMEWORK-20"],
  },
  driver: {
    needs: () => SURVEYOR_TCP,
    async setup(ctx: CaseContext, path: MachinePath<W>) {
      const surveyTime = expires(path) ? SHORT_SURVEY : T.long;
      const { surveyor, peer } = await surveyorWithPeer(ctx, {
        "surveyor:survey-time": surveyTime,
      });
      return {
        surveyor,
        peer,
        surveyTime,
        id: undefined,
        lastId: 0x80000001,
        sentAt: 0,
        recv: undefined,
        n: 0,
      };
    },
    async apply(ctx: CaseContext, d: D, step: PathStep<W>) {
      const s = step.stimulus.name;
      if (s === "send") {
        const body = utf8(`survey ${++d.n}`);
        const r = await d.surveyor.trySend(body, { timeoutMs: T.prompt });
        if (!r.ok) ctx.fail(`send of a survey failed with ${r.code}`);
        d.sentAt = performance.now();
        // A survey sent while another runs carries a new id (SP-SURVEY-14); resends do not exist.
        const sv = await readSurvey(ctx, d.peer);
        expectBytes(ctx, sv.body, body, "survey body");
        if (d.id !== undefined && sv.id === d.id)
          ctx.fail("the new survey reused the running survey's id");
        d.id = sv.id;
        d.lastId = sv.id;
        if (d.recv) {
          if (await d.recv.within(QUIET)) {
            const o = d.recv.outcome;
            if (o?.ok) ctx.fail(`a recv waiting on the ended survey delivered ${hex(o.value)}`);
            ctx.note(`a recv waiting on the ended survey failed with ${o?.code}`);
            d.recv = undefined;
          } else ctx.note("a recv waiting on the ended survey stays pending for the new one");
        }
      } else if (s === "recv") {
        if (step.from === "idle") {
          const r = await d.surveyor.tryRecv({ timeoutMs: T.prompt });
          if (r.ok) ctx.fail(`recv with no survey running delivered ${hex(r.value)}`);
          expectErrorName(ctx, r.code, "ESTATE", "recv with no survey running");
        } else if (d.recv && !d.recv.settled) {
          // The recv from the ended survey still waits (it carried over to the new one):
          // a second recv would race it for the next response, so that one stands for it.
          ctx.note("a recv still waits from before the new survey; it stands for this one");
        } else {
          d.recv = new Pending(d.surveyor.tryRecv({ timeoutMs: 30000 }));
          await recvNotSettled(ctx, d, "no response was sent");
        }
      } else if (s === "response (stale id)") {
        d.peer.sendFrame(response(d.lastId, utf8("too late")));
        await sleep(50);
        const r = await d.surveyor.tryRecv({ timeoutMs: QUIET });
        if (r.ok) ctx.fail(`a response with no survey running was delivered: ${hex(r.value)}`);
      } else if (s === "response (other id)") {
        const other = ((d.id as number) ^ 0x00000202) | 0x80000000;
        d.peer.sendFrame(response(other, utf8("not this survey")));
        // Checked now when a recv waits, else at the next delivery (which must be the real response).
        await recvNotSettled(ctx, d, "the response carried another survey's id");
      } else if (s === "response[idMatches]") {
        const body = utf8(`response ${d.n}`);
        d.peer.sendFrame(response(d.id as number, body));
        const r = d.recv ? await d.recv.promise : await d.surveyor.tryRecv({ timeoutMs: T.prompt });
        if (!r.ok) ctx.fail(`the response was not delivered: recv failed with ${r.code}`);
        expectBytes(ctx, r.value, body, "delivered response (id stripped)");
        d.recv = undefined;
      } else if (s === "after:surveyTime") {
        if (d.recv) {
          // SP-SURVEY-9: a waiting recv fails with ETIMEDOUT at the deadline.
          const r = await d.recv.promise;
          if (r.ok) ctx.fail(`the waiting recv delivered ${hex(r.value)} instead of timing out`);
          expectErrorName(ctx, r.code, "ETIMEDOUT", "the recv waiting at the deadline", {
            ESTATE: NO_SURVEY,
          });
          d.recv = undefined;
        } else {
          await sleep(Math.max(0, d.sentAt + d.surveyTime + 100 - performance.now()));
        }
        // Responses to the ended survey are discarded.
        d.peer.sendFrame(response(d.id as number, utf8("after the deadline")));
        await sleep(50);
        const r = await d.surveyor.tryRecv({ timeoutMs: QUIET });
        if (r.ok) ctx.fail(`a response after the survey deadline was delivered: ${hex(r.value)}`);
        d.id = undefined;
      } else if (s === "close") {
        await d.surveyor.close();
        if (d.recv) {
          const r = await d.recv.promise;
          if (r.ok) ctx.fail(`a pending recv delivered ${hex(r.value)} after close`);
          expectErrorName(ctx, r.code, "ECLOSED", "a pending recv, on close,");
        }
        if (!(await d.peer.waitClosed(T.prompt)))
          ctx.fail("the IUT kept the connection open after close");
      } else ctx.fail(`no driver for stimulus ${s}`);
    },
  },
};
