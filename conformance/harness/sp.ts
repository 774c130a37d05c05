/**
 * SP wire encodings for the raw peer: the 8-byte TCP connection header,
 * frames (u64 big-endian length + payload) and REQ/REP backtraces (stacks of
 * u32 big-endian words). Builders accept any values so cases can produce
 * malformed input on purpose.
 */

/** Protocol numbers (SP-REQREP-1). */
export const PROTO = { req0: 0x30, rep0: 0x31, pair0: 0x10, pair1: 0x11 } as const;

/** Fields of a connection header; each defaults to the valid value. */
export interface HeaderFields {
  /** Bytes 0..3, default `00 53 50 00`. */
  magic?: readonly number[];
  /** Bytes 4..5, the sender's protocol number. */
  protocol: number;
  /** Bytes 6..7 as a u16, default 0. */
  reserved?: number;
}

/** Builds an 8-byte connection header (SP-TCP-3..5). */
export function spHeader(fields: HeaderFields): Uint8Array {
  const magic = fields.magic ?? [0x00, 0x53, 0x50, 0x00];
  const b = new Uint8Array(8);
  b.set(magic.slice(0, 4), 0);
  new DataView(b.buffer).setUint16(4, fields.protocol & 0xffff);
  new DataView(b.buffer).setUint16(6, (fields.reserved ?? 0) & 0xffff);
  return b;
}

/** A parsed connection header. */
export interface ParsedHeader {
  magicValid: boolean;
  protocol: number;
  reserved: number;
}

export function parseHeader(b: Uint8Array): ParsedHeader {
  if (b.length !== 8) throw new Error(`a header is 8 bytes, got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return {
    magicValid: b[0] === 0 && b[1] === 0x53 && b[2] === 0x50 && b[3] === 0,
    protocol: dv.getUint16(4),
    reserved: dv.getUint16(6),
  };
}

/** Encodes a frame; `announcedLength` lets a case lie about the payload size. */
export function frame(payload: Uint8Array, announcedLength?: bigint | number): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(announcedLength ?? payload.length));
  out.set(payload, 8);
  return out;
}

/** Encodes u32 big-endian words. */
export function words(...ws: number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const dv = new DataView(out.buffer);
  ws.forEach((w, i) => {
    dv.setUint32(i * 4, w >>> 0);
  });
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A REQ/REP message: the backtrace (hop words, then the request id) and the body. */
export interface Request {
  hops: number[];
  id: number;
  body: Uint8Array;
}

/** Builds `[hops...] [id] body` (the id should have its top bit set, SP-REQREP-2/3). */
export function request(m: Request): Uint8Array {
  return concat(words(...m.hops, m.id), m.body);
}

/** Reads the first u32 of a payload, or undefined when it is shorter than 4 bytes. */
export function firstWord(payload: Uint8Array): number | undefined {
  if (payload.length < 4) return undefined;
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Lower-case hex with a space between bytes; long input is elided in the middle. */
export function hex(b: Uint8Array, max = 64): string {
  const h = (x: Uint8Array) => Array.from(x, (v) => v.toString(16).padStart(2, "0")).join(" ");
  if (b.length <= max) return h(b);
  return `${h(b.subarray(0, max / 2))} … ${h(b.subarray(b.length - max / 4))} (${b.length} bytes)`;
}

/** Byte-wise equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Formats a 32-bit word as 0x-prefixed hex. */
export function word32(w: number): string {
  return `0x${(w >>> 0).toString(16).padStart(8, "0")}`;
}
