import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SubscriptionMode, Subscriptions } from "./subscriptions.ts";

const b = (s: string) => Buffer.from(s);

/** The obvious model: a list of (topic, count); match = some topic is a prefix. */
class NaiveModel {
  private readonly topics = new Map<string, number>();
  constructor(private readonly mode: SubscriptionMode) {}
  add(t: Uint8Array): boolean {
    const k = Buffer.from(t).toString("hex");
    const n = this.topics.get(k) ?? 0;
    this.topics.set(k, this.mode === "refcount" ? n + 1 : 1);
    return n === 0;
  }
  remove(t: Uint8Array): boolean {
    const k = Buffer.from(t).toString("hex");
    const n = this.topics.get(k) ?? 0;
    if (n === 0) return false;
    if (this.mode === "refcount" && n > 1) this.topics.set(k, n - 1);
    else this.topics.delete(k);
    return true;
  }
  matches(m: Uint8Array): boolean {
    const hex = Buffer.from(m).toString("hex");
    for (const k of this.topics.keys()) if (hex.startsWith(k)) return true;
    return false;
  }
  get size(): number {
    return this.topics.size;
  }
}

describe("Subscriptions (radix tree)", () => {
  it("matches by byte prefix and delivers nothing when empty", () => {
    const s = new Subscriptions();
    expect(s.matches(b("anything"))).toBe(false);
    s.add(b("weather."));
    expect(s.matches(b("weather.paris"))).toBe(true);
    expect(s.matches(b("weather."))).toBe(true);
    expect(s.matches(b("weather"))).toBe(false);
    expect(s.matches(b("news"))).toBe(false);
  });

  it("empty topic matches everything, including the empty message", () => {
    const s = new Subscriptions();
    s.add(new Uint8Array(0));
    expect(s.matches(new Uint8Array(0))).toBe(true);
    expect(s.matches(b("x"))).toBe(true);
  });

  it("splits and merges edges as topics come and go", () => {
    const s = new Subscriptions();
    s.add(b("abcd"));
    s.add(b("abxy"));
    s.add(b("ab"));
    expect(s.list().map((t) => Buffer.from(t).toString())).toEqual(["ab", "abcd", "abxy"]);
    expect(s.remove(b("ab"))).toBe(true);
    expect(s.matches(b("abz"))).toBe(false);
    expect(s.matches(b("abcde"))).toBe(true);
    expect(s.remove(b("abcd"))).toBe(true);
    expect(s.remove(b("abcd"))).toBe(false);
    expect(s.list().map((t) => Buffer.from(t).toString())).toEqual(["abxy"]);
    expect(s.size).toBe(1);
  });

  it("topics are binary: zero bytes and 0xff work", () => {
    const s = new Subscriptions();
    s.add(new Uint8Array([0, 0xff, 0]));
    expect(s.matches(new Uint8Array([0, 0xff, 0, 7]))).toBe(true);
    expect(s.matches(new Uint8Array([0, 0xff]))).toBe(false);
  });

  it("set mode ignores duplicates; refcount mode needs one remove per add", () => {
    const set = new Subscriptions("set");
    expect(set.add(b("t"))).toBe(true);
    expect(set.add(b("t"))).toBe(false);
    expect(set.remove(b("t"))).toBe(true);
    expect(set.has(b("t"))).toBe(false);
    const rc = new Subscriptions("refcount");
    rc.add(b("t"));
    rc.add(b("t"));
    expect(rc.remove(b("t"))).toBe(true);
    expect(rc.has(b("t"))).toBe(true);
    expect(rc.remove(b("t"))).toBe(true);
    expect(rc.has(b("t"))).toBe(false);
    expect(rc.remove(b("t"))).toBe(false);
  });

  it("keeps its own copy of the topic", () => {
    const s = new Subscriptions();
    const t = b("abc");
    s.add(t);
    t[0] = 0x7a;
    expect(s.matches(b("abc!"))).toBe(true);
  });

  for (const mode of ["set", "refcount"] as const) {
    it(`agrees with a naive list model (${mode}, property)`, () => {
      // Small alphabet so that prefixes, splits and merges happen often.
      const bytes = fc.uint8Array({ maxLength: 6 }).map((a) => a.map((x) => x % 3));
      const op = fc.oneof(
        fc.record({ kind: fc.constant("add" as const), topic: bytes }),
        fc.record({ kind: fc.constant("remove" as const), topic: bytes }),
        fc.record({ kind: fc.constant("match" as const), topic: bytes }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
          const tree = new Subscriptions(mode);
          const model = new NaiveModel(mode);
          for (const o of ops) {
            if (o.kind === "add") expect(tree.add(o.topic)).toBe(model.add(o.topic));
            else if (o.kind === "remove") expect(tree.remove(o.topic)).toBe(model.remove(o.topic));
            else expect(tree.matches(o.topic)).toBe(model.matches(o.topic));
            expect(tree.size).toBe(model.size);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it("match cost does not grow with the number of subscriptions", () => {
    const s = new Subscriptions();
    for (let i = 0; i < 20000; i++) s.add(b(`topic/${i}/x`));
    const msg = b("topic/123/x and a body");
    // Counts edge steps through the public behaviour: a miss after a short shared prefix.
    const t0 = performance.now();
    for (let i = 0; i < 20000; i++) s.matches(msg);
    const many = performance.now() - t0;
    const small = new Subscriptions();
    small.add(b("topic/123/x"));
    const t1 = performance.now();
    for (let i = 0; i < 20000; i++) small.matches(msg);
    const few = performance.now() - t1;
    expect(s.matches(msg)).toBe(true);
    // Generous bound: a linear scan over 20000 topics would be ~1000x slower.
    expect(many).toBeLessThan(few * 20 + 50);
  });
});
