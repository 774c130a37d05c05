/**
 * Model-based random testing of an answering socket (REP or RESPONDENT) with
 * several peers at once: `reqrep/model-rep-peers`,
 * `survey/model-respondent-peers`. The two protocols answer alike (the
 * survey draft defines RESPONDENT's backtrace by REP's), so one model serves
 * both; each case names its own requirement for every rule.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): raw asking peers (REQ or SURVEYOR) join, send questions
 * with random backtraces and leave; the application receives and answers, or
 * answers with nothing held. A small model of the machine and its world
 * predicts what each command must produce:
 *
 * - a receive delivers the oldest undelivered question of some pipe (the wire
 *   gives no order between pipes, so any pipe's oldest will do; within a pipe
 *   the order is kept), and abandons a question still held (`abandon`);
 * - an answer goes to the pipe of the held question, with its backtrace word
 *   for word (`backtrace`), and to no other pipe; with that pipe gone it
 *   vanishes and the send still succeeds (`gone`);
 * - an answer with nothing held fails with ESTATE (`nothingHeld`).
 *
 * A peer checks every frame it reads against the one reply it may get, so a
 * reply on the wrong pipe, a second reply or a reply to an abandoned request
 * fails the step where it shows. Requests of a peer that left may still be
 * delivered (the IUT may have read them already), but only in their order.
 * On failure fast-check shrinks to a short command list and the verdict gives
 * the failing command, the requirement it checks and the replay command.
 */
import fc from "fast-check";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, request, sameBytes, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, CaseNeeds, ConformanceCase } from "../types.ts";
import { expectErrorName } from "./error-name.ts";
import { aliveIndexes, broke, checkModelRuns, type PeersWorld } from "./model-commands.ts";

/** What differs between the REP and the RESPONDENT model. */
export interface AnswerModelSpec {
  id: string;
  title: string;
  needs: CaseNeeds;
  covers: string[];
  /** "request" or "survey". */
  noun: string;
  /** Requirement ids of the rules, as the protocol's draft numbers them. */
  rules: {
    /** Oldest question of some pipe, in order within a pipe; no pipe starved. */
    order: string;
    /** The answer goes to the question's pipe with its backtrace, unchanged. */
    backtrace: string;
    /** An answer with nothing held fails (ESTATE). */
    nothingHeld: string;
    /** An answer whose pipe is gone vanishes; the send succeeds. */
    gone: string;
    /** A new question abandons the held one. */
    abandon: string;
  };
  /** Opens the IUT socket and lets it listen. */
  open(ctx: CaseContext): Promise<{ sock: IutSocket; url: string }>;
  /** Connects one raw asking peer and checks the handshake. */
  peer(ctx: CaseContext, url: string, label: string): Promise<WirePeer>;
}

/** Bounds (ms): something that must happen promptly, and a "nothing more" window. */
const T = { prompt: 2000, quiet: 250 } as const;

/** Property runs, and commands per run. */
const RUNS = 30;
const MAX_COMMANDS = 30;
/** Peers at the start of a run, and at most at once. */
const FIRST_PEERS = 2;
const MAX_PEERS = 4;

/** A request one peer sent: the words ahead of the body (hop words, then the id) and the body. */
interface Sent {
  words: number[];
  body: Uint8Array;
}

interface PeerModel {
  label: string;
  alive: boolean;
  /** Sent and not yet delivered, oldest first. */
  queue: Sent[];
}

interface Model {
  peers: PeerModel[];
  /** The request the REP holds, with the index of its peer. */
  held: { peer: number; sent: Sent } | null;
  next: number;
}

/** The IUT is `sock`; `url` is where peers join; `spec` names the protocol's rules. */
interface Real extends PeersWorld {
  url: string;
  spec: AnswerModelSpec;
}

class Join implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.filter((p) => p.alive).length < MAX_PEERS;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const label = `p${m.peers.length}`;
    r.wires.push(await r.spec.peer(r.ctx, r.url, label));
    m.peers.push({ label, alive: true, queue: [] });
  }
  toString(): string {
    return "join";
  }
}

class Leave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return m.peers.filter((p) => p.alive).length > 1;
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

class Request implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly hops: number[],
    readonly id: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.peers.some((p) => p.alive);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const alive = aliveIndexes(m.peers);
    const i = alive[this.pick % alive.length] as number;
    const peer = m.peers[i] as PeerModel;
    const sent: Sent = { words: [...this.hops, this.id], body: utf8(`${peer.label}#${m.next++}`) };
    peer.queue.push(sent);
    (r.wires[i] as WirePeer).sendFrame(request({ hops: this.hops, id: this.id, body: sent.body }));
  }
  toString(): string {
    return `ask(${this.pick}, hops ${this.hops.length}, id ${this.id.toString(16)})`;
  }
}

class Receive implements fc.AsyncCommand<Model, Real> {
  // Only when a peer that is still there has a request on its way: the receive must complete.
  check(m: Readonly<Model>): boolean {
    return m.peers.some((p) => p.alive && p.queue.length > 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const { noun, rules } = r.spec;
    const got = await r.sock.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) {
      broke(rules.order, `recv failed with ${got.code} while ${noun}s were waiting`);
    }
    const i = m.peers.findIndex((p) => p.queue[0] && sameBytes(p.queue[0].body, got.value));
    if (i < 0) {
      const later = m.peers.find((p) => p.queue.some((s) => sameBytes(s.body, got.value)));
      broke(
        rules.order,
        later
          ? `delivered ${hex(got.value)} of ${later.label} ahead of an older ${noun} of the same pipe`
          : `delivered ${hex(got.value)}, which no peer has waiting`,
      );
    }
    const peer = m.peers[i] as PeerModel;
    // A question still held is abandoned (rules.abandon); its peer must never get an answer.
    m.held = { peer: i, sent: peer.queue.shift() as Sent };
  }
  toString(): string {
    return "receive";
  }
}

class Reply implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.held !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const { noun, rules } = r.spec;
    const held = m.held as NonNullable<Model["held"]>;
    m.held = null;
    const body = concat(utf8("re:"), held.sent.body);
    const sent = await r.sock.trySend(body, { timeoutMs: T.prompt });
    const peer = m.peers[held.peer] as PeerModel;
    if (!peer.alive) {
      // The pipe is gone: the answer vanishes, and the send still succeeds.
      if (!sent.ok)
        broke(rules.gone, `an answer to ${peer.label}, which left, failed with ${sent.code}`);
      return;
    }
    if (!sent.ok) broke(rules.backtrace, `the answer to ${peer.label} failed with ${sent.code}`);
    const want = concat(words(...held.sent.words), body);
    let frame: Uint8Array;
    try {
      frame = await (r.wires[held.peer] as WirePeer).readFrame(T.prompt);
    } catch (e) {
      broke(rules.backtrace, `${peer.label} got no answer to its ${noun}: ${(e as Error).message}`);
    }
    if (!sameBytes(frame, want)) {
      broke(rules.backtrace, `${peer.label} got ${hex(frame)}, expected ${hex(want)}`);
    }
  }
  toString(): string {
    return "reply";
  }
}

class ReplyNothingHeld implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.held === null;
  }
  async run(_m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const { noun, rules } = r.spec;
    const sent = await r.sock.trySend(utf8("unasked"), { timeoutMs: T.prompt });
    if (sent.ok) broke(rules.nothingHeld, `a send with no ${noun} held succeeded`);
    expectErrorName(r.ctx, sent.code, "ESTATE", `a send with no ${noun} held`);
  }
  toString(): string {
    return "reply-nothing-held";
  }
}

const hopWord = fc.integer({ min: 0, max: 0x7fffffff });
// Requests, receives and replies carry the rules; joins and leaves vary the pipes under them.
const commands = fc.commands(
  [
    fc.constant(new Join()),
    fc.nat({ max: 7 }).map((p) => new Leave(p)),
    ...Array.from({ length: 3 }, () =>
      fc
        .tuple(
          fc.nat({ max: 7 }),
          fc.array(hopWord, { maxLength: 3 }),
          fc.integer({ min: 0x80000000, max: 0xffffffff }),
        )
        .map(([p, hops, id]) => new Request(p, hops, id)),
    ),
    ...Array.from({ length: 3 }, () => fc.constant(new Receive())),
    ...Array.from({ length: 3 }, () => fc.constant(new Reply())),
    fc.constant(new ReplyNothingHeld()),
  ],
  { maxCommands: MAX_COMMANDS, size: "max" },
);

/** No peer may have a frame waiting when the run ends: every answer was accounted for. */
async function nothingLeft(m: Model, r: Real): Promise<void> {
  await Promise.all(
    m.peers.map(async (p, i) => {
      if (!p.alive) return;
      const q = await (r.wires[i] as WirePeer).quiet(T.quiet);
      if (q.kind === "data") {
        broke(
          r.spec.rules.backtrace,
          `${p.label} got ${hex(q.bytes)}, which answers none of its ${r.spec.noun}s`,
        );
      }
    }),
  );
}

/** The model case for one answering protocol. */
export function answerPeersModel(spec: AnswerModelSpec): ConformanceCase {
  const { rules } = spec;
  return {
    id: spec.id,
    title: spec.title,
    requirements: [rules.backtrace, rules.nothingHeld, rules.gone, rules.abandon, rules.order],
    kind: "property",
    needs: spec.needs,
    covers: spec.covers,
    timeoutMs: 120000,
    async run(ctx: CaseContext) {
      await checkModelRuns(
        ctx,
        commands,
        {
          async open(ctx, ran) {
            const { sock, url } = await spec.open(ctx);
            const real: Real = { ctx, ran, sock, url, wires: [], spec };
            const model: Model = { peers: [], held: null, next: 0 };
            for (let i = 0; i < FIRST_PEERS; i++) await new Join().run(model, real);
            return { model, real };
          },
          finish: nothingLeft,
        },
        { runs: RUNS, timeLimitMs: 100000 },
      );
    },
  };
}
