/**
 * Subscription-structure driver (run with --expose-gc): fills the reference
 * SUB's subscription structure (reference/core/subscriptions.ts) with N keys,
 * measures the heap growth per subscription and the time to match a message.
 *
 *   subs.ts random16|prefix N ROUNDS
 * prints `result {subscriptions, bytesPerSubscription, heapBytesPerSubscription,
 * externalBytesPerSubscription, matchNsRounds:[...], insertNsPerSubscription}` or
 * `unavailable <reason>`.
 */
import { pathToFileURL } from "node:url";

const say = (line: string) => process.stdout.write(`${line}\n`);
function unavailable(reason: string): never {
  say(`unavailable ${reason}`);
  process.exit(3);
}

/** The two calls the bench needs, whatever the structure names them. */
interface Structure {
  add(key: Uint8Array): void;
  match(msg: Uint8Array): boolean;
}

const addNames = ["subscribe", "add", "insert"];
const matchNames = ["matches", "match", "test", "has"];

/** Finds a class (or factory) in the module whose instances can add and match. */
function findStructure(mod: Record<string, unknown>): Structure {
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v !== "function") continue;
    let inst: Record<string, unknown> | undefined;
    try {
      inst = (
        v.prototype && Object.getOwnPropertyNames(v.prototype).length > 1
          ? new (v as new () => unknown)()
          : (v as () => unknown)()
      ) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (!inst || typeof inst !== "object") continue;
    const add = addNames.find((n) => typeof inst[n] === "function");
    const match = matchNames.find((n) => typeof inst[n] === "function");
    if (add && match) {
      const a = (inst[add] as (k: Uint8Array) => unknown).bind(inst);
      const m = (inst[match] as (k: Uint8Array) => unknown).bind(inst);
      process.stderr.write(`subs driver: using ${name}.${add}/${match}\n`);
      return { add: (k) => void a(k), match: (k) => Boolean(m(k)) };
    }
  }
  return unavailable(
    `reference/core/subscriptions.ts exports no structure with ${addNames.join("|")} and ${matchNames.join("|")} (exports: ${Object.keys(mod).join(", ")})`,
  );
}

/** A small deterministic PRNG (xorshift32) so runs fill the same keys. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function makeKey(kind: string, i: number, rnd: () => number): Uint8Array {
  if (kind === "prefix") return Buffer.from(`topic.${String(i).padStart(9, "0")}`);
  const k = new Uint8Array(16);
  for (let j = 0; j < 16; j += 4) {
    const r = rnd();
    k[j] = r & 0xff;
    k[j + 1] = (r >>> 8) & 0xff;
    k[j + 2] = (r >>> 16) & 0xff;
    k[j + 3] = r >>> 24;
  }
  return k;
}

function memory(): { heap: number; external: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) unavailable("run with --expose-gc");
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

async function main(): Promise<void> {
  const [kind = "random16", nArg = "1", roundsArg = "5"] = process.argv.slice(2);
  const n = Number(nArg);
  const rounds = Number(roundsArg);
  const path = new URL("../../../reference/core/subscriptions.ts", import.meta.url);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path.pathname).href)) as Record<string, unknown>;
  } catch (e) {
    unavailable(
      `reference/core/subscriptions.ts cannot be loaded (${(e as Error).message.split("\n")[0]})`,
    );
  }
  const s = findStructure(mod);
  const before = memory();
  const rnd = prng(0x5eed);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) s.add(makeKey(kind, i, rnd));
  const insertNs = Number(process.hrtime.bigint() - t0) / n;
  const after = memory();

  // Messages: 500 start with a subscribed key (up to 500 distinct keys, cycled
  // when fewer are subscribed), 500 are random; 64 bytes each. The same mix for
  // every N, so match times compare across N.
  const replay = prng(0x5eed);
  const keys: Uint8Array[] = [];
  const step = Math.max(1, Math.floor(n / 500));
  for (let i = 0; i < n && keys.length < 500; i += step) {
    for (let j = 0; j < step - 1 && kind === "random16"; j++) makeKey(kind, 0, replay);
    keys.push(makeKey(kind, i + step - 1, replay));
  }
  const messages: Uint8Array[] = [];
  for (let i = 0; i < 500; i++) {
    const m = Buffer.alloc(64, "p");
    Buffer.from(keys[i % keys.length] as Uint8Array).copy(m, 0);
    messages.push(m);
  }
  const noise = prng(0xbad);
  while (messages.length < 1000)
    messages.push(Buffer.concat([makeKey("random16", 0, noise), Buffer.alloc(48, "q")]));

  let matched = 0;
  for (const m of messages) if (s.match(m)) matched++;
  const reps = Math.max(1, Math.floor(200_000 / messages.length));
  const matchNsRounds: number[] = [];
  for (let k = 0; k < reps; k++) for (const m of messages) s.match(m); // warm-up (JIT)
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) for (const m of messages) s.match(m);
    matchNsRounds.push(Number(process.hrtime.bigint() - t) / (reps * messages.length));
  }
  const heap = (after.heap - before.heap) / n;
  const external = (after.external - before.external) / n;
  say(
    `result ${JSON.stringify({
      subscriptions: n,
      bytesPerSubscription: heap + external,
      heapBytesPerSubscription: heap,
      externalBytesPerSubscription: external,
      insertNsPerSubscription: insertNs,
      matchedOfMessages: [matched, messages.length],
      matchNsRounds,
    })}`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`subs driver: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(2);
});
