/**
 * Time helpers shared by the suite, the tests (through testkit/) and dev/:
 * a plain pause and two bounded polls. Prefer a bounded poll to a fixed
 * pause wherever there is a condition to look at.
 */

/** Resolves after `ms` milliseconds (a negative `ms` counts as zero). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Polls `cond` every `everyMs` until it holds or `timeoutMs` pass; resolves
 * with its last value instead of failing.
 *
 * @example
 * ```ts
 * expect(await until(() => dialer.lastError !== undefined)).toBe(true);
 * ```
 */
export async function until(cond: () => boolean, timeoutMs = 3000, everyMs = 5): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
  return true;
}

/**
 * Polls `cond` until it holds; throws `timed out waiting for <what>` after
 * `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitFor(() => peer.frames.length === 2, 2000, "two frames");
 * ```
 */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 3000,
  what = "condition",
  everyMs = 5,
): Promise<void> {
  if (!(await until(cond, timeoutMs, everyMs))) throw new Error(`timed out waiting for ${what}`);
}
