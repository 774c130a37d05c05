import { describe, expect, test } from "vitest";
import { Buffer as Shim } from "./buffer.ts";
import { isIP } from "./shims/node-net.ts";
import {
  clearImmediate,
  setImmediate,
  clearTimeout as shimClearTimeout,
  setTimeout as shimSetTimeout,
} from "./timers.ts";

describe("browser Buffer shim", () => {
  test("encodes and decodes like Node's Buffer", () => {
    for (const enc of ["utf8", "hex", "base64", "latin1"] as const) {
      const text = enc === "hex" ? "00ff10" : enc === "base64" ? "aGk/+w==" : "héllo ✓";
      if (enc === "latin1") {
        expect(Shim.from("h\u00e9", enc).toString(enc)).toBe(
          Buffer.from("h\u00e9", enc).toString(enc),
        );
        continue;
      }
      expect([...Shim.from(text, enc)]).toEqual([...Buffer.from(text, enc)]);
      expect(Shim.from(text, enc).toString(enc)).toBe(Buffer.from(text, enc).toString(enc));
    }
  });

  test("reads and writes big-endian words and keeps views as views", () => {
    const b = Shim.allocUnsafe(6);
    b.writeUInt32BE(0x80000001, 0);
    b.writeUInt16BE(0xbeef, 4);
    expect(b.toString("hex")).toBe("80000001beef");
    expect(b.readUInt32BE(0)).toBe(0x80000001);
    const tail = b.subarray(4);
    expect(Shim.isBuffer(tail)).toBe(true);
    expect(tail.readUInt16BE(0)).toBe(0xbeef);
    b.slice(4)[0] = 0;
    expect(b[4]).toBe(0);
  });

  test("concat, byteLength, equals and from(ArrayBuffer) without a copy", () => {
    const joined = Shim.concat([Shim.from("ab"), new Uint8Array([0x63])]);
    expect(joined.toString()).toBe("abc");
    expect(Shim.byteLength("✓")).toBe(3);
    expect(joined.equals(Shim.from("abc"))).toBe(true);
    const ab = new ArrayBuffer(4);
    Shim.from(ab)[0] = 7;
    expect(new Uint8Array(ab)[0]).toBe(7);
  });
});

describe("browser node:net shim", () => {
  test("isIP tells v4, v6 and names apart", () => {
    expect([
      isIP("127.0.0.1"),
      isIP("::1"),
      isIP("fe80::1:2"),
      isIP("localhost"),
      isIP("1.2.3.256"),
    ]).toEqual([4, 6, 6, 0, 0]);
  });
});

describe("browser timer shims", () => {
  test("setTimeout handles unref and clear; setImmediate runs and can be cancelled", async () => {
    let fired = false;
    const t = shimSetTimeout(() => {
      fired = true;
    }, 5).unref();
    shimClearTimeout(t);
    const order: string[] = [];
    const cancelled = setImmediate(() => order.push("cancelled"));
    setImmediate((x) => order.push(String(x)), "ran");
    clearImmediate(cancelled);
    await new Promise((r) => globalThis.setTimeout(r, 30));
    expect(fired).toBe(false);
    expect(order).toEqual(["ran"]);
  });
});
