/**
 * Model-based random testing of a SURVEYOR with several respondents at once:
 * `survey/model-surveyor-peers`.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): the application sends surveys and receives; raw
 * RESPONDENT peers answer the current survey, answer an older one, answer
 * with one bit of the id flipped (the top bit cleared, or any other), or leave. A small model predicts:
 *
 * - a survey reaches every peer still there, each copy as the one survey id
 *   (top bit set, new for each survey) ahead of the body (SP-SURVEY-6,
 *   SP-SURVEY-7, SP-SURVEY-3, SP-SURVEY-5);
 * - a receive delivers the oldest undelivered response of some pipe to the
 *   current survey, id removed (SP-SURVEY-12: in order within a pipe; the
 *   wire gives no order between pipes), and never an answer to an older
 *   survey or a malformed one (SP-SURVEY-11, SP-SURVEY-14);
 * - with nothing to deliver, a receive gives nothing before its own timeout.
 *
 * The survey time is long (30 s), so no deadline passes inside a run. After a
 * receive that timed out the model stops answering until the next survey:
 * nng ends the survey there and the draft leaves that open (SP-SURVEY-12's
 * note). On failure fast-check shrinks to a short command list and the
 * verdict gives the failing command, its requirement and the replay command.
 */
import fc from "fast-check";
import { hex, sameBytes, utf8, word32 } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { forgedId } from "../common/forged-id.ts";
import {
  ARRIVE_MS,
  aliveIndexes,
  broke,
  checkModelRuns,
  type PeersWorld,
} from "../common/model-commands.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  readSurvey,
  respondentPeers,
  response,
  SURVEYOR_TCP,
  surveyorListening,
  T,
} from "./common.ts";

/** Property runs, commands per run, and respondents at the start of a run. */
const RUNS = 25;
const MAX_COMMANDS = 30;
const PEERS = 3;
/** Longer than any run, so that no survey's deadline passes inside one. */
const SURVEY_TIME_MS = 30000;

interface PeerModel {
  label: string;
  alive: boolean;
  /** Responses to the current survey, sent and not yet delivered, oldest first. */
  pending: Uint8Array[];
}

interface Model {
  peers: PeerModel[];
  /** Ids of the surveys sent so far, the current one last. */
  ids: number[];
  /** False once a receive timed out: the survey may have ended (nng), so nobody answers it. */
  answerable: boolean;
  /** An answer the IUT must drop (older, forged) was sent since the last survey. */
  strays: boolean;
  next: number;
}

/** The IUT SURVEYOR is `sock`. */
type Real = PeersWorld;

class Survey implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    // Let answers still on their way reach the IUT first: the new survey must discard them there.
    if (m.strays || m.peers.some((p) => p.pending.length > 0)) await sleep(ARRIVE_MS);
    m.strays = false;
    const body = utf8(`survey ${m.ids.length + 1}`);
    const sent = await r.sock.trySend(body, { timeoutMs: T.prompt });
    if (!sent.ok) broke("SP-SURVEY-7", `the survey send failed with ${sent.code}`);
    let id: number | undefined;
    for (const i of aliveIndexes(m.peers)) {
      const peer = m.peers[i] as PeerModel;
      let got: { id: number; body: Uint8Array };
      try {
        got = await readSurvey(r.ctx, r.wires[i] as WirePeer);
      } catch (e) {
        broke("SP-SURVEY-7", `${peer.label} got no copy of the survey: ${(e as Error).message}`);
      }
      if (!sameBytes(got.body, body)) {
        broke("SP-SURVEY-6", `${peer.label} got survey body ${hex(got.body)}, sent ${hex(body)}`);
      }
      if (id !== undefined && got.id !== id) {
        broke("SP-SURVEY-7", `copies of one survey carry ids ${word32(id)} and ${word32(got.id)}`);
      }
      id = got.id;
    }
    if (id === undefined) return;
    if (m.ids.includes(id)) broke("SP-SURVEY-5", `survey id ${word32(id)} was used before`);
    m.ids.push(id);
    // SP-SURVEY-14: the new survey ends the old one; its undelivered responses are gone.
    for (const p of m.peers) p.pending = [];
    m.answerable = true;
  }
  toString(): string {
    return "survey";
  }
}

/** "forged": the current id with one bit flipped (bit 31: the top bit cleared). */
type Kind = "current" | "older" | "forged";

class Respond implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly kind: Kind,
    readonly bit = 31,
  ) {}
  check(m: Readonly<Model>): boolean {
    if (!m.answerable || m.ids.length === 0) return false;
    return this.kind !== "older" || m.ids.length > 1;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const alive = aliveIndexes(m.peers);
    const i = alive[this.pick % alive.length] as number;
    const peer = m.peers[i] as PeerModel;
    const current = m.ids[m.ids.length - 1] as number;
    const body = utf8(`${peer.label} ${this.kind} #${m.next++}`);
    const id =
      this.kind === "current"
        ? current
        : this.kind === "older"
          ? (m.ids[this.pick % (m.ids.length - 1)] as number)
          : forgedId(current, this.bit);
    if (this.kind === "current") peer.pending.push(body);
    else m.strays = true;
    (r.wires[i] as WirePeer).sendFrame(response(id, body));
  }
  toString(): string {
    return `respond(${this.pick}, ${this.kind}${this.kind === "forged" ? ` bit ${this.bit}` : ""})`;
  }
}

/** Fails unless `got` is the oldest pending response of some pipe; takes it off. */
function takeDelivered(m: Model, got: Uint8Array): void {
  const i = m.peers.findIndex((p) => p.pending[0] && sameBytes(p.pending[0], got));
  if (i >= 0) {
    (m.peers[i] as PeerModel).pending.shift();
    return;
  }
  const text = new TextDecoder().decode(got);
  if (m.peers.some((p) => p.pending.some((b) => sameBytes(b, got)))) {
    broke("SP-SURVEY-12", `delivered "${text}" ahead of an older response of the same pipe`);
  }
  if (text.includes(" older "))
    broke("SP-SURVEY-14", `delivered "${text}", an answer to an older survey`);
  if (text.includes(" forged ")) {
    broke("SP-SURVEY-11", `delivered "${text}", whose id differs from the survey's in one bit`);
  }
  broke("SP-SURVEY-12", `delivered ${hex(got)}, which no respondent sent for this survey`);
}

class Receive implements fc.AsyncCommand<Model, Real> {
  // Only when a peer that is still there has an answer on its way: the receive must complete.
  check(m: Readonly<Model>): boolean {
    return m.answerable && m.peers.some((p) => p.alive && p.pending.length > 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) broke("SP-SURVEY-12", `recv failed with ${got.code} while responses were waiting`);
    takeDelivered(m, got.value);
  }
  toString(): string {
    return "receive";
  }
}

class ReceiveNothing implements fc.AsyncCommand<Model, Real> {
  // Nothing to the current survey is on its way, from any peer, gone or not.
  check(m: Readonly<Model>): boolean {
    return m.answerable && m.ids.length > 0 && m.peers.every((p) => p.pending.length === 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.quiet });
    m.answerable = false;
    if (got.ok) takeDelivered(m, got.value);
  }
  toString(): string {
    return "receive-nothing";
  }
}

class Leave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return aliveIndexes(m.peers).length > 1;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const alive = aliveIndexes(m.peers);
    const i = alive[this.pick % alive.length] as number;
    (m.peers[i] as PeerModel).alive = false;
    (r.wires[i] as WirePeer).close();
  }
  toString(): string {
    return `leave(${this.pick})`;
  }
}

// Answers and receives carry the rules; surveys and leaves change what they must show.
const pick = fc.nat({ max: 7 });
const commands = fc.commands(
  [
    fc.constant(new Survey()),
    fc.constant(new Survey()),
    ...Array.from({ length: 3 }, () => pick.map((p) => new Respond(p, "current"))),
    pick.map((p) => new Respond(p, "older")),
    fc
      .tuple(pick, fc.integer({ min: 0, max: 31 }))
      .map(([p, bit]) => new Respond(p, "forged", bit)),
    ...Array.from({ length: 3 }, () => fc.constant(new Receive())),
    fc.constant(new ReceiveNothing()),
    pick.map((p) => new Leave(p)),
  ],
  { maxCommands: MAX_COMMANDS, size: "max" },
);

export const surveyorPeersModel: ConformanceCase = {
  id: "survey/model-surveyor-peers",
  title:
    "SURVEYOR with several respondents: random surveys, answers (current, older, malformed), receives and leaves against a model",
  requirements: [
    "SP-SURVEY-3",
    "SP-SURVEY-5",
    "SP-SURVEY-6",
    "SP-SURVEY-7",
    "SP-SURVEY-11",
    "SP-SURVEY-12",
    "SP-SURVEY-14",
  ],
  kind: "property",
  needs: SURVEYOR_TCP,
  timeoutMs: 180000,
  async run(ctx: CaseContext) {
    await checkModelRuns<Model, Real>(
      ctx,
      commands,
      {
        async open(ctx, ran) {
          const { surveyor, url } = await surveyorListening(ctx, {
            "surveyor:survey-time": SURVEY_TIME_MS,
          });
          const real: Real = { ctx, ran, sock: surveyor, wires: [] };
          real.wires = await respondentPeers(ctx, url, PEERS);
          const model: Model = {
            peers: real.wires.map((w) => ({ label: w.label, alive: true, pending: [] })),
            ids: [],
            answerable: false,
            strays: false,
            next: 0,
          };
          return { model, real };
        },
      },
      { runs: RUNS, timeLimitMs: 160000 },
    );
  },
};

export const surveyorPeersModelCases = [surveyorPeersModel];
