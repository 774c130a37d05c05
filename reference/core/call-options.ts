import { SPError } from "./errors.ts";

/**
 * Options of one `send` or `recv` call, on a socket or a context.
 *
 * - `signal`: aborting it fails the call with `ECANCELED` (the signal's
 *   `reason` as the error's `cause`) and withdraws the call: a send that had
 *   not been handed to a pipe yet never goes out, a recv never takes a
 *   message (the next recv gets it). A signal that is already aborted fails
 *   the call at once, before it does anything. Aborting after the call
 *   settled changes nothing.
 * - `timeoutMs`: how long this call may wait, in ms, instead of the socket's
 *   `sendTimeout` / `recvTimeout`; `-1` (or `Infinity`) waits forever, `0`
 *   takes only what is ready now. Past it the call fails with `ETIMEDOUT` and
 *   is withdrawn the same way.
 *
 * @example
 * ```ts
 * const msg = await sock.recv({ signal: AbortSignal.timeout(500) });
 * await sock.send("job", { timeoutMs: 1000 });
 * ```
 */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Options of one `send` call; see {@link CallOptions}. */
export type SendOptions = CallOptions;
/** Options of one `recv` call; see {@link CallOptions}. */
export type RecvOptions = CallOptions;

/** Longest delay a timer takes (larger ones fire at once in Node). */
const MAX_MS = 2 ** 31 - 1;

/** The error an aborted call fails with: ECANCELED, caused by the signal's reason. */
export function abortError(signal: AbortSignal): SPError {
  return new SPError("ECANCELED", "operation aborted", { cause: signal.reason });
}

/**
 * Why a call must fail before it starts, or undefined when it may go on:
 * EINVAL for a `timeoutMs` that is not -1, `Infinity` or 0..2^31-1, ECANCELED
 * for a signal that is already aborted.
 *
 * @example
 * ```ts
 * const refused = refuseCall(opts);
 * if (refused) return Promise.reject(refused);
 * ```
 */
export function refuseCall(opts: CallOptions | undefined): SPError | undefined {
  if (opts === undefined) return undefined;
  const t = opts.timeoutMs;
  if (
    t !== undefined &&
    !(
      t === -1 ||
      t === Number.POSITIVE_INFINITY ||
      (typeof t === "number" && t >= 0 && t <= MAX_MS)
    )
  ) {
    return new SPError(
      "EINVAL",
      `timeoutMs must be -1, Infinity or 0..${MAX_MS}, got ${String(t)}`,
    );
  }
  if (opts.signal?.aborted) return abortError(opts.signal);
  return undefined;
}

/**
 * The timeout of one call in ms (-1 = none): its own `timeoutMs` when given,
 * else `fallback` (the socket's `sendTimeout` or `recvTimeout`). Assumes
 * {@link refuseCall} accepted `opts`.
 *
 * @example
 * ```ts
 * new Waiter<Buffer>(callTimeout(opts, this.options.recvTimeout), undefined, opts?.signal);
 * ```
 */
export function callTimeout(opts: CallOptions | undefined, fallback: number): number {
  const t = opts?.timeoutMs;
  if (t === undefined) return fallback;
  if (t < 0 || t === Number.POSITIVE_INFINITY) return -1;
  return Math.ceil(t);
}

/**
 * The `performance.now()` time after which a waiting send fails, from its
 * timeout in ms (-1 = never, `Infinity`).
 */
export function deadlineOf(timeoutMs: number): number {
  return timeoutMs < 0 ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs;
}
