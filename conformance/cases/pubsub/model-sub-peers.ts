/**
 * Model-based random testing of a SUB with several publishers at once whose
 * subscriptions change while they publish: `pubsub/model-sub-peers`.
 *
 * fast-check draws a sequence of commands (fc.commands, run by
 * fc.asyncModelRun): raw PUB peers publish messages that start with topics of
 * a small alphabet (some bytes 0x00 and 0xff, some prefixes of others, some
 * messages exactly a topic), the application subscribes and unsubscribes and
 * receives. The model is the subscription set and, per pipe, the messages that
 * matched it when they were published. It predicts:
 *
 * - a receive delivers the oldest matching message of some pipe, whole
 *   (SP-PUBSUB-3, SP-PUBSUB-21; the wire orders nothing between pipes, so the
 *   oracle does not either);
 * - with no matching message on its way, nothing is delivered: not a message
 *   that matches no topic (SP-PUBSUB-3), nothing with an empty set
 *   (SP-PUBSUB-5), nothing that only a removed topic matched (SP-PUBSUB-14);
 *   the empty topic matches everything, the empty message included
 *   (SP-PUBSUB-4);
 * - the SUB sends nothing to its publishers (SP-PUBSUB-7, checked at the end).
 *
 * "Messages in flight while the set changed may go either way" (SP-PUBSUB-14),
 * queued ones may be discarded after an unsubscribe (SP-PUBSUB-18), and
 * nanomsg applies its filter only when the application receives: so the set
 * changes only once every message published so far was received or shown to be
 * dropped (a receive that must give nothing, after the messages had time to
 * arrive). A topic is subscribed only while the set does not hold it, so
 * counted and idempotent subscriptions (SP-PUBSUB-15) give the same answer, and
 * only held topics are unsubscribed (nanomsg crashes on an unknown one, see
 * pubsub/sub-unsubscribe-unknown).
 */
import fc from "fast-check";
import { concat, hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { ARRIVE_MS, broke, checkModelRuns, type PeersWorld } from "../common/model-commands.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PUBSUB_PROTO, rawPeer, SUB_TCP, subscribe, T, unsubscribe } from "./common.ts";

/** Property runs, commands per run, and publishers. */
const RUNS = 15;
const MAX_COMMANDS = 50;
const PEERS = 3;

/** Topics and message heads: prefixes of each other, NUL and 0xff, one longer than any topic. */
const TOPICS: readonly Uint8Array[] = [
  new Uint8Array(0),
  utf8("a"),
  utf8("ab"),
  utf8("abc"),
  utf8("b"),
  new Uint8Array([0x00]),
  new Uint8Array([0x00, 0x61]),
  new Uint8Array([0xff]),
];
const HEADS: readonly Uint8Array[] = [...TOPICS, utf8("abcd"), utf8("ac"), utf8("ba")];

/** Bytes after the head that no topic continues with ('#', then a number). */
const MARK = 0x23;

interface PeerModel {
  label: string;
  /** Published messages that matched the set when sent, not yet delivered, oldest first. */
  pending: Uint8Array[];
}

interface Model {
  peers: PeerModel[];
  /** The subscription set, as hex strings of the topics (no duplicates). */
  topics: Set<string>;
  /** Messages published since the last receive-nothing that matched nothing. */
  strays: number;
  /** What the topics removed since the last receive-nothing were (for the verdict). */
  removed: Set<string>;
  next: number;
}

type Real = PeersWorld;

function startsWith(m: Uint8Array, t: Uint8Array): boolean {
  return m.length >= t.length && t.every((b, i) => m[i] === b);
}

function matches(m: Model, msg: Uint8Array): boolean {
  return TOPICS.some((t) => m.topics.has(hex(t)) && startsWith(msg, t));
}

/** Every message published so far was delivered or shown dropped: the set may change. */
function settled(m: Readonly<Model>): boolean {
  return m.strays === 0 && m.peers.every((p) => p.pending.length === 0);
}

class Publish implements fc.AsyncCommand<Model, Real> {
  /** `bare`: the message is the head alone (only peer 0 sends those, so bodies stay told apart). */
  constructor(
    readonly pick: number,
    readonly head: number,
    readonly bare: boolean,
  ) {}
  /**
   * An empty message that the set must filter out is not sent: nanomsg 1.1.5 matches it
   * against its topic trie by reading the byte after the message (trie.c, nn_trie_match
   * with size 0), so its verdict depends on memory it does not own (CI seed 699526703
   * delivered it under [00 | 61]). Empty messages are still sent with no subscription and
   * under the empty topic, where the outcome does not depend on that byte.
   */
  check(m: Readonly<Model>): boolean {
    const empty = this.bare && (HEADS[this.head % HEADS.length] as Uint8Array).length === 0;
    return !empty || m.topics.size === 0 || m.topics.has("");
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const i = this.bare ? 0 : this.pick % m.peers.length;
    const head = HEADS[this.head % HEADS.length] as Uint8Array;
    const msg = this.bare ? head : concat(head, new Uint8Array([MARK]), utf8(`${m.next++}`));
    if (matches(m, msg)) (m.peers[i] as PeerModel).pending.push(msg);
    else m.strays++;
    (r.wires[i] as WirePeer).sendFrame(msg);
  }
  toString(): string {
    const head = hex(HEADS[this.head % HEADS.length] as Uint8Array) || "(empty)";
    return `publish(${this.bare ? 0 : this.pick}, ${head}${this.bare ? ", bare" : ""})`;
  }
}

/** Why delivering `got` is wrong, with its requirement. */
function wrongDelivery(m: Model, got: Uint8Array): never {
  if (m.peers.some((p) => p.pending.some((b) => sameBytes(b, got)))) {
    broke("SP-PUBSUB-3", `delivered ${hex(got)} ahead of an older message of the same pipe`);
  }
  if (m.topics.size === 0) broke("SP-PUBSUB-5", `delivered ${hex(got)} with no subscription`);
  const gone = TOPICS.find((t) => m.removed.has(hex(t)) && startsWith(got, t));
  if (gone !== undefined) {
    broke(
      "SP-PUBSUB-14",
      `delivered ${hex(got)}, which only the unsubscribed topic ${hex(gone) || "(empty)"} matches`,
    );
  }
  const set = [...m.topics].map((t) => t || "(empty)").join(" | ");
  broke("SP-PUBSUB-3", `delivered ${hex(got)}, which matches no topic of [${set}]`);
}

class Receive implements fc.AsyncCommand<Model, Real> {
  check(m: Readonly<Model>): boolean {
    return m.peers.some((p) => p.pending.length > 0);
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const got = await r.sock.tryRecv({ timeoutMs: T.prompt });
    if (!got.ok) {
      const waiting = m.peers.flatMap((p) => p.pending.slice(0, 1).map((b) => hex(b)));
      broke("SP-PUBSUB-3", `recv failed with ${got.code} while [${waiting.join(" | ")}] matched`);
    }
    const i = m.peers.findIndex((p) => p.pending[0] && sameBytes(p.pending[0], got.value));
    if (i < 0) wrongDelivery(m, got.value);
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
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    // Let what was published reach the IUT, so this receive sees it (and must drop it).
    if (m.strays > 0) await sleep(ARRIVE_MS);
    const got = await r.sock.tryRecv({ timeoutMs: T.quiet });
    if (got.ok) wrongDelivery(m, got.value);
    m.strays = 0;
    m.removed.clear();
  }
  toString(): string {
    return "receive-nothing";
  }
}

class Subscribe implements fc.AsyncCommand<Model, Real> {
  constructor(readonly topic: number) {}
  check(m: Readonly<Model>): boolean {
    return settled(m) && !m.topics.has(hex(TOPICS[this.topic] as Uint8Array));
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const t = TOPICS[this.topic] as Uint8Array;
    await subscribe(r.sock, t);
    m.topics.add(hex(t));
    m.removed.delete(hex(t));
  }
  toString(): string {
    return `subscribe(${hex(TOPICS[this.topic] as Uint8Array) || "(empty)"})`;
  }
}

class Unsubscribe implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return settled(m) && m.topics.size > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    r.ran.n++;
    const held = TOPICS.filter((t) => m.topics.has(hex(t)));
    const t = held[this.pick % held.length] as Uint8Array;
    const code = await unsubscribe(r.sock, t);
    if (code !== undefined) {
      broke("SP-PUBSUB-14", `unsubscribe of the held topic ${hex(t) || "(empty)"} failed: ${code}`);
    }
    m.topics.delete(hex(t));
    m.removed.add(hex(t));
  }
  toString(): string {
    return `unsubscribe(${this.pick})`;
  }
}

const pick = fc.nat({ max: 7 });
const commands = fc.commands(
  [
    ...Array.from({ length: 3 }, () =>
      fc
        .tuple(pick, fc.nat({ max: HEADS.length - 1 }), fc.boolean())
        .map(([p, h, bare]) => new Publish(p, h, bare && p % 3 === 0)),
    ),
    ...Array.from({ length: 3 }, () => fc.constant(new Receive())),
    fc.constant(new ReceiveNothing()),
    fc.constant(new ReceiveNothing()),
    ...Array.from({ length: 2 }, () =>
      fc.nat({ max: TOPICS.length - 1 }).map((t) => new Subscribe(t)),
    ),
    pick.map((p) => new Unsubscribe(p)),
  ],
  { maxCommands: MAX_COMMANDS, size: "max" },
);

export const subPeersModel: ConformanceCase = {
  id: "pubsub/model-sub-peers",
  title:
    "SUB with several publishers: random publishes, subscribes, unsubscribes and receives against a model",
  requirements: [
    "SP-PUBSUB-3",
    "SP-PUBSUB-4",
    "SP-PUBSUB-5",
    "SP-PUBSUB-7",
    "SP-PUBSUB-14",
    "SP-PUBSUB-21",
  ],
  kind: "property",
  needs: SUB_TCP,
  covers: [
    "sub:empty:subscribe",
    "sub:subscribed:subscribe",
    "sub:subscribed:unsubscribe[lastTopic]",
  ],
  timeoutMs: 180000,
  async run(ctx: CaseContext) {
    await checkModelRuns<Model, Real>(
      ctx,
      commands,
      {
        async open(ctx, ran) {
          const sock = await openIut(ctx, "sub0");
          const url = await sock.listen(ctx.iutUrl("tcp"));
          const wires: WirePeer[] = [];
          for (let i = 0; i < PEERS; i++) {
            wires.push(
              await rawPeer(ctx, url, PUBSUB_PROTO.pub0, PUBSUB_PROTO.sub0, `pub${i + 1}`),
            );
          }
          const model: Model = {
            peers: wires.map((w) => ({ label: w.label, pending: [] })),
            topics: new Set(),
            strays: 0,
            removed: new Set(),
            next: 0,
          };
          return { model, real: { ctx, ran, sock, wires } };
        },
        async finish(_m, r) {
          // SP-PUBSUB-7: nothing went upstream (every peer's read buffer is empty).
          const sent = r.wires.find((w) => w.buffered > 0);
          if (sent) broke("SP-PUBSUB-7", `the SUB sent ${sent.buffered} bytes to ${sent.label}`);
        },
      },
      { runs: RUNS, timeLimitMs: 160000 },
    );
  },
};

export const subPeersModelCases = [subPeersModel];
