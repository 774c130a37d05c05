/**
 * A receive queue that serves its sources (pipes) in turn: each source has
 * its own bounded FIFO, and `shift` takes the oldest item of the next source
 * in a rotation of the sources that have items. One busy peer therefore
 * cannot starve another (SP-REQREP-21, SP-SURVEY-18): a flood from one pipe
 * fills only that pipe's share, and a lone message from another pipe is
 * handed out on the next turn.
 *
 * @example
 * ```ts
 * const q = new FairQueue<string, object>(2);
 * const a = {}, b = {};
 * q.push(a, "a1"); q.push(a, "a2"); q.push(a, "a3"); // false: a's share is full
 * q.push(b, "b1");
 * q.shift(); // "a1"
 * q.shift(); // "b1"
 * q.shift(); // "a2"
 * ```
 */
import { RingQueue } from "./queue.ts";

export class FairQueue<T, K extends object = object> {
  /**
   * Each source's queue, kept while the source lives (a WeakMap: a closed
   * pipe's empty queue goes with it), so a steady flow allocates nothing.
   */
  private readonly perSource = new WeakMap<K, RingQueue<T>>();
  /** Sources with at least one item, in serving order. */
  private readonly turn = new RingQueue<K>();
  private count = 0;

  /** `perSourceCapacity` bounds each source's queue; `push` fails past it. */
  constructor(readonly perSourceCapacity = Number.POSITIVE_INFINITY) {}

  /** Number of items queued over all sources. */
  get length(): number {
    return this.count;
  }

  /** Queues `item` from `source`; returns false (dropping it) when that source's share is full. */
  push(source: K, item: T): boolean {
    let q = this.perSource.get(source);
    if (!q) {
      q = new RingQueue<T>(this.perSourceCapacity, 4);
      this.perSource.set(source, q);
    }
    if (!q.push(item)) return false;
    if (q.length === 1) this.turn.push(source);
    this.count++;
    return true;
  }

  /** Removes and returns the next item in turn, or undefined when empty. */
  shift(): T | undefined {
    const source = this.turn.shift();
    if (source === undefined) return undefined;
    const q = this.perSource.get(source) as RingQueue<T>;
    const item = q.shift() as T;
    this.count--;
    if (!q.isEmpty()) this.turn.push(source);
    return item;
  }

  /** Removes every item, returning them in serving order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }
}
