/**
 * A subscription set for SUB sockets: a compact radix (patricia) tree over
 * topic bytes, stored flat in typed arrays rather than as JS objects. Matching
 * walks at most one edge per distinct topic prefix of the message and finds
 * each kid in one step (a 256-slot table for wide nodes) or a scan of at most
 * 32 contiguous bytes, so its cost depends on the length of the message's
 * matching prefix, never on the number of subscriptions (SP-PUBSUB-3). The
 * layout keeps the cache lines touched per edge few.
 *
 * Layout (every array grows by half when full):
 * - `nodes` (Int32Array, 8 words = 32 bytes per node): label offset, label
 *   length, subscription count (0 = no topic ends here), kids (0 = none, > 0 a
 *   listed block, < 0 a byte table at the negated offset), then 16 bytes that
 *   hold the label itself when it is at most 16 bytes long. Node 0 is the root
 *   (empty label), so 0 never names a kid. Freed nodes go on a free list.
 * - `labels` (Uint8Array): labels longer than 16 bytes. Splitting an edge
 *   shares the bytes; freed bytes are reclaimed by compacting the arena (a
 *   tree walk that copies the live labels) once they are half of it.
 * - `kids` (Int32Array; word 0 unused): kid blocks. Word 0 of a block is a
 *   header `count << 8 | byteWords << 4 | class`. A listed block of class c
 *   holds up to CAP[c] kids: their first label bytes packed four to a word,
 *   then their node ids. A byte table (class DIRECT) has 257 words and is
 *   indexed by byte (0 = no kid). Freed blocks go on a free list per class.
 */

/** How duplicate subscriptions behave (SP-PUBSUB-15; documented per SP-PUBSUB-27). */
export type SubscriptionMode =
  /** A duplicate subscribe has no effect; one unsubscribe removes the topic (as NNG). */
  | "set"
  /** Subscriptions are counted; a topic stays until unsubscribed as often (as nanomsg). */
  | "refcount";

/** Sizes of the flat arrays behind a {@link Subscriptions}; for diagnostics and tests. */
export interface SubscriptionsFootprint {
  /** Live tree nodes (the root included). */
  readonly nodes: number;
  /** Node records allocated (live + free). */
  readonly nodeCapacity: number;
  /** Arena bytes in use by live labels (labels over 16 bytes). */
  readonly labelBytes: number;
  /** Length of the label arena. */
  readonly labelCapacity: number;
  /** Kid-block words handed out (live + on free lists). */
  readonly kidWords: number;
  /** Length of the kid arena. */
  readonly kidCapacity: number;
  /** Bytes of all backing arrays together. */
  readonly bytes: number;
}

// Node record words; the label lives in words 4..7 when it is at most INLINE bytes.
const STRIDE = 8;
const OFF = 0;
const LEN = 1;
const COUNT = 2;
const KIDS = 3;
const INLINE = 16;
const NONE = -1;
/** Kid bytes are scanned a word at a time where the byte order allows. */
const LITTLE_ENDIAN = new Uint8Array(Int32Array.of(1).buffer)[0] === 1;
/** Byte offset of a node's inline label inside the node array. */
const inlineAt = (node: number) => node * STRIDE * 4 + 16;
/** Arena bytes a label of `n` bytes takes. */
const arenaLen = (n: number) => (n > INLINE ? n : 0);

// Kid-block classes: listed 0..MAX_LIST (capacity, words of packed bytes), and DIRECT.
const CAP = Int32Array.of(2, 4, 8, 16, 32);
const BYTE_WORDS = Int32Array.of(1, 1, 2, 4, 8);
const MAX_LIST = 4;
const DIRECT = 15;
/** A byte table shrinks back to a listed block when its kids drop to this many. */
const DIRECT_SHRINK = 16;
const wordsOf = (cls: number) =>
  cls === DIRECT ? 257 : 1 + (BYTE_WORDS[cls] as number) + (CAP[cls] as number);

function growI32(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.max(need, Math.ceil(a.length * 1.5) + 16));
  out.set(a);
  return out;
}

/**
 * Byte-prefix subscription set.
 *
 * @example
 * ```ts
 * const subs = new Subscriptions();
 * subs.add(Buffer.from("weather."));
 * subs.matches(Buffer.from("weather.paris 21C")); // true
 * subs.matches(Buffer.from("news")); // false
 * subs.remove(Buffer.from("weather.")); // true
 * ```
 */
export class Subscriptions {
  readonly mode: SubscriptionMode;
  private topics = 0;

  private nodes = new Int32Array(4 * STRIDE);
  private nodeBytes = new Uint8Array(this.nodes.buffer);
  private nodeTop = 1; // node 0 is the root
  private nodeFree = NONE;
  private nodeLive = 1;

  private labels = new Uint8Array(0);
  private labelUsed = 0;
  private labelLive = 0;

  private kids = new Int32Array(32);
  private kidBytes = new Uint8Array(this.kids.buffer);
  private kidTop = 1; // 0 means "no block"
  private readonly kidFree = new Int32Array(DIRECT + 1).fill(NONE);

  constructor(mode: SubscriptionMode = "set") {
    this.mode = mode;
  }

  /** Number of distinct topics held. */
  get size(): number {
    return this.topics;
  }

  /** True when the topic is held (exact match, not prefix). */
  has(topic: Uint8Array): boolean {
    return this.countOf(topic) > 0;
  }

  /** How many times `topic` is subscribed (0, or 1 in `set` mode). */
  countOf(topic: Uint8Array): number {
    const node = this.find(topic);
    return node === NONE ? 0 : (this.nodes[node * STRIDE + COUNT] as number);
  }

  /**
   * Adds `topic` (any bytes, possibly empty). In `set` mode a duplicate is a
   * no-op; in `refcount` mode it raises the count. Returns true when the topic
   * is new. The bytes are copied: callers may reuse their buffer.
   */
  add(topic: Uint8Array): boolean {
    let node = 0;
    let pos = 0;
    for (;;) {
      if (pos === topic.length) return this.mark(node);
      const byte = topic[pos] as number;
      const kid = this.kidOf(node, byte);
      if (kid === 0) {
        this.addKid(node, byte, this.newLeaf(topic, pos));
        this.topics++;
        return true;
      }
      const ll = this.nodes[kid * STRIDE + LEN] as number;
      const common = this.commonPrefix(kid, topic, pos);
      node = common < ll ? this.split(node, byte, kid, common) : kid;
      pos += common;
    }
  }

  /**
   * Removes one subscription of `topic`. Returns false (and changes nothing)
   * when the topic is not held (SP-PUBSUB-16). In `refcount` mode the topic
   * stays while its count is above zero.
   */
  remove(topic: Uint8Array): boolean {
    const path: number[] = [0]; // so that emptied nodes can be pruned and merged
    let node = 0;
    let pos = 0;
    while (pos < topic.length) {
      const kid = this.kidOf(node, topic[pos] as number);
      if (kid === 0) return false;
      const ll = this.nodes[kid * STRIDE + LEN] as number;
      if (this.commonPrefix(kid, topic, pos) !== ll) return false;
      pos += ll;
      node = kid;
      path.push(node);
    }
    const at = node * STRIDE + COUNT;
    const count = this.nodes[at] as number;
    if (count === 0) return false;
    if (this.mode === "refcount" && count > 1) {
      this.nodes[at] = count - 1;
      return true;
    }
    this.nodes[at] = 0;
    this.topics--;
    this.prune(path);
    return true;
  }

  /** True when `msg` begins with some held topic; the empty topic matches everything (SP-PUBSUB-4). */
  matches(msg: Uint8Array): boolean {
    const nodes = this.nodes;
    const nodeBytes = this.nodeBytes;
    const labels = this.labels;
    const kids = this.kids;
    const len = msg.length;
    let base = 0;
    let pos = 0;
    for (;;) {
      if ((nodes[base + COUNT] as number) > 0) return true;
      const block = nodes[base + KIDS] as number;
      if (pos >= len || block === 0) return false;
      const byte = msg[pos] as number;
      let kid = 0;
      if (block < 0) kid = kids[1 + byte - block] as number;
      else if (LITTLE_ENDIAN) {
        // Four packed bytes per step: a zero byte in `x` marks the kid's byte.
        const head = kids[block] as number;
        const n = head >>> 8;
        const pattern = Math.imul(byte, 0x01010101);
        for (let w = 0; w * 4 < n; w++) {
          const x = (kids[block + 1 + w] as number) ^ pattern;
          const hit = (x - 0x01010101) & ~x & 0x80808080;
          if (hit !== 0) {
            const i = w * 4 + ((31 - Math.clz32(hit & -hit)) >>> 3);
            if (i < n) kid = kids[block + 1 + ((head >>> 4) & 15) + i] as number;
            break;
          }
        }
      } else kid = this.kidOf(base / STRIDE, byte);
      if (kid === 0) return false;
      base = kid * STRIDE;
      const ll = nodes[base + LEN] as number;
      if (len - pos < ll) return false;
      if (ll <= INLINE) {
        const from = base * 4 + 16 - pos;
        for (let i = pos + 1; i < pos + ll; i++) if (nodeBytes[from + i] !== msg[i]) return false;
      } else {
        const from = (nodes[base + OFF] as number) - pos;
        for (let i = pos + 1; i < pos + ll; i++) if (labels[from + i] !== msg[i]) return false;
      }
      pos += ll;
    }
  }

  /** Every held topic (each once), in byte order of the tree walk; for diagnostics and tests. */
  list(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const walk = (node: number, prefix: Uint8Array) => {
      const label = this.labelOf(node);
      const here = new Uint8Array(prefix.length + label.length);
      here.set(prefix, 0);
      here.set(label, prefix.length);
      if ((this.nodes[node * STRIDE + COUNT] as number) > 0) out.push(here);
      for (const [, kid] of this.kidsSorted(node)) walk(kid, here);
    };
    walk(0, new Uint8Array(0));
    return out;
  }

  /** Removes every topic and releases the arrays. */
  clear(): void {
    this.topics = 0;
    this.nodes = new Int32Array(4 * STRIDE);
    this.nodeBytes = new Uint8Array(this.nodes.buffer);
    this.nodeTop = 1;
    this.nodeFree = NONE;
    this.nodeLive = 1;
    this.labels = new Uint8Array(0);
    this.labelUsed = 0;
    this.labelLive = 0;
    this.kids = new Int32Array(32);
    this.kidBytes = new Uint8Array(this.kids.buffer);
    this.kidTop = 1;
    this.kidFree.fill(NONE);
  }

  /**
   * Sizes of the backing arrays (diagnostics; the memory bound under churn is tested on it).
   *
   * @example
   * ```ts
   * const subs = new Subscriptions();
   * subs.add(Buffer.from("a"));
   * subs.footprint().nodes; // 2: the root and "a"
   * ```
   */
  footprint(): SubscriptionsFootprint {
    return {
      nodes: this.nodeLive,
      nodeCapacity: Math.floor(this.nodes.length / STRIDE),
      labelBytes: this.labelLive,
      labelCapacity: this.labels.length,
      kidWords: this.kidTop,
      kidCapacity: this.kids.length,
      bytes: this.nodes.byteLength + this.labels.byteLength + this.kids.byteLength,
    };
  }

  private mark(node: number): boolean {
    const at = node * STRIDE + COUNT;
    const count = this.nodes[at] as number;
    if (count > 0) {
      if (this.mode === "refcount") this.nodes[at] = count + 1;
      return false;
    }
    this.nodes[at] = 1;
    this.topics++;
    return true;
  }

  /** The node whose path spells exactly `topic`, or NONE. */
  private find(topic: Uint8Array): number {
    let node = 0;
    let pos = 0;
    while (pos < topic.length) {
      const kid = this.kidOf(node, topic[pos] as number);
      if (kid === 0) return NONE;
      const ll = this.nodes[kid * STRIDE + LEN] as number;
      if (this.commonPrefix(kid, topic, pos) !== ll) return NONE;
      pos += ll;
      node = kid;
    }
    return node;
  }

  /** Keeps the tree compact after `path`'s last node lost its topic. */
  private prune(path: number[]): void {
    for (let i = path.length - 1; i > 0; i--) {
      const node = path[i] as number;
      const b = node * STRIDE;
      if ((this.nodes[b + COUNT] as number) > 0) return;
      const block = Math.abs(this.nodes[b + KIDS] as number);
      const kids = block === 0 ? 0 : (this.kids[block] as number) >>> 8;
      if (kids === 0) {
        this.removeKid(path[i - 1] as number, this.labelOf(node)[0] as number);
        this.labelLive -= arenaLen(this.nodes[b + LEN] as number);
        this.freeNode(node);
        continue; // the parent may now be an empty pass-through node
      }
      if (kids === 1) this.mergeOnlyKid(node);
      return;
    }
  }

  // ---- labels ----

  /** A view of the node's label (valid until the next change). */
  private labelOf(node: number): Uint8Array {
    const n = this.nodes[node * STRIDE + LEN] as number;
    if (n <= INLINE) return this.nodeBytes.subarray(inlineAt(node), inlineAt(node) + n);
    const off = this.nodes[node * STRIDE + OFF] as number;
    return this.labels.subarray(off, off + n);
  }

  /** Length of the common prefix of the node's label and `key[pos..]`. */
  private commonPrefix(node: number, key: Uint8Array, pos: number): number {
    const n = this.nodes[node * STRIDE + LEN] as number;
    const src = n <= INLINE ? this.nodeBytes : this.labels;
    const from = n <= INLINE ? inlineAt(node) : (this.nodes[node * STRIDE + OFF] as number);
    const max = Math.min(n, key.length - pos);
    let i = 0;
    while (i < max && src[from + i] === key[pos + i]) i++;
    return i;
  }

  /** A new node without kids whose label is `topic[from..]`, holding the topic once. */
  private newLeaf(topic: Uint8Array, from: number): number {
    const n = topic.length - from;
    const node = this.allocNode();
    const b = node * STRIDE;
    this.nodes[b + LEN] = n;
    this.nodes[b + COUNT] = 1;
    this.nodes[b + KIDS] = 0;
    if (n <= INLINE) this.nodeBytes.set(topic.subarray(from), inlineAt(node));
    else {
      const off = this.allocLabel(n);
      this.labels.set(topic.subarray(from), off);
      this.nodes[b + OFF] = off;
    }
    return node;
  }

  /**
   * Splits the edge to `kid` (the kid of `parent` under `byte`) after `common`
   * bytes: a new node takes the shared bytes, `kid` keeps the rest. Returns
   * the new node.
   */
  private split(parent: number, byte: number, kid: number, common: number): number {
    const mid = this.allocNode(); // may grow the node array: read it after
    const nodes = this.nodes;
    const bytes = this.nodeBytes;
    const kb = kid * STRIDE;
    const mb = mid * STRIDE;
    const ll = nodes[kb + LEN] as number;
    const rest = ll - common;
    nodes[mb + LEN] = common;
    nodes[mb + COUNT] = 0;
    nodes[mb + KIDS] = 0;
    if (ll <= INLINE) {
      bytes.copyWithin(inlineAt(mid), inlineAt(kid), inlineAt(kid) + common);
      bytes.copyWithin(inlineAt(kid), inlineAt(kid) + common, inlineAt(kid) + ll);
    } else {
      const off = nodes[kb + OFF] as number;
      if (common <= INLINE) bytes.set(this.labels.subarray(off, off + common), inlineAt(mid));
      else nodes[mb + OFF] = off; // share the arena bytes
      if (rest <= INLINE) bytes.set(this.labels.subarray(off + common, off + ll), inlineAt(kid));
      else nodes[kb + OFF] = off + common;
      this.labelLive += arenaLen(common) + arenaLen(rest) - ll;
    }
    nodes[kb + LEN] = rest;
    this.replaceKid(parent, byte, mid);
    this.addKid(mid, this.labelOf(kid)[0] as number, kid);
    return mid;
  }

  /** Folds the only kid of `node` into it (the edge labels are joined). */
  private mergeOnlyKid(node: number): void {
    const b = node * STRIDE;
    const block = Math.abs(this.nodes[b + KIDS] as number);
    const only = (this.blockKids(block)[0] as [number, number])[1];
    const ob = only * STRIDE;
    const la = this.nodes[b + LEN] as number;
    const lb = this.nodes[ob + LEN] as number;
    if (la + lb <= INLINE) {
      this.nodeBytes.copyWithin(inlineAt(node) + la, inlineAt(only), inlineAt(only) + lb);
    } else if (
      la <= INLINE ||
      lb <= INLINE ||
      (this.nodes[b + OFF] as number) + la !== this.nodes[ob + OFF]
    ) {
      // Not already adjacent in the arena: copy both into fresh space.
      const dst = this.allocLabel(la + lb); // may compact the arena: read the labels after it
      this.labels.set(this.labelOf(node), dst);
      this.labels.set(this.labelOf(only), dst + la);
      this.nodes[b + OFF] = dst;
      this.labelLive -= arenaLen(la) + arenaLen(lb); // the old ranges are garbage now
    }
    this.nodes[b + LEN] = la + lb;
    this.nodes[b + COUNT] = this.nodes[ob + COUNT] as number;
    this.nodes[b + KIDS] = this.nodes[ob + KIDS] as number;
    this.freeBlock(block);
    this.freeNode(only);
  }

  /** Reserves `n` arena bytes; compacts the arena instead of growing it when half is garbage. */
  private allocLabel(n: number): number {
    if (this.labelUsed + n > this.labels.length) {
      if ((this.labelUsed - this.labelLive) * 2 >= this.labelUsed) this.compactLabels(n);
      if (this.labelUsed + n > this.labels.length) {
        const size = Math.max(this.labelUsed + n, Math.ceil(this.labels.length * 1.5) + 64);
        const out = new Uint8Array(size);
        out.set(this.labels.subarray(0, this.labelUsed));
        this.labels = out;
      }
    }
    const off = this.labelUsed;
    this.labelUsed += n;
    this.labelLive += n;
    return off;
  }

  /** Copies every live arena label into a fresh arena, in tree order (a node, then its kids). */
  private compactLabels(extra: number): void {
    const old = this.labels;
    const out = new Uint8Array(Math.ceil((this.labelLive + extra) * 1.5));
    const nodes = this.nodes;
    let top = 0;
    const stack: number[] = [0];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      const b = node * STRIDE;
      const ll = nodes[b + LEN] as number;
      if (ll > INLINE) {
        const lo = nodes[b + OFF] as number;
        out.set(old.subarray(lo, lo + ll), top);
        nodes[b + OFF] = top;
        top += ll;
      }
      const kids = this.kidsSorted(node);
      for (let i = kids.length - 1; i >= 0; i--) stack.push((kids[i] as [number, number])[1]);
    }
    this.labels = out;
    this.labelUsed = top;
    this.labelLive = top;
  }

  // ---- nodes ----

  private allocNode(): number {
    this.nodeLive++;
    if (this.nodeFree !== NONE) {
      const node = this.nodeFree;
      this.nodeFree = this.nodes[node * STRIDE + OFF] as number;
      return node;
    }
    if ((this.nodeTop + 1) * STRIDE > this.nodes.length) {
      this.nodes = growI32(this.nodes, (this.nodeTop + 1) * STRIDE);
      this.nodeBytes = new Uint8Array(this.nodes.buffer);
    }
    return this.nodeTop++;
  }

  private freeNode(node: number): void {
    const b = node * STRIDE;
    this.nodes[b + OFF] = this.nodeFree;
    this.nodes[b + LEN] = 0;
    this.nodes[b + COUNT] = 0;
    this.nodes[b + KIDS] = 0;
    this.nodeFree = node;
    this.nodeLive--;
  }

  // ---- kid blocks ----

  private kidOf(node: number, byte: number): number {
    const block = this.nodes[node * STRIDE + KIDS] as number;
    if (block === 0) return 0;
    if (block < 0) return this.kids[1 + byte - block] as number;
    const head = this.kids[block] as number;
    const at = (block + 1) * 4;
    for (let i = 0; i < head >>> 8; i++) {
      if (this.kidBytes[at + i] === byte)
        return this.kids[block + 1 + ((head >>> 4) & 15) + i] as number;
    }
    return 0;
  }

  /** The kids of `node` as [first byte, node] pairs, in byte order. */
  private kidsSorted(node: number): [number, number][] {
    const block = Math.abs(this.nodes[node * STRIDE + KIDS] as number);
    return block === 0 ? [] : this.blockKids(block);
  }

  /** The kids in `block` as [first byte, node] pairs, in byte order. */
  private blockKids(block: number): [number, number][] {
    const out: [number, number][] = [];
    const head = this.kids[block] as number;
    if ((head & 15) === DIRECT) {
      for (let byte = 0; byte < 256; byte++) {
        const kid = this.kids[block + 1 + byte] as number;
        if (kid !== 0) out.push([byte, kid]);
      }
      return out;
    }
    const ids = block + 1 + ((head >>> 4) & 15);
    for (let i = 0; i < head >>> 8; i++) {
      out.push([this.kidBytes[(block + 1) * 4 + i] as number, this.kids[ids + i] as number]);
    }
    return out.sort((x, y) => x[0] - y[0]);
  }

  /** Puts a kid into `block` (which has room) and bumps its count. */
  private putKid(block: number, byte: number, kid: number): void {
    const head = this.kids[block] as number;
    const count = head >>> 8;
    if ((head & 15) === DIRECT) this.kids[block + 1 + byte] = kid;
    else {
      this.kidBytes[(block + 1) * 4 + count] = byte;
      this.kids[block + 1 + ((head >>> 4) & 15) + count] = kid;
    }
    this.kids[block] = head + (1 << 8);
  }

  private addKid(node: number, byte: number, kid: number): void {
    const at = node * STRIDE + KIDS;
    let block = Math.abs(this.nodes[at] as number);
    if (block === 0) {
      block = this.allocBlock(0);
      this.nodes[at] = block;
    }
    const head = this.kids[block] as number;
    const cls = head & 15;
    if (cls !== DIRECT && head >>> 8 === CAP[cls]) {
      // Full: move to the next class, or to a byte table past the largest list.
      block = this.moveKids(block, cls === MAX_LIST ? DIRECT : cls + 1);
      this.nodes[at] = cls === MAX_LIST ? -block : block;
    }
    this.putKid(block, byte, kid);
  }

  private replaceKid(node: number, byte: number, kid: number): void {
    const block = this.nodes[node * STRIDE + KIDS] as number;
    if (block < 0) {
      this.kids[1 + byte - block] = kid;
      return;
    }
    const head = this.kids[block] as number;
    const ids = block + 1 + ((head >>> 4) & 15);
    for (let i = 0; i < head >>> 8; i++) {
      if (this.kidBytes[(block + 1) * 4 + i] === byte) this.kids[ids + i] = kid;
    }
  }

  private removeKid(node: number, byte: number): void {
    const at = node * STRIDE + KIDS;
    const block = Math.abs(this.nodes[at] as number);
    const head = this.kids[block] as number;
    const count = (head >>> 8) - 1;
    this.kids[block] = head - (1 << 8);
    if (count === 0) {
      this.freeBlock(block);
      this.nodes[at] = 0;
    } else if ((head & 15) === DIRECT) {
      this.kids[block + 1 + byte] = 0;
      if (count <= DIRECT_SHRINK) this.nodes[at] = this.moveKids(block, MAX_LIST);
    } else {
      // Listed block: the last entry fills the hole.
      const bytesAt = (block + 1) * 4;
      const ids = block + 1 + ((head >>> 4) & 15);
      for (let i = 0; i < count; i++) {
        if (this.kidBytes[bytesAt + i] === byte) {
          this.kidBytes[bytesAt + i] = this.kidBytes[bytesAt + count] as number;
          this.kids[ids + i] = this.kids[ids + count] as number;
          break;
        }
      }
    }
  }

  /** Moves the kids of `from` into a new block of class `cls`, frees `from`, returns the new block. */
  private moveKids(from: number, cls: number): number {
    const moving = this.blockKids(from);
    const to = this.allocBlock(cls);
    for (const [byte, kid] of moving) this.putKid(to, byte, kid);
    this.freeBlock(from);
    return to;
  }

  /** An empty block of class `cls` (header set, slots cleared). */
  private allocBlock(cls: number): number {
    const words = wordsOf(cls);
    let block = this.kidFree[cls] as number;
    if (block !== NONE) this.kidFree[cls] = this.kids[block + 1] as number;
    else {
      block = this.kidTop;
      if (block + words > this.kids.length) {
        this.kids = growI32(this.kids, block + words);
        this.kidBytes = new Uint8Array(this.kids.buffer);
      }
      this.kidTop += words;
    }
    this.kids[block] = cls === DIRECT ? DIRECT : ((BYTE_WORDS[cls] as number) << 4) | cls;
    this.kids.fill(0, block + 1, block + words);
    return block;
  }

  private freeBlock(block: number): void {
    const cls = (this.kids[block] as number) & 15;
    this.kids[block + 1] = this.kidFree[cls] as number;
    this.kidFree[cls] = block;
  }
}
