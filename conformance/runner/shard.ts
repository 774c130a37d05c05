/**
 * Deterministic sharding: `--shard i/n` keeps the cases whose id hashes to
 * slot i-1 of n. The split depends only on the case id, so every machine of
 * a CI matrix agrees on it, and adding a case moves no other case.
 */

/** A parsed `--shard i/n` (1-based index). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `i/n` with 1 ≤ i ≤ n.
 *
 * @example
 * parseShard("2/3"); // { index: 2, count: 3 }
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new Error(`--shard wants i/n with 1 ≤ i ≤ n, got ${text}`);
  }
  return { index, count };
}

/** FNV-1a, 32 bits, over the UTF-16 code units of `text`. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Does the case `id` belong to `shard`? */
export function inShard(id: string, shard: Shard): boolean {
  return fnv1a(id) % shard.count === shard.index - 1;
}
