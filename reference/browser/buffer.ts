/**
 * A minimal `Buffer` for the browser build: a `Uint8Array` subclass with only
 * the members the reference stack uses (`from`, `alloc`, `allocUnsafe`,
 * `concat`, `isBuffer`, `byteLength`, 16/32-bit big-endian reads and writes,
 * `toString`, `equals`, view-returning `slice`). The build injects it wherever
 * the code names the global `Buffer`; on Node the real one is used.
 */

/** Encodings this shim understands. */
export type BufferEncoding = "utf8" | "utf-8" | "latin1" | "binary" | "hex" | "base64" | "ascii";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

function encode(text: string, encoding: BufferEncoding = "utf8"): Uint8Array {
  switch (encoding) {
    case "utf8":
    case "utf-8":
      return encoder.encode(text);
    case "latin1":
    case "binary":
    case "ascii": {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    case "hex": {
      const n = Math.floor(text.length / 2);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const byte = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
        if (Number.isNaN(byte)) return out.subarray(0, i);
        out[i] = byte;
      }
      return out;
    }
    case "base64": {
      const bin = atob(text.replace(/[^A-Za-z0-9+/]/g, ""));
      return encode(bin, "latin1");
    }
    default:
      throw new TypeError(`unknown encoding ${String(encoding)}`);
  }
}

function decode(bytes: Uint8Array, encoding: BufferEncoding = "utf8"): string {
  switch (encoding) {
    case "utf8":
    case "utf-8":
      return decoder.decode(bytes);
    case "latin1":
    case "binary":
    case "ascii": {
      let s = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      }
      return s;
    }
    case "hex": {
      let s = "";
      for (const b of bytes) s += b.toString(16).padStart(2, "0");
      return s;
    }
    case "base64":
      return btoa(decode(bytes, "latin1"));
    default:
      throw new TypeError(`unknown encoding ${String(encoding)}`);
  }
}

/**
 * Browser stand-in for Node's `Buffer` (a subset).
 *
 * @example
 * ```ts
 * const b = Buffer.from("hi");
 * b.toString("hex"); // "6869"
 * ```
 */
export class NodeLikeBuffer extends Uint8Array {
  /** A zero-filled buffer of `size` bytes, optionally filled with a byte value. */
  static alloc(size: number, fill = 0): NodeLikeBuffer {
    const b = new NodeLikeBuffer(size);
    if (fill !== 0) b.fill(fill);
    return b;
  }

  /** A buffer of `size` bytes (zeroed here; Node leaves it uninitialised). */
  static allocUnsafe(size: number): NodeLikeBuffer {
    return new NodeLikeBuffer(size);
  }

  /** True for instances of this class. */
  static isBuffer(value: unknown): value is NodeLikeBuffer {
    return value instanceof NodeLikeBuffer;
  }

  /** Bytes of a string in UTF-8 (or another encoding), or the length of bytes. */
  static byteLength(value: string | Uint8Array | ArrayBuffer, encoding?: BufferEncoding): number {
    if (typeof value === "string") return encode(value, encoding).length;
    return value.byteLength;
  }

  /** Joins byte arrays into one new buffer. */
  static concat(list: readonly Uint8Array[], totalLength?: number): NodeLikeBuffer {
    const total = totalLength ?? list.reduce((n, b) => n + b.length, 0);
    const out = new NodeLikeBuffer(total);
    let at = 0;
    for (const b of list) {
      if (at >= total) break;
      const part = b.length > total - at ? b.subarray(0, total - at) : b;
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Decodes the bytes (default UTF-8). */
  override toString(encoding?: BufferEncoding, start = 0, end = this.length): string {
    return decode(this.subarray(start, end), encoding);
  }

  /** A view of the same bytes, typed as a buffer (the runtime class follows via species). */
  override subarray(start?: number, end?: number): NodeLikeBuffer {
    return super.subarray(start, end) as NodeLikeBuffer;
  }

  /** A view, as Node's `Buffer.slice` (not a copy as `Uint8Array.slice`). */
  override slice(start?: number, end?: number): NodeLikeBuffer {
    return this.subarray(start, end);
  }

  /** Byte-wise equality. */
  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

  private view(): DataView {
    return new DataView(this.buffer, this.byteOffset, this.byteLength);
  }

  readUInt32BE(offset = 0): number {
    return this.view().getUint32(offset, false);
  }

  writeUInt32BE(value: number, offset = 0): number {
    this.view().setUint32(offset, value >>> 0, false);
    return offset + 4;
  }

  readUInt16BE(offset = 0): number {
    return this.view().getUint16(offset, false);
  }

  writeUInt16BE(value: number, offset = 0): number {
    this.view().setUint16(offset, value & 0xffff, false);
    return offset + 2;
  }

  readUint32BE(offset = 0): number {
    return this.readUInt32BE(offset);
  }

  writeUint32BE(value: number, offset = 0): number {
    return this.writeUInt32BE(value, offset);
  }
}

/** `Buffer.from`: copies a string, array or bytes, or wraps an `ArrayBuffer` (no copy), like Node. */
function bufferFrom(
  value: string | ArrayLike<number> | Iterable<number> | ArrayBufferLike,
  encodingOrOffset?: BufferEncoding | number,
  length?: number,
): NodeLikeBuffer {
  if (typeof value === "string") {
    const bytes = encode(value, encodingOrOffset as BufferEncoding | undefined);
    return new NodeLikeBuffer(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  }
  if (
    value instanceof ArrayBuffer ||
    // Pages that are not cross-origin isolated have no SharedArrayBuffer at all.
    (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)
  ) {
    const offset = typeof encodingOrOffset === "number" ? encodingOrOffset : 0;
    return new NodeLikeBuffer(value as ArrayBuffer, offset, length ?? value.byteLength - offset);
  }
  const src = value as ArrayLike<number>;
  const out = new NodeLikeBuffer(src.length ?? 0);
  if (src.length !== undefined) out.set(src);
  else return new NodeLikeBuffer([...(value as Iterable<number>)]);
  return out;
}

// Node's `Buffer.from` signature differs from `Uint8Array.from`, so it is attached at run time.
Object.defineProperty(NodeLikeBuffer, "from", {
  value: bufferFrom,
  writable: true,
  configurable: true,
});

/**
 * The shim under Node's name, typed with Node's `from`.
 *
 * @example
 * ```ts
 * Buffer.from("aGk=", "base64").toString(); // "hi"
 * ```
 */
export const Buffer = NodeLikeBuffer as { from: typeof bufferFrom } & typeof NodeLikeBuffer;
/** An instance of the shim. */
export type Buffer = NodeLikeBuffer;
