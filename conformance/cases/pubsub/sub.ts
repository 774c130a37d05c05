/**
 * What an IUT SUB does with published messages: prefix matching, the empty
 * topic, no subscription, unsubscribe, nothing sent upstream, close.
 */
import { concat, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  expectMessages,
  iutNothing,
  recvUntilSentinel,
  SENTINEL,
  SUB_TCP,
  subscribe,
  subWithPublisher,
  T,
  unsubscribe,
} from "./common.ts";

const u = utf8;

/** Only messages that begin with a subscribed topic are delivered, whole and in order. */
export const subPrefixFilter: ConformanceCase = {
  id: "pubsub/sub-prefix-filter",
  title: "SUB delivers exactly the messages that begin with a subscribed topic",
  requirements: ["SP-PUBSUB-2", "SP-PUBSUB-3", "SP-PUBSUB-11", "SP-PUBSUB-21"],
  kind: "example",
  needs: SUB_TCP,
  covers: ["sub:empty:subscribe", "sub:subscribed:subscribe"],
  async run(ctx: CaseContext) {
    const binary = new Uint8Array([0x00, 0xff, 0x00]);
    const { sub, pub } = await subWithPublisher(ctx, ["ab", binary, SENTINEL]);
    const sent = [
      u("a"),
      u("abc"),
      u("b"),
      u("ab"),
      u("xab"),
      new Uint8Array([0x00, 0xff]),
      new Uint8Array([0x00, 0xff, 0x00, 0x07]),
      u("Ab"),
      u("ab!"),
    ];
    for (const m of sent) pub.sendFrame(m);
    pub.sendFrame(SENTINEL);
    const got = await recvUntilSentinel(ctx, sub);
    expectMessages(
      ctx,
      got,
      [u("abc"), u("ab"), new Uint8Array([0x00, 0xff, 0x00, 0x07]), u("ab!")],
      "messages delivered for topics 'ab' and 00 ff 00",
    );
  },
};

/** The empty topic matches everything, the empty message included. */
export const subEmptyTopic: ConformanceCase = {
  id: "pubsub/sub-empty-topic",
  title: "SUB subscribed to the empty topic delivers every message",
  requirements: ["SP-PUBSUB-4", "SP-PUBSUB-3"],
  kind: "example",
  needs: SUB_TCP,
  cat: {},
  covers: ["sub:empty:subscribe"],
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, [""]);
    const sent = [u("x"), new Uint8Array(0), new Uint8Array([0, 0, 0, 0]), u("anything at all")];
    for (const m of sent) pub.sendFrame(m);
    pub.sendFrame(SENTINEL);
    expectMessages(ctx, await recvUntilSentinel(ctx, sub), sent, "messages delivered for ''");
  },
};

/** Without a subscription nothing is delivered. */
export const subNoSubscription: ConformanceCase = {
  id: "pubsub/sub-no-subscription",
  title: "SUB with no subscription delivers nothing",
  requirements: ["SP-PUBSUB-5", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SUB_TCP,
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, []);
    for (const m of [u("a"), new Uint8Array(0), SENTINEL]) pub.sendFrame(m);
    await iutNothing(ctx, sub, "no topic is subscribed");
    // And the connection is fine: a subscription now lets messages through.
    await subscribe(sub, "");
    pub.sendFrame(SENTINEL);
    await recvUntilSentinel(ctx, sub);
  },
};

/** Unsubscribing stops delivery; the last topic gone means nothing at all. */
export const subUnsubscribe: ConformanceCase = {
  id: "pubsub/sub-unsubscribe",
  title: "Unsubscribe stops delivery of the topic and leaves the others",
  requirements: ["SP-PUBSUB-14", "SP-PUBSUB-3", "SP-PUBSUB-5", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SUB_TCP,
  covers: [
    "sub:empty:subscribe",
    "sub:subscribed:subscribe",
    "sub:subscribed:unsubscribe",
    "sub:subscribed:unsubscribe[lastTopic]",
  ],
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, ["a", "b", SENTINEL]);
    pub.sendFrame(u("a1"));
    pub.sendFrame(u("b1"));
    pub.sendFrame(SENTINEL);
    expectMessages(ctx, await recvUntilSentinel(ctx, sub), [u("a1"), u("b1")], "before");
    const e1 = await unsubscribe(sub, "a");
    if (e1) ctx.fail(`unsubscribe of a held topic failed with ${e1}`);
    pub.sendFrame(u("a2"));
    pub.sendFrame(u("b2"));
    pub.sendFrame(SENTINEL);
    expectMessages(ctx, await recvUntilSentinel(ctx, sub), [u("b2")], "after unsubscribing 'a'");
    for (const t of ["b", SENTINEL]) {
      const e = await unsubscribe(sub, t);
      if (e) ctx.fail(`unsubscribe of a held topic failed with ${e}`);
    }
    pub.sendFrame(u("a3"));
    pub.sendFrame(u("b3"));
    pub.sendFrame(SENTINEL);
    await iutNothing(ctx, sub, "every topic was unsubscribed");
  },
};

/** Unsubscribing a topic that is not held fails (ENOENT or EINVAL) and changes nothing. */
export const subUnsubscribeUnknown: ConformanceCase = {
  id: "pubsub/sub-unsubscribe-unknown",
  title: "Unsubscribing a topic that is not subscribed fails and leaves the set unchanged",
  requirements: ["SP-PUBSUB-16", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SUB_TCP,
  covers: ["sub:empty:unsubscribe", "sub:subscribed:unsubscribe[!topicKnown]"],
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, []);
    const e0 = await unsubscribe(sub, "never");
    if (!e0) ctx.fail("unsubscribe on an empty set succeeded");
    await subscribe(sub, "k");
    await subscribe(sub, SENTINEL);
    const e1 = await unsubscribe(sub, "kk"); // a longer topic is a different topic
    if (!e1) ctx.fail("unsubscribe of 'kk' succeeded while only 'k' was subscribed");
    for (const e of [e0, e1]) expectErrorName(ctx, e, ["ENOENT", "EINVAL"], "the unsubscribe");
    ctx.note(`error code: ${e0}`);
    pub.sendFrame(u("kk"));
    pub.sendFrame(SENTINEL);
    expectMessages(ctx, await recvUntilSentinel(ctx, sub), [u("kk")], "'k' still subscribed");
  },
};

/** A SUB never writes to its pipes. */
export const subSendsNothing: ConformanceCase = {
  id: "pubsub/sub-sends-nothing",
  title: "SUB sends nothing to its publisher, subscriptions included",
  requirements: ["SP-PUBSUB-7"],
  kind: "example",
  needs: SUB_TCP,
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, ["t"]);
    // A message through the pipe shows it is attached: what follows reaches it if it writes.
    pub.sendFrame(u("t attached"));
    const first = await sub.tryRecv({ timeoutMs: T.prompt });
    if (!first.ok) ctx.fail(`the first matching message was not delivered: ${first.code}`);
    await subscribe(sub, SENTINEL);
    await unsubscribe(sub, "t");
    pub.sendFrame(SENTINEL);
    await recvUntilSentinel(ctx, sub);
    await pub.expectNothing(T.quiet, "a SUB never writes");
  },
};

/** close fails a pending recv with ECLOSED. */
export const subCloseFailsRecv: ConformanceCase = {
  id: "pubsub/sub-close-fails-recv",
  title: "Closing a SUB fails a pending recv with ECLOSED",
  requirements: ["SP-PUBSUB-20", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: SUB_TCP,
  covers: ["sub:subscribed:close"],
  async run(ctx: CaseContext) {
    const { sub, pub } = await subWithPublisher(ctx, ["x"]);
    const pending = sub.tryRecv({ timeoutMs: 5000 });
    await pub.expectNothing(100, "letting the recv be registered");
    await sub.close();
    const r = await pending;
    if (r.ok) ctx.fail("the pending recv delivered a message after close");
    expectErrorName(ctx, r.code, "ECLOSED", "the pending recv");
  },
};

/** A topic of several hundred bytes, 0x00 among them (byte i is 7i mod 256). */
const LONG_TOPIC = new Uint8Array(600).map((_, i) => (i * 7) & 0xff);

/** `LONG_TOPIC` with byte `at` changed. */
function longTopicWith(at: number): Uint8Array {
  const m = LONG_TOPIC.slice();
  m[at] = ((m[at] as number) + 1) & 0xff;
  return m;
}

/**
 * SP-PUBSUB-21: topics of any length are matched on all their bytes. With a
 * 600-byte topic and a second one that shares its first 400 bytes, only the
 * messages that begin with a whole topic are delivered; those that differ
 * late, or stop one byte short, are not.
 */
export const subLongTopic: ConformanceCase = {
  id: "pubsub/sub-long-topic",
  title: "SUB matches a topic of several hundred bytes on every byte",
  requirements: ["SP-PUBSUB-21", "SP-PUBSUB-3"],
  kind: "example",
  needs: SUB_TCP,
  covers: ["sub:empty:subscribe", "sub:subscribed:subscribe"],
  async run(ctx: CaseContext) {
    const branch = concat(LONG_TOPIC.subarray(0, 400), new Uint8Array([0xaa, 0xbb]));
    const { sub, pub } = await subWithPublisher(ctx, [LONG_TOPIC, branch, SENTINEL]);
    const sent = [
      LONG_TOPIC, // the topic itself
      concat(LONG_TOPIC, u("!")), // the topic and more
      longTopicWith(599), // differs in the last byte
      LONG_TOPIC.subarray(0, 599), // one byte short
      longTopicWith(300), // differs past byte 255
      longTopicWith(10),
      concat(branch, u(" branch")), // the second topic
      concat(LONG_TOPIC.subarray(0, 400), new Uint8Array([0xaa])), // one byte short of it
    ];
    for (const m of sent) pub.sendFrame(m);
    pub.sendFrame(SENTINEL);
    expectMessages(
      ctx,
      await recvUntilSentinel(ctx, sub),
      [sent[0] as Uint8Array, sent[1] as Uint8Array, sent[6] as Uint8Array],
      "messages delivered for a 600-byte topic and a 402-byte one",
    );
  },
};

export const subCases = [
  subPrefixFilter,
  subLongTopic,
  subEmptyTopic,
  subNoSubscription,
  subUnsubscribe,
  subUnsubscribeUnknown,
  subSendsNothing,
  subCloseFailsRecv,
];
