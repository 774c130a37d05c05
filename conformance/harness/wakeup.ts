/**
 * The one wait-for-a-condition helper of the harness's peers and listeners:
 * whoever changes state calls `notify()`, whoever waits calls
 * `until(pred, ms)`, which re-checks `pred` after every notification and gives
 * up at the deadline. No polling, and every timer is cleared.
 */
export class Wakeup {
  private waiters: (() => void)[] = [];

  /** Wakes every pending `until` so it re-checks its condition. */
  notify(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Waits until `pred` holds or `ms` pass; returns whether it held. */
  async until(pred: () => boolean, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (!pred()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}
