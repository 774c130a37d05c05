/**
 * Model-based random testing of a socket that sends every message to all its
 * peers (PUB, BUS) with several raw peers that come and go:
 * `pubsub/model-pub-peers`, `bus/model-bus-peers`.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): the application sends one message or a short burst,
 * peers join and leave and, for BUS, peers send and the application
 * receives. Every peer reads all it gets. The model predicts:
 *
 * - every message the application sends reaches every peer attached at the
 *   time, once, unchanged (`each`), in the order sent (`order`); no peer gets
 *   anything else, in particular not a message another peer sent (`noForward`,
 *   BUS);
 * - a send completes at once (`noWait`);
 * - BUS: a receive delivers the oldest undelivered message of some pipe, whole
 *   (`deliver`), never one the application itself sent (`noEcho`); with
 *   nothing on its way it gives nothing before its timeout.
 *
 * Bursts stay short (at most 6 messages of a few bytes) and every peer reads
 * at once, so no pipe is ever slow: the drops that SP-PUBSUB-9 and SP-BUS-4
 * allow for a pipe that cannot take a message never apply. A new peer counts
 * once it is surely attached (PUB: a pause; BUS: a message it sent was
 * delivered), and a peer leaves only between messages, the IUT given time to
 * notice before the next send; a BUS peer leaves only once what it sent was
 * received (what a closed connection still carried may go either way).
 */
import fc from "fast-check";
import type { IutSocket } from "../../adapters/iut.ts";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, CaseNeeds, ConformanceCase } from "../types.ts";
import {
  ARRIVE_MS,
  aliveIndexes,
  broke,
  checkModelRuns,
  type PeersWorld,
} from "./model-commands.ts";

/** What differs between the PUB and the BUS model. */
export interface BroadcastModelSpec {
  id: string;
  title: string;
  needs: CaseNeeds;
  covers: string[];
  /** True for BUS: peers send too and the application receives. */
  receives: boolean;
  rules: {
    each: string;
    order: string;
    noWait: string;
    /** BUS: a peer's message is delivered and not sent on. */
    noForward?: string;
    deliver?: string;
    noEcho?: string;
  };
  open(ctx: CaseContext): Promise<{ sock: IutSocket; url: string }>;
  /** Connects a raw peer and returns once it is attached at the IUT. */
  join(ctx: CaseContext, sock: IutSocket, url: string, label: string): Promise<WirePeer>;
}

const T = { prompt: 2000, quiet: 250 } as const;
const RUNS = 15;
const MAX_COMMANDS = 40;
const FIRST_PEERS = 2;
const MAX_PEERS = 4;
/** Time for the IUT to notice a peer that left, ms. */
const LEAVE_MS = 150;

interface PeerModel {
  label: string;
  alive: boolean;
  /** BUS: sent by this peer and not yet delivered, oldest first. */
  pending: Uint8Array[];
}

interface Model {
  peers: PeerModel[];
  /** Everything the peers sent (hex), to name a forwarded message. */
  fromPeers: Set<string>;
  /** Everything the application sent (hex), to name an echo. */
  fromApp: Set<string>;
  next: number;
}

interface Real extends PeersWorld {
  url: string;
  spec: BroadcastModelSpec;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Why `frame`, read by peer `i` instead of `want`, is wrong. */
function wrongFrame(m: Model, r: Real, i: number, frame: Uint8Array, want: string): never {
  const who = m.peers[i]?.label;
  const { rules } = r.spec;
  if (m.fromPeers.has(hex(frame)) && rules.noForward) {
    broke(rules.noForward, `${who} got "${text(frame)}", which another peer sent: forwarded`);
  }
  if (m.fromApp.has(hex(frame))) {
    broke(rules.order, `${who} got "${text(frame)}" where ${want} was due: reordered or repeated`);
  }
  broke(rules.each, `${who} got ${hex(frame)} where ${want} was due`);
}

class Send implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const { rules } = r.spec;
    const bodies: Uint8Array[] = [];
    for (let k = 0; k < this.count; k++) {
      const body = utf8(`app #${m.next++}`);
      const t0 = performance.now();
      const s = await r.sock.trySend(body, { timeoutMs: T.prompt });
      if (!s.ok) broke(rules.noWait, `a send failed with ${s.code}`);
      if (performance.now() - t0 > T.prompt / 2) {
        broke(rules.noWait, `a send took ${(performance.now() - t0).toFixed(0)} ms`);
      }
      m.fromApp.add(hex(body));
      bodies.push(body);
    }
    for (const i of aliveIndexes(m.peers)) {
      const wire = r.wires[i] as WirePeer;
      for (const body of bodies) {
        let frame: Uint8Array;
        try {
          frame = await wire.readFrame(T.prompt);
        } catch (e) {
          broke(rules.each, `${wire.label} did not get "${text(body)}": ${(e as Error).message}`);
        }
        if (!sameBytes(frame, body)) wrongFrame(m, r, i, frame, `"${text(body)}"`);
      }
    }
  }
  toString(): string {
    return `send(×${this.count})`;
  }
}

class PeerSend implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const alive = aliveIndexes(m.peers);
    const i = alive[this.pick % alive.length] as number;
    const peer = m.peers[i] as PeerModel;
    const body = utf8(`${peer.label} #${m.next++}`);
    peer.pending.push(body);
    m.fromPeers.add(hex(body));
    (r.wires[i] as WirePeer).sendFrame(body);
  }
  toString(): string {
    return `peer-send(${this.pick})`;
  }
}

class Receive implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.some((p) => p.alive && p.pending.length > 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const deliver = r.spec.rules.deliver as string;
    const got = await r.sock.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) broke(deliver, `recv failed with ${got.code} while peers' messages waited`);
    const i = m.peers.findIndex((p) => p.pending[0] && sameBytes(p.pending[0], got.value));
    if (i < 0) unexpectedDelivery(m, r, got.value);
    (m.peers[i] as PeerModel).pending.shift();
  }
  toString(): string {
    return "receive";
  }
}

function unexpectedDelivery(m: Model, r: Real, got: Uint8Array): never {
  const { rules } = r.spec;
  if (m.fromApp.has(hex(got)) && rules.noEcho) {
    broke(rules.noEcho, `the application got back "${text(got)}", which it sent itself`);
  }
  if (m.peers.some((p) => p.pending.some((b) => sameBytes(b, got)))) {
    broke(
      rules.deliver as string,
      `delivered "${text(got)}" ahead of an older message of its pipe`,
    );
  }
  broke(rules.deliver as string, `delivered ${hex(got)}, which is not waiting`);
}

class ReceiveNothing implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.every((p) => p.pending.length === 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.quiet });
    if (got.ok) unexpectedDelivery(m, r, got.value);
  }
  toString(): string {
    return "receive-nothing";
  }
}

class Join implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    // BUS confirms the attach with a message the application receives: nothing else may wait.
    return aliveIndexes(m.peers).length < MAX_PEERS && m.peers.every((p) => p.pending.length === 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const label = `peer${m.peers.length + 1}`;
    r.wires.push(await r.spec.join(r.ctx, r.sock, r.url, label));
    m.peers.push({ label, alive: true, pending: [] });
  }
  toString(): string {
    return "join";
  }
}

/** Peers still there with nothing on its way to the application (only those may leave). */
function idle(m: Readonly<Model>): number[] {
  return aliveIndexes(m.peers).filter((i) => m.peers[i]?.pending.length === 0);
}

class Leave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return aliveIndexes(m.peers).length > 1 && idle(m).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const quiet = idle(m);
    const i = quiet[this.pick % quiet.length] as number;
    (m.peers[i] as PeerModel).alive = false;
    (r.wires[i] as WirePeer).close();
    await sleep(LEAVE_MS);
  }
  toString(): string {
    return `leave(${this.pick})`;
  }
}

function commandsFor(receives: boolean) {
  const pick = fc.nat({ max: 7 });
  return fc.commands(
    [
      ...Array.from({ length: 3 }, () => fc.integer({ min: 1, max: 6 }).map((n) => new Send(n))),
      fc.constant(new Join()),
      pick.map((p) => new Leave(p)),
      ...(receives
        ? [
            ...Array.from({ length: 3 }, () => pick.map((p) => new PeerSend(p))),
            ...Array.from({ length: 3 }, () => fc.constant(new Receive())),
            fc.constant(new ReceiveNothing()),
          ]
        : []),
    ],
    { maxCommands: MAX_COMMANDS, size: "max" },
  );
}

/** At the end no peer holds a frame nobody accounted for. */
async function nothingLeft(m: Model, r: Real): Promise<void> {
  await sleep(ARRIVE_MS);
  for (const i of aliveIndexes(m.peers)) {
    const wire = r.wires[i] as WirePeer;
    if (wire.buffered >= 8) wrongFrame(m, r, i, await wire.readFrame(T.prompt), "nothing");
  }
}

/** The model case for one broadcasting protocol. */
export function broadcastPeersModel(spec: BroadcastModelSpec): ConformanceCase {
  const commands = commandsFor(spec.receives);
  const ids = Object.values(spec.rules).filter((x): x is string => x !== undefined);
  return {
    id: spec.id,
    title: spec.title,
    requirements: [...new Set(ids)],
    kind: "property",
    needs: spec.needs,
    covers: spec.covers,
    timeoutMs: 150000,
    async run(ctx: CaseContext) {
      await checkModelRuns(
        ctx,
        commands,
        {
          async open(ctx, ran) {
            const { sock, url } = await spec.open(ctx);
            const real: Real = { ctx, ran, sock, url, wires: [], spec };
            const model: Model = { peers: [], fromPeers: new Set(), fromApp: new Set(), next: 0 };
            for (let i = 0; i < FIRST_PEERS; i++) await new Join().run(model, real);
            return { model, real };
          },
          finish: nothingLeft,
        },
        { runs: RUNS, timeLimitMs: 130000 },
      );
    },
  };
}
