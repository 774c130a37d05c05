/**
 * How a case declares that cat mode can run it (`ConformanceCase.cat`). A
 * CLI such as nngcat fixes everything when it starts: its protocol, its
 * address, its subscriptions and the one payload it sends. A case that fits
 * that mould says so with a plan; cat.ts checks every operation of the case
 * against the plan while it runs, and a case without a plan is
 * `unsupported` in cat mode.
 */

/** What the CLI of one protocol sends, fixed when it starts. */
export interface CatSend {
  /**
   * The payload (`--file`). A REP or RESPONDENT answers every request or
   * survey it receives with it; a REQ, SURVEYOR, PUSH, PUB, PAIR or BUS sends
   * it once, as soon as it can (or after `delay`, or every `interval`).
   */
  data: string | Uint8Array;
  /**
   * Whole seconds the CLI waits after it started before it sends (`--delay`).
   * The case's `send` must come earlier and then completes when the CLI
   * sends. Without it the CLI sends at once, and the case's `send` only
   * confirms the payload: for cases where sending early changes nothing.
   */
  delay?: number;
  /**
   * With `delay`: the CLI may send before the case's `send` (which then only
   * confirms the payload), for a case that checks what arrives, not when.
   * The delay then only lets the peers attach first (a BUS drops what it
   * sends while it has none).
   */
  early?: boolean;
  /**
   * Whole seconds between repeated sends (`--interval`), for cases that send
   * the same payload until a peer has seen it; each `send` of the case then
   * completes at once.
   */
  interval?: number;
}

/**
 * A case's cat-mode plan. `{}` says: the IUT sockets of this case never send
 * (they listen, dial, and print what they receive).
 */
export interface CatPlan {
  /** The payload of each protocol whose IUT socket sends, by protocol name (`rep0`). */
  send?: Readonly<Record<string, CatSend>>;
}
