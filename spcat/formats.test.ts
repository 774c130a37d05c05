import { describe, expect, it } from "vitest";
import { formatMessage } from "./formats.ts";

const bytes = (...b: number[]) => Uint8Array.from(b);
const str = (u: Uint8Array) => Buffer.from(u).toString("latin1");

describe("formatMessage", () => {
  const sample = bytes(
    0x00,
    0x09,
    0x0a,
    0x0b,
    0x0d,
    0x22,
    0x5c,
    0x41,
    0x7e,
    0x7f,
    0x80,
    0xff,
    0x20,
  );

  it('quoted: C escapes for \\n \\r \\t \\" \\\\, \\xNN (lower case) for other non-printables', () => {
    expect(str(formatMessage(sample, "quoted"))).toBe(
      '"\\x00\\t\\n\\x0b\\r\\"\\\\A~\\x7f\\x80\\xff "\n',
    );
    expect(str(formatMessage(bytes(), "quoted"))).toBe('""\n');
  });

  it("ascii: printable bytes kept, others as '.', no delimiter (nngcat 1.5)", () => {
    expect(str(formatMessage(sample, "ascii"))).toBe('....."\\A~... ');
    expect(str(formatMessage(Buffer.from("ping"), "ascii"))).toBe("ping");
  });

  it("hex: every byte escaped", () => {
    expect(str(formatMessage(bytes(0x00, 0x41, 0xff), "hex"))).toBe('"\\x00\\x41\\xff"\n');
  });

  it("raw and no", () => {
    expect(formatMessage(sample, "raw")).toEqual(sample);
    expect(formatMessage(sample, "no").length).toBe(0);
  });

  it("msgpack: bin8 / bin16 / bin32 headers", () => {
    expect(Array.from(formatMessage(bytes(1, 2), "msgpack"))).toEqual([0xc4, 2, 1, 2]);
    const mid = formatMessage(new Uint8Array(256), "msgpack");
    expect(Array.from(mid.subarray(0, 3))).toEqual([0xc5, 1, 0]);
    expect(mid.length).toBe(259);
    const big = formatMessage(new Uint8Array(65536), "msgpack");
    expect(Array.from(big.subarray(0, 5))).toEqual([0xc6, 0, 1, 0, 0]);
  });

  it("does not alias the input for raw", () => {
    const input = bytes(1, 2, 3);
    const out = formatMessage(input, "raw");
    input[0] = 9;
    expect(out[0]).toBe(1);
  });
});
