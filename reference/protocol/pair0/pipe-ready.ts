import type { Pipe } from "../../core/pipe.ts";

/**
 * True when `pipe` is open and can take another message now (its write
 * backlog is under the high-water mark).
 *
 * @example
 * ```ts
 * if (canWrite(pipe)) pipe.send(body); else count("txDropped");
 * ```
 */
export function canWrite(pipe: Pipe): boolean {
  return !pipe.isClosed && pipe.writable;
}

/**
 * Registers (or with `null` clears) the callback run when `pipe` becomes
 * writable again after {@link canWrite} returned false.
 *
 * @example
 * ```ts
 * watchWritable(pipe, () => slot.writable());
 * ```
 */
export function watchWritable(pipe: Pipe, fn: (() => void) | null): void {
  pipe.onWritable = fn;
}
