/**
 * Building blocks shared by the PAIR and BUS cases: opening IUT sockets of
 * these protocols, raw peers that are confirmed attached by a round trip,
 * PAIR v1 message builders and bounded receive checks.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** The protocols these cases drive. */
export type PairBusProtocol = "pair0" | "pair1" | "pair1poly" | "bus0";

/** Protocol numbers from the drafts (SP-PAIR-1, SP-BUS-1). */
export const NUM = {
  pair0: protocols.pair0.number,
  pair1: protocols.pair1.number,
  pair1poly: protocols.pair1.number,
  bus0: protocols.bus0.number,
  req0: protocols.req0.number,
} as const;

/** Bounds used by the PAIR and BUS cases (ms). */
export const T = {
  /** Upper bound for something that should happen promptly. */
  prompt: 2000,
  /** "Nothing must arrive" windows. */
  quiet: 250,
  /** Pause before retrying a connection the IUT closed. */
  retry: 100,
} as const;

/** Needs of a case that drives one IUT socket over TCP, optionally setting options. */
export function tcpNeeds(protocol: PairBusProtocol, options?: string[]): CaseNeeds {
  return { protocols: [protocol], transports: ["tcp"], ...(options ? { options } : {}) };
}

/**
 * Opens an IUT socket. `CaseIut.open` is typed for the REQ/REP names only;
 * the runner passes any name through to the adapter.
 */
export function openIut(ctx: CaseContext, protocol: PairBusProtocol): Promise<IutSocket> {
  const open = ctx.iut.open as (p: string) => Promise<IutSocket>;
  return open(protocol);
}

/** Opens an IUT socket, applies options, listens on a fresh port of the IUT's host. */
export async function listening(
  ctx: CaseContext,
  protocol: PairBusProtocol,
  options: Record<string, number> = {},
): Promise<{ sock: IutSocket; url: string }> {
  const sock = await openIut(ctx, protocol);
  for (const [name, value] of Object.entries(options)) await sock.setopt(name, value);
  const url = await sock.listen(ctx.iutUrl("tcp"));
  return { sock, url };
}

/** A PAIR v1 payload: header word (any value, so cases can break it) + body. */
export function pair1Msg(word: number, body: Uint8Array | string): Uint8Array {
  return concat(words(word), typeof body === "string" ? utf8(body) : body);
}

/** The payload a peer of `protocol` sends for `body` on its first hop. */
export function payloadFor(protocol: PairBusProtocol, body: Uint8Array | string): Uint8Array {
  const b = typeof body === "string" ? utf8(body) : body;
  return protocol === "pair1" || protocol === "pair1poly" ? pair1Msg(1, b) : b;
}

/**
 * Connects a raw peer speaking `protocol`, checks the IUT's header names the
 * same protocol (PAIR and BUS are their own peers) and confirms the IUT
 * attached the pipe by sending one message and receiving it at the IUT. A
 * connection the IUT closes right away (a monogamous socket that has not yet
 * noticed its old peer leaving) is retried a few times.
 */
export async function attachedPeer(
  ctx: CaseContext,
  sock: IutSocket,
  url: string,
  protocol: PairBusProtocol,
  label: string,
): Promise<WirePeer> {
  const mono = protocol === "pair0" || protocol === "pair1";
  if (mono) {
    // A monogamous PAIR refuses a second peer while one is attached (SP-PAIR-3), so
    // a case that attaches another while its previous peer is open tests nothing but
    // its own assumption that the IUT closed that peer (as some IUTs may not).
    const previous = attachedMono.get(ctx)?.get(url);
    if (previous && !previous.closed) {
      throw new Error(
        `case bug: ${label} would be a second peer of the monogamous ${protocol} at ${url} while ${previous.label} is attached`,
      );
    }
  }
  const peer = await attachOnce(ctx, sock, url, protocol, label);
  if (mono) {
    const byUrl = attachedMono.get(ctx) ?? new Map<string, WirePeer>();
    byUrl.set(url, peer);
    attachedMono.set(ctx, byUrl);
  }
  return peer;
}

/** Per case, the peer last attached to each monogamous PAIR URL. */
const attachedMono = new WeakMap<CaseContext, Map<string, WirePeer>>();

async function attachOnce(
  ctx: CaseContext,
  sock: IutSocket,
  url: string,
  protocol: PairBusProtocol,
  label: string,
): Promise<WirePeer> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const peer = await ctx.connect(url, attempt === 1 ? label : `${label}#${attempt}`);
    const h = await peer.handshake(NUM[protocol]);
    if (h.protocol !== NUM[protocol]) {
      ctx.fail(
        `the IUT ${protocol} announced protocol 0x${h.protocol.toString(16)}, expected 0x${NUM[protocol].toString(16)}`,
      );
    }
    const hello = utf8(`hello from ${peer.label}`);
    peer.sendFrame(payloadFor(protocol, hello));
    const r = await sock.tryRecv({ timeoutMs: T.prompt });
    if (r.ok) {
      if (!sameBytes(r.value, hello)) {
        ctx.fail(`expected the IUT to deliver ${hex(hello)}, got ${hex(r.value)}`);
      }
      return peer;
    }
    if (!peer.closed) ctx.fail(`the IUT did not deliver a message from ${peer.label}: ${r.code}`);
    peer.close();
    await new Promise((res) => setTimeout(res, T.retry));
  }
  return ctx.fail(`the IUT kept closing new connections from ${label}`);
}

/** Receives one message at the IUT within the prompt bound, failing with context. */
export async function iutRecv(
  ctx: CaseContext,
  sock: IutSocket,
  what: string,
): Promise<Uint8Array> {
  const r = await sock.tryRecv({ timeoutMs: T.prompt });
  if (!r.ok) ctx.fail(`the IUT did not deliver ${what}: recv failed with ${r.code}`);
  return r.value;
}

/** Receives one message and fails unless it equals `expected`. */
export async function iutExpect(
  ctx: CaseContext,
  sock: IutSocket,
  expected: Uint8Array | string,
  what: string,
): Promise<void> {
  const want = typeof expected === "string" ? utf8(expected) : expected;
  const got = await iutRecv(ctx, sock, what);
  if (!sameBytes(got, want)) ctx.fail(`${what}: expected ${hex(want)}, got ${hex(got)}`);
}

/** Fails unless the IUT has nothing to deliver for `T.quiet` ms (recv times out). */
export async function iutNothing(ctx: CaseContext, sock: IutSocket, why: string): Promise<void> {
  const r = await sock.tryRecv({ timeoutMs: T.quiet });
  if (r.ok) ctx.fail(`${why}, yet the IUT delivered ${hex(r.value)}`);
  expectErrorName(ctx, r.code, "ETIMEDOUT", `${why}; the recv`);
}

/** Reads one frame from `peer` and fails unless it equals `expected`. */
export async function peerExpect(
  ctx: CaseContext,
  peer: WirePeer,
  expected: Uint8Array,
  what: string,
): Promise<void> {
  const got = await peer.readFrame(T.prompt);
  if (!sameBytes(got, expected)) ctx.fail(`${what}: expected ${hex(expected)}, got ${hex(got)}`);
}
