/**
 * A growable FIFO ring buffer. `push` and `shift` are O(1) amortised (no
 * `Array#shift`, which copies). An optional capacity bounds the length;
 * `push` then returns false instead of growing past it.
 *
 * @example
 * ```ts
 * const q = new RingQueue<number>(4);
 * q.push(1); q.push(2);
 * q.shift(); // 1
 * ```
 */
export class RingQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** The most items the queue holds; `Infinity` for unbounded. */
  readonly capacity: number;

  constructor(capacity = Number.POSITIVE_INFINITY, initialSize = 16) {
    this.capacity = capacity;
    let size = 1;
    while (size < Math.min(initialSize, capacity)) size <<= 1;
    this.items = new Array(Math.max(size, 2));
  }

  /** Number of items queued. */
  get length(): number {
    return this.count;
  }

  /** True when nothing is queued. */
  isEmpty(): boolean {
    return this.count === 0;
  }

  /** True when the queue holds `capacity` items. */
  isFull(): boolean {
    return this.count >= this.capacity;
  }

  /** Appends `item`; returns false (and drops nothing) when the queue is full. */
  push(item: T): boolean {
    if (this.count >= this.capacity) return false;
    if (this.count === this.items.length) this.grow();
    const mask = this.items.length - 1;
    this.items[(this.head + this.count) & mask] = item;
    this.count++;
    return true;
  }

  /**
   * Puts `item` in front of the oldest one (it is shifted next). Ignores the
   * capacity: items given back must not be lost.
   */
  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  /** The oldest item without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /**
   * Removes the first occurrence of `item` (by identity), keeping the order of
   * the rest; returns whether it was there. O(length): for withdrawing one
   * aborted operation, not for the data path.
   */
  remove(item: T): boolean {
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) {
      if (this.items[(this.head + i) & mask] !== item) continue;
      for (let j = i; j < this.count - 1; j++) {
        this.items[(this.head + j) & mask] = this.items[(this.head + j + 1) & mask];
      }
      this.items[(this.head + this.count - 1) & mask] = undefined;
      this.count--;
      return true;
    }
    return false;
  }

  /** Removes every item, returning them oldest first. */
  drain(): T[] {
    const out: T[] = [];
    while (this.count > 0) out.push(this.shift() as T);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next: (T | undefined)[] = new Array(old.length * 2);
    const mask = old.length - 1;
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & mask];
    this.items = next;
    this.head = 0;
  }
}
