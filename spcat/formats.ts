/**
 * Output formats of `spcat`, byte-for-byte those of nngcat 1.5.x.
 *
 * - `no`: nothing is printed (also the default when no format is chosen).
 * - `raw`: the body as is.
 * - `ascii`: printable bytes (0x20..0x7e) as is, every other byte as `.`;
 *   nngcat 1.5.x prints no delimiter after the message, and neither do we.
 * - `quoted`: `"` + body with `\n \r \t \" \\` escaped, other printable
 *   bytes as is, the rest as `\xNN` (lower-case hex) + `"` + newline.
 * - `hex`: `"` + every byte as `\xNN` + `"` + newline.
 * - `msgpack`: a msgpack `bin 8/16/32` header, then the body.
 *
 * @module
 */

/** A format name as accepted by `--format`. */
export type Format = "no" | "raw" | "ascii" | "quoted" | "hex" | "msgpack";

/** Every format name, in the order `--format` documents them. */
export const formats: readonly Format[] = ["no", "ascii", "hex", "msgpack", "quoted", "raw"];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether `b` is printable in the C locale (`isprint`). */
function isPrint(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

function hexEscape(b: number): string {
  return `\\x${b.toString(16).padStart(2, "0")}`;
}

function quoted(body: Uint8Array): string {
  let out = '"';
  for (const b of body) {
    if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === QUOTE || b === BACKSLASH) out += `\\${String.fromCharCode(b)}`;
    else if (isPrint(b)) out += String.fromCharCode(b);
    else out += hexEscape(b);
  }
  return `${out}"\n`;
}

function msgpackHeader(n: number): Uint8Array {
  if (n < 0x100) return Uint8Array.of(0xc4, n);
  if (n < 0x10000) return Uint8Array.of(0xc5, n >>> 8, n & 0xff);
  return Uint8Array.of(0xc6, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/**
 * Renders one received message in `format`.
 *
 * @example
 * ```ts
 * formatMessage(Buffer.from("a\tb\x01"), "quoted"); // bytes of "\"a\\tb\\x01\"\n"
 * ```
 */
export function formatMessage(body: Uint8Array, format: Format): Uint8Array {
  switch (format) {
    case "no":
      return new Uint8Array(0);
    case "raw":
      return Uint8Array.from(body);
    case "ascii":
      return body.map((b) => (isPrint(b) ? b : 0x2e));
    case "quoted":
      return Buffer.from(quoted(body), "latin1");
    case "hex":
      return Buffer.from(`"${Array.from(body, hexEscape).join("")}"\n`, "latin1");
    case "msgpack": {
      const head = msgpackHeader(body.length);
      const out = new Uint8Array(head.length + body.length);
      out.set(head, 0);
      out.set(body, head.length);
      return out;
    }
  }
}
