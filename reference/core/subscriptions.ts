/**
 * A subscription set for SUB sockets: a compact radix (patricia) tree over
 * topic bytes. `matches(msg)` walks at most one edge per distinct topic prefix
 * of `msg`, so its cost depends on the length of the message's matching
 * prefix, never on the number of subscriptions (SP-PUBSUB-3).
 */

/** How duplicate subscriptions behave (SP-PUBSUB-15). */
export type SubscriptionMode =
  /** A duplicate subscribe has no effect; one unsubscribe removes the topic (as NNG). */
  | "set"
  /** Subscriptions are counted; a topic stays until unsubscribed as often (as nanomsg). */
  | "refcount";

/** One tree node; `label` is the edge from its parent (empty only for the root). */
interface Node {
  label: Uint8Array;
  /** How many times the topic ending here is subscribed; 0 = no topic ends here. */
  count: number;
  /** Children keyed by the first byte of their label. */
  children: Map<number, Node> | null;
}

const EMPTY = new Uint8Array(0);

function newNode(label: Uint8Array, count: number): Node {
  return { label, count, children: null };
}

/** Length of the common prefix of `a` and `b[offset..]`. */
function commonPrefix(a: Uint8Array, b: Uint8Array, offset: number): number {
  const max = Math.min(a.length, b.length - offset);
  let i = 0;
  while (i < max && a[i] === b[offset + i]) i++;
  return i;
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
  private readonly root: Node = newNode(EMPTY, 0);
  private topics = 0;

  constructor(mode: SubscriptionMode = "set") {
    this.mode = mode;
  }

  /** Number of distinct topics held. */
  get size(): number {
    return this.topics;
  }

  /** True when the topic is held (exact match, not prefix). */
  has(topic: Uint8Array): boolean {
    const n = this.find(topic);
    return n !== null && n.count > 0;
  }

  /** How many times `topic` is subscribed (0, or 1 in `set` mode). */
  countOf(topic: Uint8Array): number {
    return this.find(topic)?.count ?? 0;
  }

  /**
   * Adds `topic` (any bytes, possibly empty). In `set` mode a duplicate is a
   * no-op; in `refcount` mode it raises the count. Returns true when the topic
   * is new.
   */
  add(topic: Uint8Array): boolean {
    const key = new Uint8Array(topic); // own a copy: callers may reuse their buffer
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (pos === key.length) return this.mark(node);
      const first = key[pos] as number;
      const child = node.children?.get(first);
      if (!child) {
        node.children ??= new Map();
        node.children.set(first, newNode(key.subarray(pos), 1));
        this.topics++;
        return true;
      }
      const common = commonPrefix(child.label, key, pos);
      if (common === child.label.length) {
        node = child;
        pos += common;
        continue;
      }
      // Split the edge: `mid` takes the shared part, `child` keeps the rest.
      const mid = newNode(child.label.subarray(0, common), 0);
      child.label = child.label.subarray(common);
      mid.children = new Map([[child.label[0] as number, child]]);
      (node.children as Map<number, Node>).set(first, mid);
      node = mid;
      pos += common;
    }
  }

  /**
   * Removes one subscription of `topic`. Returns false (and changes nothing)
   * when the topic is not held (SP-PUBSUB-16). In `refcount` mode the topic
   * stays while its count is above zero.
   */
  remove(topic: Uint8Array): boolean {
    // Remember the path so that emptied nodes can be pruned and merged.
    const path: Node[] = [this.root];
    let node = this.root;
    let pos = 0;
    while (pos < topic.length) {
      const child = node.children?.get(topic[pos] as number);
      if (!child || commonPrefix(child.label, topic, pos) !== child.label.length) return false;
      pos += child.label.length;
      node = child;
      path.push(node);
    }
    if (node.count === 0) return false;
    node.count = this.mode === "refcount" ? node.count - 1 : 0;
    if (node.count > 0) return true;
    this.topics--;
    this.compact(path);
    return true;
  }

  /** True when `msg` begins with some held topic; the empty topic matches everything (SP-PUBSUB-4). */
  matches(msg: Uint8Array): boolean {
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (node.count > 0) return true;
      if (pos >= msg.length || node.children === null) return false;
      const child = node.children.get(msg[pos] as number);
      if (!child) return false;
      const label = child.label;
      if (msg.length - pos < label.length) return false;
      for (let i = 1; i < label.length; i++) if (label[i] !== msg[pos + i]) return false;
      pos += label.length;
      node = child;
    }
  }

  /** Every held topic (each once), in byte order of the tree walk; for diagnostics and tests. */
  list(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const walk = (n: Node, prefix: Uint8Array) => {
      const here = concatBytes(prefix, n.label);
      if (n.count > 0) out.push(here);
      if (n.children) {
        for (const k of [...n.children.keys()].sort((a, b) => a - b)) {
          walk(n.children.get(k) as Node, here);
        }
      }
    };
    walk(this.root, EMPTY);
    return out;
  }

  /** Removes every topic. */
  clear(): void {
    this.root.count = 0;
    this.root.children = null;
    this.topics = 0;
  }

  private mark(node: Node): boolean {
    if (node.count > 0) {
      if (this.mode === "refcount") node.count++;
      return false;
    }
    node.count = 1;
    this.topics++;
    return true;
  }

  private find(topic: Uint8Array): Node | null {
    let node = this.root;
    let pos = 0;
    while (pos < topic.length) {
      const child = node.children?.get(topic[pos] as number);
      if (!child || commonPrefix(child.label, topic, pos) !== child.label.length) return null;
      pos += child.label.length;
      node = child;
    }
    return node;
  }

  /** Keeps the tree compact after `path`'s last node lost its topic. */
  private compact(path: Node[]): void {
    for (let i = path.length - 1; i > 0; i--) {
      const node = path[i] as Node;
      const parent = path[i - 1] as Node;
      if (node.count > 0) return;
      const kids = node.children?.size ?? 0;
      if (kids === 0) {
        parent.children?.delete(node.label[0] as number);
        if (parent.children?.size === 0) parent.children = null;
        continue; // the parent may now be an empty pass-through node
      }
      if (kids === 1) {
        // Merge the only child into this node's edge.
        const only = (node.children as Map<number, Node>).values().next().value as Node;
        node.label = concatBytes(node.label, only.label);
        node.count = only.count;
        node.children = only.children;
      }
      return;
    }
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
