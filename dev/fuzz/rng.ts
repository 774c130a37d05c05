/**
 * A small seeded PRNG and the byte-level helpers of the fast mutation loop:
 * every input of that loop is rebuilt from `(seed, index)` alone, so one
 * failing input replays without running the ones before it.
 */

/** Mixes a run seed and an input index into a 32-bit seed (splitmix-style). */
export function mixSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * mulberry32: fast, 32-bit state, good enough to drive a fuzzer.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.int(10); // 0..9
 * ```
 */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** `n` random bytes. */
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) b.writeUInt32LE(this.u32(), i);
    for (; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  /** A small length, skewed towards short: mostly < 16, sometimes up to `max`. */
  size(max: number): number {
    const r = this.int(8);
    if (r < 5) return this.int(Math.min(16, max + 1));
    if (r < 7) return this.int(Math.min(256, max + 1));
    return this.int(max + 1);
  }
}

/** Lengths a decoder may mishandle: 0, boundaries of 8/16/32/53/64-bit values, Buffer limits. */
export const INTERESTING_LENGTHS: readonly number[] = [
  0,
  1,
  7,
  8,
  9,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64 - 1,
];

/** The 8-byte big-endian encoding of `n` (exact for every integer up to 2^64 - 1 as a double). */
export function u64be(n: number): Buffer {
  const b = Buffer.alloc(8);
  const hi = n >= 2 ** 64 - 1 ? 0xffffffff : Math.floor(n / 2 ** 32);
  const lo = n >= 2 ** 64 - 1 ? 0xffffffff : n % 2 ** 32;
  b.writeUInt32BE(hi >>> 0, 0);
  b.writeUInt32BE(lo >>> 0, 4);
  return b;
}

/**
 * Applies 1..4 random edits to a copy of `input`: bit flips, byte overwrites
 * with boundary values, insertions, deletions, truncation, and splicing an
 * interesting 64-bit length at a random offset.
 */
export function mutate(input: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(7)) {
      case 0:
        if (b.length > 0) b[at % b.length] = (b[at % b.length] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length > 0) b[at % b.length] = rng.pick([0, 1, 0x7f, 0x80, 0xff]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(8)))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5: {
        const len = u64be(rng.pick(INTERESTING_LENGTHS));
        b = Buffer.concat([b.subarray(0, at), len, b.subarray(Math.min(b.length, at + 8))]);
        break;
      }
      default:
        if (b.length > 0) b[at % b.length] = rng.u32() & 0xff;
    }
  }
  return b;
}

/** Splits `stream` at random boundaries: one chunk, single bytes, or random sizes. */
export function chunkStream(stream: Buffer, rng: Rng): Buffer[] {
  const mode = rng.int(4);
  if (mode === 0 || stream.length === 0) return [stream];
  const out: Buffer[] = [];
  let off = 0;
  // Long streams get long chunks (the boundaries near the start still vary).
  const scale = stream.length > 4096 ? 4096 : 1;
  while (off < stream.length) {
    const n =
      off > 1024 && scale > 1
        ? 1 + rng.int(scale)
        : mode === 1
          ? 1
          : 1 + rng.int(mode === 2 ? 12 : 64);
    out.push(stream.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** Splits `stream` at the given cut points (sorted, deduplicated, in range). */
export function cutStream(stream: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev) out.push(stream.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  if (prev < stream.length || out.length === 0) out.push(stream.subarray(prev));
  return out;
}
