/**
 * Model-based random testing of a PULL with several PUSH peers that come and
 * go: `pipeline/model-pull-peers`.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): raw PUSH peers send numbered messages (one or a burst),
 * new peers join, peers whose messages were all received leave, and the
 * application receives. The model keeps, per pipe, the messages sent and not
 * yet delivered. It predicts:
 *
 * - a receive delivers the oldest undelivered message of some pipe, unchanged
 *   (SP-PIPELINE-10: no pipe is ignored; SP-FRAMEWORK-2: a pipe's messages
 *   keep their order; the wire orders nothing between pipes, so the oracle
 *   does not either), and never a message twice or one nobody sent;
 * - with nothing on its way, a receive gives nothing before its timeout;
 * - a PULL sends nothing to its peers (SP-PIPELINE-13, checked at the end).
 *
 * Fairness between pipes (SP-PIPELINE-16, a SHOULD) is left to
 * pipeline/pull-flow-fair: a model run fails, it cannot warn.
 *
 * A peer leaves only once everything it sent was received: what a closed
 * connection still carried may be lost or delivered, and the drafts leave
 * that open.
 */
import fc from "fast-check";
import { concat, hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import {
  ARRIVE_MS,
  aliveIndexes,
  broke,
  checkModelRuns,
  type PeersWorld,
} from "../common/model-commands.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, PULL_TCP, rawPeer, T } from "./common.ts";

/** Property runs, commands per run, peers at the start and at most. */
const RUNS = 20;
const MAX_COMMANDS = 40;
const PEERS = 3;
const MAX_PEERS = 5;

interface PeerModel {
  label: string;
  alive: boolean;
  /** Sent and not yet delivered, oldest first. */
  pending: Uint8Array[];
}

interface Model {
  peers: PeerModel[];
  next: number;
}

/** The IUT PULL is `sock`, listening on `url`. */
interface Real extends PeersWorld {
  url: string;
}

function body(m: Model, peer: PeerModel): Uint8Array {
  return concat(utf8(`${peer.label}#`), utf8(`${m.next++}`));
}

class Push implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly count: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const alive = aliveIndexes(m.peers);
    const i = alive[this.pick % alive.length] as number;
    const peer = m.peers[i] as PeerModel;
    for (let k = 0; k < this.count; k++) {
      const msg = body(m, peer);
      peer.pending.push(msg);
      (r.wires[i] as WirePeer).sendFrame(msg);
    }
  }
  toString(): string {
    return `push(${this.pick}${this.count > 1 ? `, ×${this.count}` : ""})`;
  }
}

class Receive implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.some((p) => p.pending.length > 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) {
      const waiting = m.peers.filter((p) => p.pending.length > 0).map((p) => p.label);
      broke("SP-PIPELINE-10", `recv failed with ${got.code} while ${waiting.join(", ")} had sent`);
    }
    const i = m.peers.findIndex((p) => p.pending[0] && sameBytes(p.pending[0], got.value));
    if (i < 0) {
      const text = new TextDecoder().decode(got.value);
      if (m.peers.some((p) => p.pending.some((b) => sameBytes(b, got.value)))) {
        broke("SP-FRAMEWORK-2", `delivered "${text}" ahead of an older message of its pipe`);
      }
      broke(
        "SP-PIPELINE-10",
        `delivered ${hex(got.value)}, which is not waiting (twice, or never sent)`,
      );
    }
    (m.peers[i] as PeerModel).pending.shift();
  }
  toString(): string {
    return "receive";
  }
}

class ReceiveNothing implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.every((p) => p.pending.length === 0);
  }
  async run(_m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.quiet });
    if (got.ok) broke("SP-PIPELINE-10", `delivered ${hex(got.value)} when nothing was sent`);
  }
  toString(): string {
    return "receive-nothing";
  }
}

class Join implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.length < MAX_PEERS;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const label = `push${m.peers.length + 1}`;
    r.wires.push(await rawPeer(r.ctx, r.url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, label));
    m.peers.push({ label, alive: true, pending: [] });
  }
  toString(): string {
    return "join";
  }
}

class Leave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return (
      m.peers.filter((p) => p.alive && p.pending.length === 0).length > 0 &&
      aliveIndexes(m.peers).length > 1
    );
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const idle = aliveIndexes(m.peers).filter((i) => m.peers[i]?.pending.length === 0);
    const i = idle[this.pick % idle.length] as number;
    (m.peers[i] as PeerModel).alive = false;
    (r.wires[i] as WirePeer).close();
  }
  toString(): string {
    return `leave(${this.pick})`;
  }
}

const pick = fc.nat({ max: 7 });
const commands = fc.commands(
  [
    ...Array.from({ length: 3 }, () => pick.map((p) => new Push(p, 1))),
    fc.tuple(pick, fc.integer({ min: 2, max: 8 })).map(([p, n]) => new Push(p, n)),
    ...Array.from({ length: 4 }, () => fc.constant(new Receive())),
    fc.constant(new ReceiveNothing()),
    fc.constant(new Join()),
    pick.map((p) => new Leave(p)),
  ],
  { maxCommands: MAX_COMMANDS, size: "max" },
);

/** Receives what is still on its way at the end of a sequence, by the same rules. */
async function drain(m: Model, r: Real): Promise<void> {
  const rx = new Receive();
  while (rx.check(m)) await rx.run(m, r);
  await sleep(ARRIVE_MS);
}

export const pullPeersModel: ConformanceCase = {
  id: "pipeline/model-pull-peers",
  title:
    "PULL with several PUSH peers: random sends, bursts, joins, leaves and receives against a model",
  requirements: ["SP-PIPELINE-10", "SP-PIPELINE-13", "SP-FRAMEWORK-2"],
  kind: "property",
  needs: PULL_TCP,
  timeoutMs: 180000,
  async run(ctx: CaseContext) {
    await checkModelRuns<Model, Real>(
      ctx,
      commands,
      {
        async open(ctx, ran) {
          const sock = await openIut(ctx, "pull0");
          const url = await sock.listen(ctx.iutUrl("tcp"));
          const wires: WirePeer[] = [];
          for (let i = 0; i < PEERS; i++) {
            wires.push(
              await rawPeer(ctx, url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, `push${i + 1}`),
            );
          }
          const model: Model = {
            peers: wires.map((w) => ({ label: w.label, alive: true, pending: [] })),
            next: 0,
          };
          return { model, real: { ctx, ran, sock, wires, url } };
        },
        async finish(m, r) {
          await drain(m, r);
          // SP-PIPELINE-13: nothing went upstream.
          const sent = r.wires.find((w) => w.buffered > 0);
          if (sent)
            broke("SP-PIPELINE-13", `the PULL sent ${sent.buffered} bytes to ${sent.label}`);
        },
      },
      { runs: RUNS, timeLimitMs: 160000 },
    );
  },
};

export const pullPeersModelCases = [pullPeersModel];
