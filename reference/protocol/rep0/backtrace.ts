/** Outcome of {@link splitBacktrace}. */
export type BacktraceResult =
  | { kind: "ok"; backtrace: Buffer; body: Buffer; hops: number }
  /** The message ended before a word with the top bit (SP-REQREP-14). */
  | { kind: "malformed" }
  /** No terminating word within `maxTtl` words (SP-REQREP-15). */
  | { kind: "tooManyHops" };

/**
 * Splits a request into its backtrace (32-bit words up to and including the
 * first one with the top bit set) and its body.
 *
 * @example
 * ```ts
 * splitBacktrace(Buffer.from([0x80, 0, 0, 1, 0x68, 0x69]), 8);
 * // { kind: "ok", backtrace: <80 00 00 01>, body: <68 69>, hops: 1 }
 * ```
 */
export function splitBacktrace(msg: Buffer, maxTtl: number): BacktraceResult {
  let off = 0;
  for (let hops = 1; ; hops++) {
    // SP-REQREP-14: the message ran out before the bottom of the stack.
    if (msg.length - off < 4) return { kind: "malformed" };
    const top = (msg[off] as number) & 0x80;
    off += 4;
    // SP-REQREP-2: the word with the top bit set is the request id, the last word.
    if (top !== 0)
      return { kind: "ok", backtrace: msg.subarray(0, off), body: msg.subarray(off), hops };
    // SP-REQREP-15: more than maxTtl words → the request must be dropped.
    if (hops >= maxTtl) return { kind: "tooManyHops" };
  }
}
