import type { PipeEvent } from "./stats.ts";

/** One reader of the feed: its backlog and, when it waits, its wake-up. */
interface Reader {
  readonly backlog: PipeEvent[];
  wake: (() => void) | null;
}

/** Most events kept per reader that does not read; older ones are dropped. */
const MAX_BACKLOG = 1024;

/**
 * Fan-out of pipe events to any number of async iterators. Each iterator sees
 * the events published after it started; all end when the feed ends (socket
 * close). Pipe events are rare, so allocation here is fine.
 *
 * @example
 * ```ts
 * const feed = new PipeEventFeed();
 * (async () => { for await (const ev of feed.iterate()) console.log(ev.type); })();
 * feed.publish({ type: "add", pipe: { id: 1, peer: 0x31 } });
 * feed.end();
 * ```
 */
export class PipeEventFeed {
  private readonly readers = new Set<Reader>();
  private ended = false;

  /** Delivers `ev` to every current reader. */
  publish(ev: PipeEvent): void {
    if (this.ended) return;
    for (const r of this.readers) {
      if (r.backlog.length >= MAX_BACKLOG) r.backlog.shift();
      r.backlog.push(ev);
      r.wake?.();
    }
  }

  /** Ends every iterator once it has read its backlog. */
  end(): void {
    this.ended = true;
    for (const r of this.readers) r.wake?.();
  }

  /** An async iterable of the events from now on. */
  async *iterate(): AsyncGenerator<PipeEvent> {
    const reader: Reader = { backlog: [], wake: null };
    this.readers.add(reader);
    try {
      for (;;) {
        const ev = reader.backlog.shift();
        if (ev) {
          yield ev;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          reader.wake = resolve;
        });
        reader.wake = null;
      }
    } finally {
      this.readers.delete(reader);
    }
  }
}
