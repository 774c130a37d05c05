/**
 * Building blocks for the cases that use the optional adapter features
 * (ADAPTER.md §3.2): raw sockets with their SP header, devices, contexts,
 * pipe ids and stats. Shared by cases/raw, cases/inproc and cases/features.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutMessage, IutSocket } from "../../adapters/iut.ts";
import { hex, sameBytes, utf8, word32, words } from "../../harness/sp.ts";
import { sleep } from "../../harness/wait.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Protocol numbers from the drafts. */
export const NUM = {
  req0: protocols.req0.number,
  rep0: protocols.rep0.number,
  surveyor0: protocols.surveyor0.number,
  respondent0: protocols.respondent0.number,
  pair0: protocols.pair0.number,
  pair1: protocols.pair1.number,
  bus0: protocols.bus0.number,
  pub0: protocols.pub0.number,
  sub0: protocols.sub0.number,
  push0: protocols.push0.number,
  pull0: protocols.pull0.number,
} as const;

export type ProtocolName = keyof typeof NUM;

/** Bounds used by these cases (ms); generous, the machine is shared. */
export const T = {
  /** Upper bound for something that should happen promptly. */
  prompt: 2000,
  /** "Nothing must arrive" windows. */
  quiet: 300,
  /** Time for the IUT to attach a pipe after the handshake. */
  settle: 200,
} as const;

/** Needs of a case: protocols over TCP plus adapter features (and options). */
export function needs(
  protocolNames: string[],
  features: string[],
  options?: string[],
  transports: string[] = ["tcp"],
): CaseNeeds {
  return {
    protocols: protocolNames,
    transports,
    features,
    ...(options ? { options } : {}),
  };
}

/** Opens a cooked IUT socket of any protocol. */
export function openCooked(ctx: CaseContext, protocol: string): Promise<IutSocket> {
  return ctx.iut.open(protocol);
}

/** Opens the raw variant of `protocol` in the IUT (feature `raw`). */
export function openRaw(ctx: CaseContext, protocol: string): Promise<IutSocket> {
  return ctx.iut.open(protocol, { raw: true });
}

/** Opens a socket (raw when asked), applies options and listens on a fresh TCP port. */
export async function listening(
  ctx: CaseContext,
  protocol: string,
  opts: { raw?: boolean; options?: Record<string, number> } = {},
): Promise<{ sock: IutSocket; url: string }> {
  const sock = opts.raw ? await openRaw(ctx, protocol) : await openCooked(ctx, protocol);
  for (const [name, value] of Object.entries(opts.options ?? {})) await sock.setopt(name, value);
  const url = await sock.listen(ctx.iutUrl("tcp"));
  return { sock, url };
}

/** Connects a wire peer speaking `self` and checks the IUT announces `expect`. */
export async function wirePeer(
  ctx: CaseContext,
  url: string,
  self: ProtocolName,
  expect: ProtocolName,
  label?: string,
): Promise<WirePeer> {
  const peer = await ctx.connect(url, label);
  const h = await peer.handshake(NUM[self]);
  if (h.protocol !== NUM[expect]) {
    ctx.fail(
      `the IUT announced protocol 0x${h.protocol.toString(16)}, expected 0x${NUM[expect].toString(16)} (${expect})`,
    );
  }
  return peer;
}

/** Lets the IUT attach pipes whose handshake just finished. */
export function settle(ms: number = T.settle): Promise<void> {
  return sleep(ms);
}

/** Receives one message with its header and pipe, failing with context. */
export async function recvMsg(
  ctx: CaseContext,
  sock: IutSocket,
  what: string,
  ms: number = T.prompt,
): Promise<IutMessage> {
  const r = await sock.tryRecvMessage({ timeoutMs: ms });
  if (!r.ok) ctx.fail(`the IUT did not deliver ${what}: recv failed with ${r.code}`);
  return r.value;
}

/** Fails unless the IUT delivers nothing within `ms` (recv times out). */
export async function recvNothing(
  ctx: CaseContext,
  sock: IutSocket,
  why: string,
  ms: number = T.quiet,
): Promise<void> {
  const r = await sock.tryRecvMessage({ timeoutMs: ms });
  if (r.ok) {
    ctx.fail(
      `${why}, yet the IUT delivered header ${hex(r.value.header ?? new Uint8Array(0))} body ${hex(r.value.data)}`,
    );
  }
  expectErrorName(ctx, r.code, "ETIMEDOUT", `${why}; the recv`);
}

/** Fails unless `actual` equals `expected`, showing both in hex. */
export function expectBytes(
  ctx: CaseContext,
  actual: Uint8Array,
  expected: Uint8Array | string,
  what: string,
): void {
  const want = typeof expected === "string" ? utf8(expected) : expected;
  if (!sameBytes(actual, want)) ctx.fail(`${what}: expected ${hex(want)}, got ${hex(actual)}`);
}

/** Reads one frame from `peer` and fails unless it equals `expected`. */
export async function peerExpect(
  ctx: CaseContext,
  peer: WirePeer,
  expected: Uint8Array,
  what: string,
): Promise<void> {
  const got = await peer.readFrame(T.prompt);
  expectBytes(ctx, got, expected, what);
}

/** The header of a received message (empty when the adapter sent none). */
export function headerOf(m: IutMessage): Uint8Array {
  return m.header ?? new Uint8Array(0);
}

/** Splits bytes into big-endian u32 words (a trailing partial word is ignored). */
export function wordsOf(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let o = 0; o + 4 <= b.length; o += 4) out.push(dv.getUint32(o));
  return out;
}

/** Formats a list of words. */
export function showWords(ws: number[]): string {
  return `[${ws.map(word32).join(" ")}]`;
}

/**
 * Checks that a raw replier's header ends with the backtrace that travelled
 * on the wire (SP-FRAMEWORK-4) and returns the local prefix the
 * implementation put in front of it (its pipe word, for NNG and nanomsg).
 */
export function backtraceInHeader(
  ctx: CaseContext,
  header: Uint8Array,
  wire: number[],
  what: string,
): Uint8Array {
  const want = words(...wire);
  const tail = header.subarray(Math.max(0, header.length - want.length));
  if (header.length < want.length || !sameBytes(tail, want)) {
    ctx.fail(
      `${what}: the header handed to the application is ${hex(header)}; it does not end with the backtrace ${hex(want)} that came on the wire`,
    );
  }
  return header.subarray(0, header.length - want.length);
}

/** Starts a device in the IUT between `a` and `b` (one-socket reflector when `b` is absent). */
export function startDevice(ctx: CaseContext, a: IutSocket, b?: IutSocket): Promise<void> {
  return ctx.iut.device(a, b);
}

/** Reads the IUT's stats of `sock` (feature `stats`). */
export function statsOf(ctx: CaseContext, sock: IutSocket): Promise<Record<string, number>> {
  return ctx.iut.stats(sock);
}

/** A unique `inproc://` name for this case run. */
export function inprocName(ctx: CaseContext, tag: string): string {
  const rnd = Math.floor(Math.random() * 1e9).toString(36);
  return `inproc://conformance/${ctx.caseId}/${tag}/${ctx.seed}-${rnd}`;
}
