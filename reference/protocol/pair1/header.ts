/**
 * The PAIR v1 header (draft-sp-pair §Message Format): one big-endian 32-bit
 * word, upper 24 bits zero, low 8 bits the hop count. Checked once per
 * message in plain code.
 */
import { SPError } from "../../core/errors.ts";
import type { DetailStat } from "../../core/stats.ts";

/** The header of a message on its first hop: hop count 1 (SP-PAIR-9). */
export const FIRST_HOP_HEADER: Buffer = Buffer.from([0, 0, 0, 1]);

/** What a received PAIR v1 payload turned out to be. */
export type Pair1Parse =
  | { kind: "ok"; hops: number; body: Buffer }
  | { kind: "malformed"; why: string }
  | { kind: "hopZero" }
  | { kind: "tooManyHops"; hops: number };

/**
 * Splits a received PAIR v1 payload into hop count and body and applies the
 * receive rules: SP-PAIR-13 (short or reserved bits set: malformed),
 * SP-PAIR-12 (hop 0), SP-PAIR-11 (over `maxHops`), SP-PAIR-14 (header removed).
 *
 * @example
 * ```ts
 * parsePair1(Buffer.from([0, 0, 0, 1, 0x68, 0x69]), 8); // { kind: "ok", hops: 1, body: "hi" }
 * ```
 */
export function parsePair1(msg: Buffer, maxHops: number): Pair1Parse {
  if (msg.length < 4) return { kind: "malformed", why: `${msg.length}-byte message, no header` };
  const word = msg.readUInt32BE(0);
  if (word >>> 8 !== 0) {
    return { kind: "malformed", why: `reserved header bits set (0x${word.toString(16)})` };
  }
  const hops = word & 0xff;
  if (hops === 0) return { kind: "hopZero" };
  if (hops > maxHops) return { kind: "tooManyHops", hops };
  return { kind: "ok", hops, body: msg.subarray(4) };
}

/**
 * Applies {@link parsePair1} to a message received on `pipe`: returns the body
 * to deliver, or undefined after dropping (and counting) the message. A
 * malformed header closes the pipe with EPROTO (SP-PAIR-23 permits it; nng
 * does the same); hop 0 and too many hops only drop the message and keep the
 * pipe (SP-PAIR-11, SP-PAIR-12, SP-PAIR-22).
 *
 * @example
 * ```ts
 * pipe.onMessage = (m) => { const body = acceptPair1(m, pipe, 8, count); if (body) deliver(body); };
 * ```
 */
export function acceptPair1(
  msg: Buffer,
  pipe: { close(reason?: SPError): void },
  maxHops: number,
  count: (stat: DetailStat) => void,
): Buffer | undefined {
  const r = parsePair1(msg, maxHops);
  switch (r.kind) {
    case "ok":
      return r.body;
    case "malformed":
      count("rxMalformed");
      pipe.close(new SPError("EPROTO", `PAIR v1: ${r.why}`));
      return undefined;
    case "hopZero":
      count("rxHopZero");
      return undefined;
    case "tooManyHops":
      count("rxTtlExceeded");
      return undefined;
  }
}
