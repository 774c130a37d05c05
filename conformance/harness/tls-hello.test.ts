/**
 * Self-tests of the hand-made TLS hellos: encodings round-trip, and Node's own
 * TLS server (OpenSSL 3) answers them as TLS says: a ServerHello for a strong
 * TLS 1.2 or 1.3 offer, null compression when DEFLATE is offered, an alert for
 * a weak-only offer; and Node's client's ClientHello parses. These are the
 * tools of the SP-TLS-3 and SP-TLS-4 cases (conformance/cases/tls/hello.ts).
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer as createNetServer, type Server } from "node:net";
import { createServer, type Server as TlsServer, connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeTestCerts, type TestCerts } from "./certs.ts";
import { LOOPBACK } from "./hosts.ts";
import {
  buildClientHello,
  COMPRESSION,
  CONTENT,
  clientHelloRecord,
  describeReply,
  isSignalling,
  parseClientHello,
  parseServerHello,
  readClientHello,
  readServerReply,
  STRONG_TLS12,
  TLS12,
  TLS13,
  TLS13_SUITES,
  WEAK_OFFER,
  WEAK_SUITES,
  weakness,
} from "./tls-hello.ts";
import { Transcript } from "./transcript.ts";
import { WirePeer } from "./wire.ts";

let certs: TestCerts;
let server: TlsServer;
let port = 0;
beforeAll(async () => {
  certs = makeTestCerts();
  server = createServer({ cert: certs.serverCert, key: certs.serverKey, minVersion: "TLSv1.2" });
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server?.close();
  certs?.cleanup();
});

/** Writes a hand-made hello to the Node TLS server and returns its first answer. */
async function ask(record: Uint8Array) {
  const peer = await WirePeer.connect({ host: LOOPBACK, port }, "hello", new Transcript());
  try {
    peer.write(record);
    return await readServerReply(peer, 3000);
  } finally {
    peer.close();
  }
}

function x25519Public(): Uint8Array {
  const jwk = generateKeyPairSync("x25519").publicKey.export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x as string, "base64url"));
}

describe("encodings", () => {
  test("a built ClientHello parses back", () => {
    const msg = buildClientHello({ suites: [0xc02f, 0x000a], compression: [1, 0] });
    expect(msg[0]).toBe(1);
    const len = ((msg[1] ?? 0) << 16) | ((msg[2] ?? 0) << 8) | (msg[3] ?? 0);
    expect(len).toBe(msg.length - 4);
    const h = parseClientHello(msg.subarray(4));
    expect(h.legacyVersion).toBe(TLS12);
    expect(h.suites).toEqual([0xc02f, 0x000a]);
    expect(h.compression).toEqual([COMPRESSION.deflate, COMPRESSION.none]);
    expect(h.supportedVersions).toBeUndefined();
    const h13 = parseClientHello(
      buildClientHello({ suites: TLS13_SUITES, x25519KeyShare: new Uint8Array(32) }).subarray(4),
    );
    expect(h13.supportedVersions).toEqual([TLS13, TLS12]);
    const rec = clientHelloRecord({ suites: [0x002f] });
    expect(rec[0]).toBe(CONTENT.handshake);
    expect(((rec[3] ?? 0) << 8) | (rec[4] ?? 0)).toBe(rec.length - 5);
  });

  test("a ServerHello with supported_versions is TLS 1.3; the special random is a retry", () => {
    const body = (random: number[]) =>
      new Uint8Array([
        0x03,
        0x03,
        ...random,
        0, // empty session id
        0x13,
        0x01,
        0,
        0,
        6, // extensions: 6 bytes
        0,
        43,
        0,
        2,
        0x03,
        0x04,
      ]);
    const plain = parseServerHello(body(new Array(32).fill(7)));
    expect(plain).toMatchObject({
      version: TLS13,
      suite: 0x1301,
      compression: 0,
      helloRetry: false,
    });
    const hrr = Array.from(
      Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex"),
    );
    expect(parseServerHello(body(hrr)).helloRetry).toBe(true);
  });

  test("weak suites are named with their reason; signalling values are recognised", () => {
    expect(weakness(0x0004)).toBe("RSA_WITH_RC4_128_MD5 (RC4, MD5)");
    expect(weakness(0x000a)).toMatch(/3DES/);
    expect(weakness(0x0008)).toMatch(/DES, export-grade/);
    expect(weakness(0xc02f)).toBeUndefined();
    for (const s of WEAK_OFFER) expect(WEAK_SUITES.has(s)).toBe(true);
    for (const s of STRONG_TLS12) expect(weakness(s)).toBeUndefined();
    expect(isSignalling(0x00ff)).toBe(true);
    expect(isSignalling(0x3a3a)).toBe(true);
    expect(isSignalling(0xc02f)).toBe(false);
  });
});

describe("against Node's TLS server", () => {
  test("a strong TLS 1.2 offer gets a ServerHello with an offered suite and no compression", async () => {
    const r = await ask(clientHelloRecord({ suites: STRONG_TLS12 }));
    expect(r.kind, describeReply(r)).toBe("server-hello");
    if (r.kind !== "server-hello") return;
    expect(r.hello.version).toBe(TLS12);
    expect(STRONG_TLS12).toContain(r.hello.suite);
    expect(r.hello.compression).toBe(0);
  });

  test("DEFLATE offered before null: the server picks null", async () => {
    const r = await ask(clientHelloRecord({ suites: STRONG_TLS12, compression: [1, 0] }));
    expect(r.kind === "server-hello" && r.hello.compression, describeReply(r)).toBe(0);
  });

  test("a weak-only offer gets a fatal alert", async () => {
    const r = await ask(clientHelloRecord({ suites: WEAK_OFFER }));
    expect(r.kind, describeReply(r)).toBe("alert");
    expect(r.kind === "alert" && r.fatal).toBe(true);
  });

  test("a TLS 1.3 offer gets a TLS 1.3 ServerHello", async () => {
    const r = await ask(
      clientHelloRecord({
        suites: [...TLS13_SUITES, ...STRONG_TLS12],
        x25519KeyShare: x25519Public(),
      }),
    );
    expect(r.kind, describeReply(r)).toBe("server-hello");
    if (r.kind !== "server-hello") return;
    expect(r.hello.version).toBe(TLS13);
    expect(r.hello.legacyVersion).toBe(TLS12);
    expect(TLS13_SUITES).toContain(r.hello.suite);
    expect(r.hello.helloRetry).toBe(false);
  });
});

describe("reading a dialer's ClientHello", () => {
  let raw: Server;
  afterAll(() => raw?.close());

  test("Node's client offers no weak suite and null compression only", async () => {
    const got = new Promise<ReturnType<typeof parseClientHello>>((resolve, reject) => {
      raw = createNetServer((s) => {
        const peer = new WirePeer(s, "srv", new Transcript());
        readClientHello(peer, 3000)
          .then(resolve, reject)
          .finally(() => peer.close());
      });
    });
    await new Promise<void>((r) => raw.listen(0, LOOPBACK, r));
    const c = tlsConnect({
      host: LOOPBACK,
      port: (raw.address() as { port: number }).port,
      servername: "localhost",
    });
    c.on("error", () => {});
    const hello = await got;
    c.destroy();
    expect(hello.suites.filter((s) => !isSignalling(s)).length).toBeGreaterThan(3);
    expect(hello.suites.filter((s) => weakness(s) !== undefined)).toEqual([]);
    expect(hello.compression).toEqual([0]);
    expect(hello.supportedVersions).toContain(TLS13);
  });
});
