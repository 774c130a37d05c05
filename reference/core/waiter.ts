import { SPError } from "./errors.ts";

/**
 * One pending operation (a recv or a send) that settles once: by a value, by an
 * error, or by its timeout (ETIMEDOUT). A timeout of -1 waits forever.
 *
 * @example
 * ```ts
 * const w = new Waiter<Buffer>(1000, () => queue.remove(w));
 * queue.push(w);
 * return w.promise;
 * ```
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  private resolveFn!: (v: T) => void;
  private rejectFn!: (e: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  /**
   * @param timeoutMs -1 for none
   * @param onTimeout called after the waiter failed with ETIMEDOUT (to unlink it)
   */
  constructor(timeoutMs: number, onTimeout?: (w: Waiter<T>) => void) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (timeoutMs >= 0) {
      this.timer = setTimeout(() => {
        if (this.done) return;
        this.fail(new SPError("ETIMEDOUT"));
        onTimeout?.(this);
      }, timeoutMs);
    }
  }

  /** True once settled. */
  get settled(): boolean {
    return this.done;
  }

  /** Settles with a value; returns false if already settled. */
  resolve(value: T): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.resolveFn(value);
    return true;
  }

  /** Settles with an error; returns false if already settled. */
  fail(err: unknown): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.rejectFn(err);
    return true;
  }
}
