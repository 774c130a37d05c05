/**
 * The SUB subscription tree: random add / remove / match sequences against a
 * naive model (a map of topic -> count; a message matches when some topic is
 * a prefix of it), in both duplicate modes (SP-PUBSUB-3, -4, -15, -16).
 */
import fc from "fast-check";
import { type SubscriptionMode, Subscriptions } from "../../../reference/core/subscriptions.ts";
import type { Rng } from "../rng.ts";
import { type FuzzTarget, invariant } from "../target.ts";

type Op = { op: "add" | "remove" | "match"; bytes: Uint8Array };

/** A subscription mode and an operation sequence. */
export interface SubsInput {
  readonly mode: SubscriptionMode;
  readonly ops: readonly Op[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function check({ mode, ops }: SubsInput): void {
  const subs = new Subscriptions(mode);
  const model = new Map<string, number>();
  const modelMatch = (msg: Uint8Array) => {
    for (const t of model.keys()) {
      const tb = Buffer.from(t, "hex");
      if (tb.length <= msg.length && tb.equals(Buffer.from(msg.subarray(0, tb.length))))
        return true;
    }
    return false;
  };
  for (const { op, bytes } of ops) {
    const k = hex(bytes);
    if (op === "add") {
      const fresh = !model.has(k);
      model.set(k, mode === "refcount" ? (model.get(k) ?? 0) + 1 : 1);
      invariant(subs.add(bytes) === fresh, `add ${k}: wrong "new" answer`);
    } else if (op === "remove") {
      const held = model.get(k) ?? 0;
      if (held > 1) model.set(k, held - 1);
      else model.delete(k);
      invariant(subs.remove(bytes) === held > 0, `remove ${k}: wrong answer`);
    } else {
      invariant(subs.matches(bytes) === modelMatch(bytes), () => `matches ${k} wrong`);
    }
    invariant(subs.size === model.size, () => `size ${subs.size}, model ${model.size}`);
    invariant(subs.countOf(bytes) === (model.get(k) ?? 0), `countOf ${k} wrong`);
    invariant(subs.has(bytes) === model.has(k), `has ${k} wrong`);
  }
  const listed = subs.list().map(hex).sort();
  const want = [...model.keys()].sort();
  invariant(listed.join(",") === want.join(","), "list() differs from the model");
}

/** Topics over a tiny alphabet, so that prefixes are shared and edges split and merge. */
function genBytes(rng: Rng): Uint8Array {
  const n = rng.int(7);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.chance(0.9) ? 0x61 + rng.int(3) : rng.u32() & 0xff;
  return b;
}

const bytesArb = fc
  .uint8Array({ maxLength: 6 })
  .map((a) => a.map((v) => (v < 230 ? 0x61 + (v % 3) : v)));

/** Subscriptions tree vs naive model. */
export const subscriptions: FuzzTarget<SubsInput> = {
  name: "subscriptions",
  about: "radix tree add/remove/matches/list vs naive prefix model, set and refcount modes",
  weight: 0.5,
  arbitrary: fc.record({
    mode: fc.constantFrom<SubscriptionMode>("set", "refcount"),
    ops: fc.array(
      fc.record({ op: fc.constantFrom<Op["op"]>("add", "remove", "match"), bytes: bytesArb }),
      { maxLength: 40 },
    ),
  }),
  generate: (rng) => {
    const ops: Op[] = [];
    for (let i = rng.int(40); i > 0; i--) {
      ops.push({ op: rng.pick(["add", "add", "remove", "match"] as const), bytes: genBytes(rng) });
    }
    return { mode: rng.chance(0.5) ? "set" : "refcount", ops };
  },
  check,
};
