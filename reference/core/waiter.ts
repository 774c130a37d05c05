import { abortError } from "./call-options.ts";
import { SPError } from "./errors.ts";

/**
 * One pending operation (a recv or a send) that settles once: by a value, by an
 * error, by its timeout (ETIMEDOUT) or by its abort signal (ECANCELED). A
 * timeout of -1 waits forever. Once settled, its timer and its abort listener
 * are gone, so a waiter left in some queue holds nothing but memory; queues
 * skip settled waiters (`resolve` returns false for them).
 *
 * @example
 * ```ts
 * const w = new Waiter<Buffer>(1000, (gone) => queue.remove(gone), opts?.signal);
 * queue.push(w);
 * return w.promise;
 * ```
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  private resolveFn!: (v: T) => void;
  private rejectFn!: (e: unknown) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private signal: AbortSignal | undefined;
  private onAbort: (() => void) | undefined;

  /**
   * @param timeoutMs -1 for none
   * @param onGiveUp called after the waiter failed by its timeout or its signal (to unlink it)
   * @param signal aborting it fails the waiter with ECANCELED; an aborted one fails it at once
   */
  constructor(timeoutMs: number, onGiveUp?: (w: Waiter<T>) => void, signal?: AbortSignal) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (signal?.aborted) {
      this.fail(abortError(signal));
      return;
    }
    if (timeoutMs >= 0) {
      this.timer = setTimeout(() => {
        if (this.fail(new SPError("ETIMEDOUT"))) onGiveUp?.(this);
      }, timeoutMs);
    }
    if (signal) {
      this.signal = signal;
      this.onAbort = () => {
        if (this.fail(abortError(signal))) onGiveUp?.(this);
      };
      signal.addEventListener("abort", this.onAbort, { once: true });
    }
  }

  /** True once settled. */
  get settled(): boolean {
    return this.done;
  }

  /** Settles with a value; returns false if already settled. */
  resolve(value: T): boolean {
    if (this.done) return false;
    this.finish();
    this.resolveFn(value);
    return true;
  }

  /** Settles with an error; returns false if already settled. */
  fail(err: unknown): boolean {
    if (this.done) return false;
    this.finish();
    this.rejectFn(err);
    return true;
  }

  /** Marks the waiter settled and drops its timer and abort listener. */
  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.signal && this.onAbort) this.signal.removeEventListener("abort", this.onAbort);
    this.signal = undefined;
    this.onAbort = undefined;
  }
}
