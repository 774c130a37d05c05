/**
 * Numbered message bodies for the flow-control cases: each carries its number
 * so that a case can tell a lost, duplicated, reordered or spliced message.
 */
import { hex } from "./sp.ts";

/** Size of the numbered messages the flow-control cases use (bytes of body). */
export const FLOOD_BODY = 64 * 1024;

/**
 * A numbered body of `size` bytes (at least 8): the number as a u32 big-endian
 * word at both ends and its low byte everywhere between, so a body that was
 * cut, spliced or mixed with another one is told apart.
 */
export function numberedBody(seq: number, size = FLOOD_BODY): Uint8Array {
  const b = new Uint8Array(size).fill(seq & 0xff);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, seq >>> 0);
  dv.setUint32(size - 4, seq >>> 0);
  return b;
}

/**
 * The number of a body made by {@link numberedBody}, or a string saying what
 * is wrong with it (length, ends that disagree, a filler byte that differs).
 */
export function bodySeq(b: Uint8Array, size = FLOOD_BODY): number | string {
  if (b.length !== size) return `a body of ${b.length} bytes, expected ${size}: ${hex(b, 32)}`;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const seq = dv.getUint32(0);
  const tail = dv.getUint32(size - 4);
  if (seq !== tail) return `a body that starts as #${seq} and ends as #${tail}`;
  const fill = seq & 0xff;
  for (let i = 4; i < size - 4; i += 509) {
    if (b[i] !== fill) return `body #${seq} has byte ${b[i]} at offset ${i}, expected ${fill}`;
  }
  return seq;
}

/**
 * Checks that `got` is exactly 0..n-1 in order; returns a description of the
 * first difference, or undefined.
 */
export function describeSequenceError(got: readonly number[], n: number): string | undefined {
  for (let i = 0; i < got.length; i++) {
    const v = got[i] as number;
    if (v === i) continue;
    if (got.indexOf(v) < i) return `#${v} arrived twice (again at position ${i})`;
    if (v > i) return `#${i} is missing: position ${i} holds #${v}`;
    return `#${v} arrived out of order at position ${i}`;
  }
  if (got.length < n) return `only ${got.length} of ${n} arrived (next missing: #${got.length})`;
  if (got.length > n) return `${got.length} messages arrived, only ${n} were sent`;
  return undefined;
}
