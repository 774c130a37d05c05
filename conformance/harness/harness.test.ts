/** Self-tests of the harness and the adapter client (no IUT needed). */
import { createServer } from "node:net";
import { describe, expect, test } from "vitest";
import { AdapterClient } from "../adapters/client.ts";
import { IutDiedError } from "../adapters/iut.ts";
import { LOOPBACK } from "./hosts.ts";
import { frame, hex, parseHeader, request, spHeader, words } from "./sp.ts";
import { Transcript } from "./transcript.ts";
import { WirePeer } from "./wire.ts";

describe("SP encodings", () => {
  test("headers build and parse, including malformed ones", () => {
    expect(hex(spHeader({ protocol: 0x30 }))).toBe("00 53 50 00 00 30 00 00");
    const bad = parseHeader(spHeader({ protocol: 0x31, magic: [1, 2, 3, 4], reserved: 0x0102 }));
    expect(bad).toEqual({ magicValid: false, protocol: 0x31, reserved: 0x0102 });
  });

  test("frames carry a u64 BE length that may lie", () => {
    expect(hex(frame(new Uint8Array([7])))).toBe("00 00 00 00 00 00 00 01 07");
    expect(hex(frame(new Uint8Array(0), 2n ** 64n - 1n))).toBe("ff ff ff ff ff ff ff ff");
  });

  test("requests are hop words, the id, then the body", () => {
    const m = request({ hops: [1], id: 0x80000002, body: new Uint8Array([9]) });
    expect(hex(m)).toBe(`${hex(words(1, 0x80000002))} 09`);
  });
});

describe("raw peer", () => {
  test("bounded reads fail with a message; closes are observed", async () => {
    const server = createServer((s) => {
      s.write(Buffer.from([1, 2]));
      setTimeout(() => s.end(), 50);
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, () => r()));
    const port = (server.address() as { port: number }).port;
    const t = new Transcript();
    const peer = await WirePeer.connect({ host: LOOPBACK, port }, "p", t);
    await expect(peer.readExact(4, 1000)).rejects.toThrow(/closed the connection.*have 2/);
    expect(peer.closed).toBe(true);
    expect(t.format()).toMatch(/<< 01 02/);
    peer.close();
    server.close();
  });
});

describe("adapter client", () => {
  test("a dying adapter fails pending requests and keeps its stderr", async () => {
    const start = AdapterClient.start(
      { shell: "echo boom >&2; exit 3" },
      { requestTimeoutMs: 5000 },
    );
    const err = await start.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IutDiedError);
    expect((err as IutDiedError).message).toMatch(/code 3/);
    expect((err as IutDiedError).stderr).toMatch(/boom/);
  });
});
