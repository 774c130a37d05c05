/**
 * Building blocks shared by the REQ/REP cases: an IUT REP listening with a
 * raw REQ peer, an IUT REQ dialing a raw REP listener, and round trips.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import {
  concat,
  firstWord,
  hex,
  PROTO,
  request,
  sameBytes,
  utf8,
  word32,
  words,
} from "../../harness/sp.ts";
import type { WirePeer, WireServer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Bounds used by the REQ/REP cases (ms). */
export const T = {
  /** Upper bound for something that should happen promptly. */
  prompt: 2000,
  /** "Nothing must arrive" windows. */
  quiet: 250,
  /** Short REQ resend interval set through `req:resend-time`. */
  resend: 100,
  /** Short reconnect interval set through `reconnect-time-min`. */
  reconnect: 50,
} as const;

/** Needs of a case that drives an IUT REP over TCP. */
export const REP_TCP: CaseNeeds = { protocols: ["rep0"], transports: ["tcp"] };
/** Needs of a case that drives an IUT REQ over TCP. */
export const REQ_TCP: CaseNeeds = { protocols: ["req0"], transports: ["tcp"] };

/** Opens an IUT REP, applies options, listens on a fresh port of the IUT's host. */
export async function repListening(
  ctx: CaseContext,
  options: Record<string, number> = {},
): Promise<{ rep: IutSocket; url: string }> {
  const rep = await ctx.iut.open("rep0");
  for (const [name, value] of Object.entries(options)) await rep.setopt(name, value);
  const url = await rep.listen(ctx.iutUrl("tcp"));
  return { rep, url };
}

/** Connects a raw REQ peer to `url`, exchanges headers and checks the IUT says REP (SP-TCP-4). */
export async function reqPeer(ctx: CaseContext, url: string, label?: string): Promise<WirePeer> {
  const peer = await ctx.connect(url, label);
  const h = await peer.handshake(PROTO.req0);
  if (h.protocol !== PROTO.rep0) {
    ctx.fail(`the IUT REP announced protocol 0x${h.protocol.toString(16)}, expected 0x31`);
  }
  return peer;
}

/**
 * Opens an IUT REQ with options (a short reconnect time is added when the
 * IUT supports it), lets it dial a raw listener, accepts the connection and
 * exchanges headers.
 */
export async function reqDialing(
  ctx: CaseContext,
  options: Record<string, number> = {},
): Promise<{ req: IutSocket; server: WireServer; peer: WirePeer }> {
  const req = await ctx.iut.open("req0");
  for (const [name, value] of Object.entries(options)) await req.setopt(name, value);
  const server = await ctx.server();
  await req.dial(server.url);
  const peer = await server.accept(T.prompt);
  const h = await peer.handshake(PROTO.rep0);
  if (h.protocol !== PROTO.req0) {
    ctx.fail(`the IUT REQ announced protocol 0x${h.protocol.toString(16)}, expected 0x30`);
  }
  return { req, server, peer };
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

/** Fails unless the IUT has nothing to deliver for `T.quiet` ms (recv times out). */
export async function iutNothing(ctx: CaseContext, sock: IutSocket, why: string): Promise<void> {
  const r = await sock.tryRecv({ timeoutMs: T.quiet });
  if (r.ok) ctx.fail(`${why}, yet the IUT delivered ${hex(r.value)}`);
  expectErrorName(ctx, r.code, "ETIMEDOUT", `${why}; the recv`);
}

/** Fails unless `actual` equals `expected`, showing both in hex. */
export function expectBytes(
  ctx: CaseContext,
  actual: Uint8Array,
  expected: Uint8Array,
  what: string,
) {
  if (!sameBytes(actual, expected)) {
    ctx.fail(`${what}: expected ${hex(expected)}, got ${hex(actual)}`);
  }
}

/**
 * Sends a request with the given backtrace from a raw REQ peer, lets the IUT
 * REP receive it and answer `reply`, and checks the reply frame is
 * `backtrace + reply` (SP-REQREP-13).
 */
export async function repRoundTrip(
  ctx: CaseContext,
  rep: IutSocket,
  peer: WirePeer,
  m: { hops: number[]; id: number; body: Uint8Array; reply: Uint8Array },
): Promise<void> {
  peer.sendFrame(request(m));
  const got = await iutRecv(ctx, rep, "the request");
  expectBytes(ctx, got, m.body, "body delivered by the IUT REP");
  await rep.send(m.reply, { timeoutMs: T.prompt });
  const payload = await peer.readFrame(T.prompt);
  expectBytes(
    ctx,
    payload,
    concat(words(...m.hops, m.id), m.reply),
    "reply frame from the IUT REP",
  );
}

/** Checks the IUT REP still answers a fresh, well-behaved peer (SP-TCP-12). */
export async function stillServes(ctx: CaseContext, rep: IutSocket, url: string): Promise<void> {
  const peer = await reqPeer(ctx, url, "good");
  await repRoundTrip(ctx, rep, peer, {
    hops: [],
    id: 0x80000abc,
    body: utf8("still there?"),
    reply: utf8("yes"),
  });
}

/**
 * Reads one request frame sent by the IUT REQ and splits it into the id
 * word and the body, failing when it is shorter than 4 bytes.
 */
export async function readRequest(
  ctx: CaseContext,
  peer: WirePeer,
  ms: number = T.prompt,
): Promise<{ id: number; body: Uint8Array; payload: Uint8Array }> {
  const payload = await peer.readFrame(ms);
  const id = firstWord(payload);
  if (id === undefined) ctx.fail(`the IUT REQ sent a ${payload.length}-byte request without an id`);
  return { id, body: payload.subarray(4), payload };
}

/** Fails unless `id` has its top bit set (SP-REQREP-3). */
export function expectTopBit(ctx: CaseContext, id: number): void {
  if ((id & 0x80000000) === 0) ctx.fail(`request id ${word32(id)} does not have its top bit set`);
}
