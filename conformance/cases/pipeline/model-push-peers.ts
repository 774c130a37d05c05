/**
 * Model-based random testing of a PUSH with several PULL peers that come and
 * go: `pipeline/model-push-peers`.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): the application sends one message, or a burst of them,
 * raw PULL peers join and leave. Every peer reads all it gets. The model
 * predicts:
 *
 * - each message reaches exactly one peer still there, unchanged, and no
 *   peer gets a copy of it later (SP-PIPELINE-3);
 * - the messages a peer gets from a burst arrive in the order they were sent
 *   (SP-PIPELINE-15);
 * - single sends, each read before the next, take turns over the peers
 *   (SP-PIPELINE-4): every peer is ready then, so among the peers attached
 *   all along the counts stay within one of each other (one more is allowed
 *   for a send that went out while the IUT was still attaching a new peer or
 *   had not yet seen its last write complete). Bursts are not counted: a
 *   peer whose write is still in progress is not ready, and skipping it is
 *   what SP-PIPELINE-4 asks;
 * - every send completes promptly while a peer is there to take it
 *   (SP-PIPELINE-5 waits only when no pipe is ready).
 *
 * A peer leaves between messages, never while one is on its way to it, and
 * the IUT gets time to notice before the next send: a message written to a
 * connection that then closes may be lost (the pipeline is at-most-once,
 * SP-PIPELINE-19), so the model never puts one there.
 */
import fc from "fast-check";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import {
  ARRIVE_MS,
  ATTACH_MS,
  aliveIndexes,
  broke,
  checkModelRuns,
  type PeersWorld,
  takeTurn,
} from "../common/model-commands.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, PUSH_TCP, rawPeer, T } from "./common.ts";

/** Property runs, commands per run, peers at the start and at most. */
const RUNS = 20;
const MAX_COMMANDS = 40;
const FIRST_PEERS = 2;
const MAX_PEERS = 4;
/** Time for the IUT to notice a peer that left, ms. */
const LEAVE_MS = 150;

interface PeerModel {
  label: string;
  alive: boolean;
}

interface Model {
  peers: PeerModel[];
  /** Single sends per peer since the pipes last changed (the round-robin check). */
  turns: Map<number, number>;
  /** Peers that joined recently → when (they count once attached). */
  fresh: Map<number, number>;
  /** Every message sent so far (hex), to tell a copy from a message nobody sent. */
  sent: Set<string>;
  next: number;
}

/** The IUT PUSH is `sock`, listening on `url`. */
interface Real extends PeersWorld {
  url: string;
}

/** The next frame at any peer still there within `ms`, with the peer's index. */
async function nextFrame(
  m: Model,
  r: Real,
  ms: number,
): Promise<{ peer: number; body: Uint8Array } | undefined> {
  const end = performance.now() + ms;
  for (;;) {
    for (const i of aliveIndexes(m.peers)) {
      const wire = r.wires[i] as WirePeer;
      if (wire.closed) broke("SP-PIPELINE-3", `the IUT closed the connection of ${wire.label}`);
      if (wire.buffered < 8) continue;
      return { peer: i, body: await wire.readFrame(T.prompt) };
    }
    if (performance.now() >= end) return undefined;
    await sleep(5);
  }
}

/** Fails when `got` is a copy of an earlier message or something never sent. */
function unexpected(m: Model, got: { peer: number; body: Uint8Array }, what: string): never {
  const who = m.peers[got.peer]?.label;
  if (m.sent.has(hex(got.body))) {
    broke("SP-PIPELINE-3", `${who} got ${new TextDecoder().decode(got.body)} again ${what}`);
  }
  broke("SP-PIPELINE-3", `${who} got ${hex(got.body)}, which was never sent, ${what}`);
}

async function send(m: Model, r: Real): Promise<Uint8Array> {
  const body = utf8(`work #${m.next++}`);
  const s = await r.sock.trySend(body, { timeoutMs: T.prompt });
  if (!s.ok) broke("SP-PIPELINE-5", `a send failed with ${s.code} while peers were reading`);
  m.sent.add(hex(body));
  return body;
}

class Send implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const body = await send(m, r);
    const got = await nextFrame(m, r, T.prompt);
    if (!got) broke("SP-PIPELINE-3", `no peer got ${new TextDecoder().decode(body)}`);
    if (!sameBytes(got.body, body))
      unexpected(m, got, `instead of ${new TextDecoder().decode(body)}`);
    takeTurn(m, got.peer, "SP-PIPELINE-4", "messages");
  }
  toString(): string {
    return "send";
  }
}

class Burst implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const bodies: Uint8Array[] = [];
    for (let k = 0; k < this.count; k++) bodies.push(await send(m, r));
    const waiting = new Map(bodies.map((b, k) => [hex(b), k]));
    const last = new Map<number, number>();
    while (waiting.size > 0) {
      const got = await nextFrame(m, r, T.prompt);
      if (!got) {
        const lost = bodies
          .filter((b) => waiting.has(hex(b)))
          .map((b) => new TextDecoder().decode(b));
        broke("SP-PIPELINE-3", `of a burst of ${this.count}, no peer got ${lost.join(", ")}`);
      }
      const k = waiting.get(hex(got.body));
      if (k === undefined) unexpected(m, got, "during a burst");
      waiting.delete(hex(got.body));
      const before = last.get(got.peer);
      if (before !== undefined && before > k) {
        broke(
          "SP-PIPELINE-15",
          `${m.peers[got.peer]?.label} got message ${k} of a burst after message ${before}`,
        );
      }
      last.set(got.peer, k);
    }
    // A burst is not counted for round robin; the counting starts again after it.
    m.turns.clear();
  }
  toString(): string {
    return `burst(${this.count})`;
  }
}

class Join implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.length < MAX_PEERS + 2 && aliveIndexes(m.peers).length < MAX_PEERS;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const label = `pull${m.peers.length + 1}`;
    r.wires.push(await rawPeer(r.ctx, r.url, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0, label));
    m.peers.push({ label, alive: true });
    m.fresh.set(m.peers.length - 1, performance.now());
  }
  toString(): string {
    return "join";
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
    m.fresh.delete(i);
    m.turns.clear();
    await sleep(LEAVE_MS);
  }
  toString(): string {
    return `leave(${this.pick})`;
  }
}

const commands = fc.commands(
  [
    ...Array.from({ length: 5 }, () => fc.constant(new Send())),
    fc.integer({ min: 2, max: 12 }).map((n) => new Burst(n)),
    fc.constant(new Join()),
    fc.nat({ max: 7 }).map((p) => new Leave(p)),
  ],
  { maxCommands: MAX_COMMANDS, size: "max" },
);

export const pushPeersModel: ConformanceCase = {
  id: "pipeline/model-push-peers",
  title: "PUSH with several PULL peers: random sends, bursts, joins and leaves against a model",
  requirements: ["SP-PIPELINE-3", "SP-PIPELINE-4", "SP-PIPELINE-5", "SP-PIPELINE-15"],
  kind: "property",
  needs: PUSH_TCP,
  timeoutMs: 180000,
  async run(ctx: CaseContext) {
    await checkModelRuns<Model, Real>(
      ctx,
      commands,
      {
        async open(ctx, ran) {
          const sock = await openIut(ctx, "push0");
          const url = await sock.listen(ctx.iutUrl("tcp"));
          const real: Real = { ctx, ran, sock, url, wires: [] };
          const model: Model = {
            peers: [],
            turns: new Map(),
            fresh: new Map(),
            sent: new Set(),
            next: 0,
          };
          for (let i = 0; i < FIRST_PEERS; i++) await new Join().run(model, real);
          await sleep(ATTACH_MS);
          return { model, real };
        },
        async finish(m, r) {
          // No copy of anything arrives late.
          await sleep(ARRIVE_MS);
          const extra = await nextFrame(m, r, 0);
          if (extra) unexpected(m, extra, "after every message had arrived");
        },
      },
      { runs: RUNS, timeLimitMs: 160000 },
    );
  },
};

export const pushPeersModelCases = [pushPeersModel];
