import { SPError } from "../../core/errors.ts";
import { RingQueue } from "../../core/queue.ts";
import { Waiter } from "../../core/waiter.ts";

/**
 * The receive side shared by PAIR and BUS: received items wait in a bounded
 * queue until a `recv` takes them, and `recv` calls wait (with their own
 * timeout) until an item arrives. Plain code on the data path: no actor.
 *
 * @example
 * ```ts
 * const inbox = new Inbox<Buffer>(1024, () => sock.count("rxQueueFull"));
 * pipe.onMessage = (m) => inbox.deliver(m);
 * const next = await inbox.take(sock.options.recvTimeout);
 * ```
 */
export class Inbox<T> {
  private readonly items: RingQueue<T>;
  private readonly waiters = new RingQueue<Waiter<T>>();
  private closed = false;

  /**
   * @param capacity items kept while nobody receives; more are dropped
   * @param onOverflow called once per dropped item (to count it)
   */
  constructor(
    capacity: number,
    private readonly onOverflow: () => void,
  ) {
    this.items = new RingQueue<T>(capacity);
  }

  /** Number of items waiting for a receiver. */
  get length(): number {
    return this.items.length;
  }

  /** Hands `item` to the oldest waiting receiver, or queues it (dropped when full). */
  deliver(item: T): void {
    if (this.closed) return;
    for (;;) {
      const w = this.waiters.shift();
      if (!w) break;
      if (w.resolve(item)) return; // a timed-out waiter returns false
    }
    if (!this.items.push(item)) this.onOverflow();
  }

  /** Takes the next item, waiting up to `timeoutMs` (-1 = forever); ECLOSED after close. */
  take(timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new SPError("ECLOSED"));
    if (!this.items.isEmpty()) return Promise.resolve(this.items.shift() as T);
    const w = new Waiter<T>(timeoutMs);
    if (this.waiters.length >= 32) {
      // Drop receivers that timed out meanwhile, so repeated timed recvs do not pile up.
      for (const old of this.waiters.drain()) if (!old.settled) this.waiters.push(old);
    }
    this.waiters.push(w);
    return w.promise;
  }

  /** Fails every waiting receiver with ECLOSED and forgets queued items. Idempotent. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.drain()) w.fail(new SPError("ECLOSED"));
    this.items.drain();
  }
}
