/**
 * Hand-made TLS hellos for the TLS cases (draft-sp-tls, SP-TLS-3 and SP-TLS-4).
 * Node's OpenSSL 3 cannot offer RC4, DES, 3DES, MD5 or export suites, nor TLS
 * compression, so the harness writes a ClientHello itself, byte by byte, over a
 * plain TCP connection and reads the first answer: a ServerHello (TLS 1.2, or
 * TLS 1.3 told by its supported_versions extension) or an alert. In the other
 * direction it reads the ClientHello an IUT dialer sends to a raw TCP server.
 * No handshake is ever completed; only the first flight is looked at.
 *
 * Byte layouts follow RFC 5246 §7.4.1 (TLS 1.2) and RFC 8446 §4.1 (TLS 1.3).
 */
import { concat, hex } from "./sp.ts";
import type { WirePeer } from "./wire.ts";

/** Protocol versions as they travel on the wire. */
export const TLS10 = 0x0301;
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

/** Record content types. */
export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 };
/** Handshake message types. */
export const HANDSHAKE = { clientHello: 1, serverHello: 2 };
/** Extension types used here. */
export const EXT = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  keyShare: 51,
  renegotiationInfo: 0xff01,
};
/** Compression methods: null and DEFLATE (RFC 3749). */
export const COMPRESSION = { none: 0, deflate: 1 };

/**
 * Cipher suites the drafts forbid (SP-TLS-3): every registered suite that uses
 * RC4, single DES, 3DES, MD5 or export-grade keys, by IANA name.
 */
export const WEAK_SUITES: ReadonlyMap<number, string> = new Map([
  [0x0001, "RSA_WITH_NULL_MD5"],
  [0x0003, "RSA_EXPORT_WITH_RC4_40_MD5"],
  [0x0004, "RSA_WITH_RC4_128_MD5"],
  [0x0005, "RSA_WITH_RC4_128_SHA"],
  [0x0006, "RSA_EXPORT_WITH_RC2_CBC_40_MD5"],
  [0x0008, "RSA_EXPORT_WITH_DES40_CBC_SHA"],
  [0x0009, "RSA_WITH_DES_CBC_SHA"],
  [0x000a, "RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x000b, "DH_DSS_EXPORT_WITH_DES40_CBC_SHA"],
  [0x000c, "DH_DSS_WITH_DES_CBC_SHA"],
  [0x000d, "DH_DSS_WITH_3DES_EDE_CBC_SHA"],
  [0x000e, "DH_RSA_EXPORT_WITH_DES40_CBC_SHA"],
  [0x000f, "DH_RSA_WITH_DES_CBC_SHA"],
  [0x0010, "DH_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x0011, "DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"],
  [0x0012, "DHE_DSS_WITH_DES_CBC_SHA"],
  [0x0013, "DHE_DSS_WITH_3DES_EDE_CBC_SHA"],
  [0x0014, "DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"],
  [0x0015, "DHE_RSA_WITH_DES_CBC_SHA"],
  [0x0016, "DHE_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0x0017, "DH_anon_EXPORT_WITH_RC4_40_MD5"],
  [0x0018, "DH_anon_WITH_RC4_128_MD5"],
  [0x0019, "DH_anon_EXPORT_WITH_DES40_CBC_SHA"],
  [0x001a, "DH_anon_WITH_DES_CBC_SHA"],
  [0x001b, "DH_anon_WITH_3DES_EDE_CBC_SHA"],
  [0x001e, "KRB5_WITH_DES_CBC_SHA"],
  [0x001f, "KRB5_WITH_3DES_EDE_CBC_SHA"],
  [0x0020, "KRB5_WITH_RC4_128_SHA"],
  [0x0022, "KRB5_WITH_DES_CBC_MD5"],
  [0x0023, "KRB5_WITH_3DES_EDE_CBC_MD5"],
  [0x0024, "KRB5_WITH_RC4_128_MD5"],
  [0x0025, "KRB5_WITH_IDEA_CBC_MD5"],
  [0x0026, "KRB5_EXPORT_WITH_DES_CBC_40_SHA"],
  [0x0027, "KRB5_EXPORT_WITH_RC2_CBC_40_SHA"],
  [0x0028, "KRB5_EXPORT_WITH_RC4_40_SHA"],
  [0x0029, "KRB5_EXPORT_WITH_DES_CBC_40_MD5"],
  [0x002a, "KRB5_EXPORT_WITH_RC2_CBC_40_MD5"],
  [0x002b, "KRB5_EXPORT_WITH_RC4_40_MD5"],
  [0x008a, "PSK_WITH_RC4_128_SHA"],
  [0x008b, "PSK_WITH_3DES_EDE_CBC_SHA"],
  [0x008e, "DHE_PSK_WITH_RC4_128_SHA"],
  [0x008f, "DHE_PSK_WITH_3DES_EDE_CBC_SHA"],
  [0x0092, "RSA_PSK_WITH_RC4_128_SHA"],
  [0x0093, "RSA_PSK_WITH_3DES_EDE_CBC_SHA"],
  [0xc002, "ECDH_ECDSA_WITH_RC4_128_SHA"],
  [0xc003, "ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc007, "ECDHE_ECDSA_WITH_RC4_128_SHA"],
  [0xc008, "ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc00c, "ECDH_RSA_WITH_RC4_128_SHA"],
  [0xc00d, "ECDH_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc011, "ECDHE_RSA_WITH_RC4_128_SHA"],
  [0xc012, "ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc016, "ECDH_anon_WITH_RC4_128_SHA"],
  [0xc017, "ECDH_anon_WITH_3DES_EDE_CBC_SHA"],
  [0xc01a, "SRP_SHA_WITH_3DES_EDE_CBC_SHA"],
  [0xc01b, "SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA"],
  [0xc01c, "SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA"],
  [0xc033, "ECDHE_PSK_WITH_RC4_128_SHA"],
  [0xc034, "ECDHE_PSK_WITH_3DES_EDE_CBC_SHA"],
]);

/** Weak suites a TLS 1.2 stack may still carry: what the harness offers to an IUT listener. */
export const WEAK_OFFER: readonly number[] = [
  0x0004, 0x0005, 0x000a, 0x0009, 0x0003, 0x0008, 0x0014, 0x0016, 0x0015, 0x0013, 0x0012, 0xc012,
  0xc011, 0xc008, 0xc007, 0x0001, 0x0006, 0x0018, 0x001b,
];

/** Strong TLS 1.2 suites (AEAD or AES-CBC with SHA) that any conforming server can pick one of. */
export const STRONG_TLS12: readonly number[] = [
  0xc02f, // ECDHE_RSA_WITH_AES_128_GCM_SHA256
  0xc030, // ECDHE_RSA_WITH_AES_256_GCM_SHA384
  0xcca8, // ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
  0xc02b, // ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  0xc02c, // ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  0xcca9, // ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  0x009e, // DHE_RSA_WITH_AES_128_GCM_SHA256
  0x009f, // DHE_RSA_WITH_AES_256_GCM_SHA384
  0xc027, // ECDHE_RSA_WITH_AES_128_CBC_SHA256
  0xc013, // ECDHE_RSA_WITH_AES_128_CBC_SHA
  0xc014, // ECDHE_RSA_WITH_AES_256_CBC_SHA
  0x009c, // RSA_WITH_AES_128_GCM_SHA256
  0x009d, // RSA_WITH_AES_256_GCM_SHA384
  0x003c, // RSA_WITH_AES_128_CBC_SHA256
  0x002f, // RSA_WITH_AES_128_CBC_SHA
  0x0035, // RSA_WITH_AES_256_CBC_SHA
];

/** The TLS 1.3 suites (RFC 8446 §B.4). */
export const TLS13_SUITES: readonly number[] = [0x1301, 0x1302, 0x1303];

/**
 * Why a suite is forbidden by SP-TLS-3 ("RC4, MD5"...), or undefined when it is
 * not in {@link WEAK_SUITES}.
 */
export function weakness(code: number): string | undefined {
  const name = WEAK_SUITES.get(code);
  if (name === undefined) return undefined;
  const why: string[] = [];
  if (name.includes("RC4")) why.push("RC4");
  if (name.includes("3DES")) why.push("3DES");
  else if (name.includes("DES")) why.push("DES");
  if (name.includes("MD5")) why.push("MD5");
  if (name.includes("EXPORT")) why.push("export-grade");
  return `${name} (${why.join(", ")})`;
}

/** Signalling values that sit in the suite list without being suites (SCSVs, GREASE). */
export function isSignalling(code: number): boolean {
  const grease = (code & 0x0f0f) === 0x0a0a && code >> 8 === (code & 0xff);
  return code === 0x00ff || code === 0x5600 || grease;
}

/** `0xc02f` style name of a code. */
export const suiteHex = (code: number): string => `0x${code.toString(16).padStart(4, "0")}`;

// ---------------------------------------------------------------- building

const u8 = (n: number) => new Uint8Array([n & 0xff]);
const u16 = (n: number) => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => new Uint8Array([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
/** A vector with a 1-, 2- or 3-byte length prefix. */
function vec(lenBytes: 1 | 2 | 3, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(...parts);
  const len =
    lenBytes === 1 ? u8(body.length) : lenBytes === 2 ? u16(body.length) : u24(body.length);
  return concat(len, body);
}
const u16list = (xs: readonly number[]) => concat(...xs.map(u16));

/** One extension: type and opaque data. */
export interface Extension {
  type: number;
  data: Uint8Array;
}

/** What goes into a hand-made ClientHello. */
export interface ClientHelloSpec {
  /** Cipher suite codes, in preference order. */
  suites: readonly number[];
  /** Compression methods; default `[0]` (null only). */
  compression?: readonly number[];
  /** SNI host name; default `localhost`. */
  serverName?: string;
  /**
   * An x25519 public key (32 bytes): the hello then also offers TLS 1.3
   * (supported_versions 1.3 and 1.2, and this key share). Without it the hello
   * is TLS 1.2 only, and a TLS 1.3 server negotiates 1.2 or refuses.
   */
  x25519KeyShare?: Uint8Array;
  /** 32 bytes of client random; default a fixed pattern (no secret is ever derived). */
  random?: Uint8Array;
}

/** Groups offered in supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048. */
const GROUPS = [0x001d, 0x0017, 0x0018, 0x0019, 0x0100];
/** Signature schemes: RSA-PSS, RSA PKCS#1 and ECDSA with SHA-2, then the SHA-1 ones. */
const SIG_SCHEMES = [
  0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201, 0x0203,
];

function extension(type: number, data: Uint8Array): Uint8Array {
  return concat(u16(type), vec(2, data));
}

/** The handshake message (type 1, 24-bit length, body) of a ClientHello built from `spec`. */
export function buildClientHello(spec: ClientHelloSpec): Uint8Array {
  const random = spec.random ?? Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 0xff);
  const sessionId = Uint8Array.from({ length: 32 }, (_, i) => (0xa0 + i) & 0xff);
  const name = new TextEncoder().encode(spec.serverName ?? "localhost");
  const exts = [
    extension(EXT.serverName, vec(2, u8(0), vec(2, name))),
    extension(EXT.supportedGroups, vec(2, u16list(GROUPS))),
    extension(EXT.ecPointFormats, vec(1, u8(0))),
    extension(EXT.signatureAlgorithms, vec(2, u16list(SIG_SCHEMES))),
    extension(EXT.extendedMasterSecret, new Uint8Array(0)),
    extension(EXT.renegotiationInfo, vec(1)),
  ];
  if (spec.x25519KeyShare) {
    exts.push(extension(EXT.supportedVersions, vec(1, u16list([TLS13, TLS12]))));
    exts.push(extension(EXT.keyShare, vec(2, u16(0x001d), vec(2, spec.x25519KeyShare))));
  }
  const body = concat(
    u16(TLS12),
    random,
    vec(1, sessionId),
    vec(2, u16list(spec.suites)),
    vec(1, Uint8Array.from(spec.compression ?? [COMPRESSION.none])),
    vec(2, ...exts),
  );
  return concat(u8(HANDSHAKE.clientHello), vec(3, body));
}

/** A record of `type` around `payload` (record version 0x0301, as clients send first). */
export function tlsRecord(type: number, payload: Uint8Array, version = TLS10): Uint8Array {
  return concat(u8(type), u16(version), vec(2, payload));
}

/** The bytes to write on a fresh TCP connection: the ClientHello in one handshake record. */
export function clientHelloRecord(spec: ClientHelloSpec): Uint8Array {
  return tlsRecord(CONTENT.handshake, buildClientHello(spec));
}

// ---------------------------------------------------------------- parsing

/** A TLS message that cannot be parsed. */
export class TlsParseError extends Error {
  override name = "TlsParseError";
}

/** A bounds-checked reader over one message. */
class Cursor {
  private off = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly what: string,
  ) {}
  get left(): number {
    return this.b.length - this.off;
  }
  bytes(n: number): Uint8Array {
    if (n > this.left) {
      throw new TlsParseError(`${this.what}: needs ${n} more bytes at offset ${this.off}`);
    }
    const out = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u8(): number {
    return this.bytes(1)[0] as number;
  }
  u16(): number {
    const b = this.bytes(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }
  vec(lenBytes: 1 | 2): Uint8Array {
    return this.bytes(lenBytes === 1 ? this.u8() : this.u16());
  }
}

function u16s(b: Uint8Array, what: string): number[] {
  if (b.length % 2 !== 0) throw new TlsParseError(`${what}: odd length ${b.length}`);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 2) out.push(((b[i] as number) << 8) | (b[i + 1] as number));
  return out;
}

function extensions(c: Cursor, what: string): Extension[] {
  if (c.left === 0) return [];
  const all = new Cursor(c.vec(2), `${what} extensions`);
  const out: Extension[] = [];
  while (all.left > 0) out.push({ type: all.u16(), data: all.vec(2) });
  return out;
}

/** A parsed ClientHello. */
export interface ClientHello {
  legacyVersion: number;
  suites: number[];
  compression: number[];
  extensions: Extension[];
  /** From supported_versions, when present. */
  supportedVersions?: number[];
}

/** Parses a ClientHello body (after the 4-byte handshake header). */
export function parseClientHello(body: Uint8Array): ClientHello {
  const c = new Cursor(body, "ClientHello");
  const legacyVersion = c.u16();
  c.bytes(32);
  c.vec(1);
  const suites = u16s(c.vec(2), "cipher_suites");
  const compression = [...c.vec(1)];
  const exts = extensions(c, "ClientHello");
  const sv = exts.find((e) => e.type === EXT.supportedVersions);
  const hello: ClientHello = { legacyVersion, suites, compression, extensions: exts };
  if (sv) hello.supportedVersions = u16s(new Cursor(sv.data, "supported_versions").vec(1), "sv");
  return hello;
}

/** SHA-256 of "HelloRetryRequest": the random of a TLS 1.3 HelloRetryRequest (RFC 8446 §4.1.3). */
const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

/** A parsed ServerHello. */
export interface ServerHello {
  legacyVersion: number;
  /** The negotiated version: supported_versions when present (TLS 1.3), else legacyVersion. */
  version: number;
  suite: number;
  compression: number;
  extensions: Extension[];
  /** A TLS 1.3 HelloRetryRequest (same message, special random). */
  helloRetry: boolean;
}

/** Parses a ServerHello body (after the 4-byte handshake header). */
export function parseServerHello(body: Uint8Array): ServerHello {
  const c = new Cursor(body, "ServerHello");
  const legacyVersion = c.u16();
  const random = c.bytes(32);
  c.vec(1);
  const suite = c.u16();
  const compression = c.u8();
  const exts = extensions(c, "ServerHello");
  const sv = exts.find((e) => e.type === EXT.supportedVersions);
  const version = sv ? new Cursor(sv.data, "supported_versions").u16() : legacyVersion;
  const helloRetry = Buffer.from(random).toString("hex") === HRR_RANDOM;
  return { legacyVersion, version, suite, compression, extensions: exts, helloRetry };
}

/** Names of the alert descriptions a server may send here (RFC 8446 §6). */
const ALERTS: Record<number, string> = {
  0: "close_notify",
  10: "unexpected_message",
  40: "handshake_failure",
  47: "illegal_parameter",
  50: "decode_error",
  70: "protocol_version",
  71: "insufficient_security",
  80: "internal_error",
  86: "inappropriate_fallback",
  100: "no_renegotiation",
  109: "missing_extension",
  110: "unsupported_extension",
  112: "unrecognized_name",
};

/** `handshake_failure(40)` style name of an alert description. */
export const alertName = (d: number): string => `${ALERTS[d] ?? "alert"}(${d})`;

// ---------------------------------------------------------------- reading from a peer

/** What a server answered to a hand-made ClientHello. */
export type HelloReply =
  | { kind: "server-hello"; hello: ServerHello }
  | { kind: "alert"; level: number; description: number; fatal: boolean }
  | { kind: "closed" }
  | { kind: "silent" }
  | { kind: "garbage"; detail: string };

/** Reads one record (header and payload) within `ms`; undefined when closed or silent. */
async function readRecord(
  peer: WirePeer,
  ms: number,
): Promise<{ type: number; version: number; payload: Uint8Array } | undefined> {
  const deadline = performance.now() + ms;
  try {
    const h = await peer.readExact(5, ms, "a TLS record header");
    const len = ((h[3] as number) << 8) | (h[4] as number);
    const left = Math.max(1, deadline - performance.now());
    const payload = await peer.readExact(len, left, `a TLS record of ${len} bytes`);
    return { type: h[0] as number, version: ((h[1] as number) << 8) | (h[2] as number), payload };
  } catch {
    return undefined;
  }
}

/**
 * Reads handshake records until one whole handshake message of `type` is in,
 * and returns its body. Alerts and other records end the wait with what they are.
 */
async function readHandshake(
  peer: WirePeer,
  type: number,
  ms: number,
): Promise<{ body: Uint8Array } | Exclude<HelloReply, { kind: "server-hello" }>> {
  const deadline = performance.now() + ms;
  let hs: Uint8Array = new Uint8Array(0);
  for (;;) {
    const r = await readRecord(peer, Math.max(1, deadline - performance.now()));
    if (r === undefined) return peer.closed ? { kind: "closed" } : { kind: "silent" };
    if (r.type === CONTENT.alert) {
      const level = r.payload[0] ?? 0;
      const description = r.payload[1] ?? 0;
      return { kind: "alert", level, description, fatal: level === 2 };
    }
    if (r.type === CONTENT.changeCipherSpec) continue;
    if (r.type !== CONTENT.handshake) {
      return { kind: "garbage", detail: `record type ${r.type}: ${hex(r.payload, 16)}` };
    }
    hs = concat(hs, r.payload);
    if (hs.length < 4) continue;
    const len = ((hs[1] as number) << 16) | ((hs[2] as number) << 8) | (hs[3] as number);
    if (hs.length < 4 + len) continue;
    if (hs[0] !== type) {
      return { kind: "garbage", detail: `handshake message ${hs[0]} instead of ${type}` };
    }
    return { body: hs.subarray(4, 4 + len) };
  }
}

/** Reads the server's first answer to a ClientHello written on `peer`. */
export async function readServerReply(peer: WirePeer, ms: number): Promise<HelloReply> {
  const r = await readHandshake(peer, HANDSHAKE.serverHello, ms);
  if (!("body" in r)) return r;
  try {
    return { kind: "server-hello", hello: parseServerHello(r.body) };
  } catch (e) {
    return { kind: "garbage", detail: (e as Error).message };
  }
}

/** Reads and parses the ClientHello an IUT dialer sends; throws TlsParseError when it does not. */
export async function readClientHello(peer: WirePeer, ms: number): Promise<ClientHello> {
  const r = await readHandshake(peer, HANDSHAKE.clientHello, ms);
  if ("body" in r) return parseClientHello(r.body);
  const what = r.kind === "alert" ? alertName(r.description) : r.kind;
  throw new TlsParseError(`no ClientHello from the IUT dialer: ${what}`);
}

/** One line describing a reply, for notes and failures. */
export function describeReply(r: HelloReply): string {
  switch (r.kind) {
    case "server-hello": {
      const v = r.hello.version === TLS13 ? "TLS 1.3" : `version ${suiteHex(r.hello.version)}`;
      const hrr = r.hello.helloRetry ? " (HelloRetryRequest)" : "";
      return `ServerHello${hrr}, ${v}, suite ${suiteHex(r.hello.suite)}, compression ${r.hello.compression}`;
    }
    case "alert":
      return `${r.fatal ? "fatal" : "warning"} alert ${alertName(r.description)}`;
    case "closed":
      return "connection closed without an alert";
    case "silent":
      return "no answer within the bound";
    case "garbage":
      return `unexpected bytes: ${r.detail}`;
  }
}
