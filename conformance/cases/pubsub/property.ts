/**
 * Property: for random subscription sets (with some topics unsubscribed
 * again) and random messages over a small alphabet, the IUT SUB delivers
 * exactly the messages a naive prefix model selects, in order.
 * Duplicates are avoided so that counted and idempotent subscriptions
 * (SP-PUBSUB-15) give the same answer. Seeded from `--seed`.
 */
import fc from "fast-check";
import { hex, sameBytes } from "../../harness/sp.ts";
import { checkProperty } from "../common/property.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  openIut,
  PUBSUB_PROTO,
  rawPeer,
  SENTINEL,
  SUB_TCP,
  subscribe,
  T,
  unsubscribe,
} from "./common.ts";

const NUM_RUNS = 25;
/** Bytes 0..3 only: prefixes collide often; the sentinel starts with 0xee. */
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => a.map((x) => x % 4));

const arbScenario = fc.record({
  topics: fc.uniqueArray(bytes(3), { maxLength: 5, selector: (t) => hex(t) }),
  dropMask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
  messages: fc.array(bytes(5), { maxLength: 12 }),
});

function startsWith(m: Uint8Array, t: Uint8Array): boolean {
  return m.length >= t.length && t.every((b, i) => m[i] === b);
}

export const subFilterProperty: ConformanceCase = {
  id: "pubsub/sub-filter-property",
  title: "Random topics and messages: SUB delivers what a naive prefix model selects (property)",
  requirements: ["SP-PUBSUB-3", "SP-PUBSUB-4", "SP-PUBSUB-5", "SP-PUBSUB-14", "SP-PUBSUB-21"],
  kind: "property",
  needs: SUB_TCP,
  // Not sub:subscribed:unsubscribe[lastTopic]: the sentinel stays subscribed throughout.
  covers: ["sub:empty:subscribe", "sub:subscribed:subscribe", "sub:subscribed:unsubscribe"],
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    let n = 0;
    const property = fc.asyncProperty(arbScenario, async (s) => {
      const sub = await openIut(ctx, "sub0");
      try {
        for (const t of s.topics) await subscribe(sub, t);
        await subscribe(sub, SENTINEL);
        const kept = s.topics.filter((_, i) => !s.dropMask[i]);
        for (const t of s.topics.filter((_, i) => s.dropMask[i])) {
          const e = await unsubscribe(sub, t);
          if (e) throw new Error(`unsubscribe ${hex(t)} failed with ${e}`);
        }
        const url = await sub.listen(ctx.iutUrl("tcp"));
        const pub = await rawPeer(ctx, url, PUBSUB_PROTO.pub0, PUBSUB_PROTO.sub0, `pub${++n}`);
        for (const m of s.messages) pub.sendFrame(m);
        pub.sendFrame(SENTINEL);
        const expected = s.messages.filter((m) => kept.some((t) => startsWith(m, t)));
        const got: Uint8Array[] = [];
        for (;;) {
          const m = await sub.recv({ timeoutMs: T.prompt });
          if (sameBytes(m, SENTINEL)) break;
          got.push(m);
          if (got.length > s.messages.length) break;
        }
        const same =
          got.length === expected.length &&
          got.every((m, i) => sameBytes(m, expected[i] as Uint8Array));
        if (!same) {
          throw new Error(
            `topics [${kept.map((t) => hex(t)).join(" | ")}]: delivered [${got.map((m) => hex(m)).join(" | ")}], model [${expected.map((m) => hex(m)).join(" | ")}]`,
          );
        }
        pub.close();
      } finally {
        await sub.close();
      }
    });
    const details = await checkProperty(ctx, property, { numRuns: NUM_RUNS });
    ctx.note(`${details.numRuns} runs, seed ${details.seed}`);
  },
};

export const propertyCases = [subFilterProperty];
