/**
 * Building blocks shared by the SURVEYOR/RESPONDENT cases: an IUT RESPONDENT
 * listening with raw surveyor peers, an IUT SURVEYOR with raw respondent
 * peers, and survey/response round trips.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, firstWord, hex, request, sameBytes, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, CaseNeeds } from "../types.ts";

/** Protocol numbers from the drafts (SP-SURVEY-1). */
export const SURVEY_PROTO = {
  surveyor0: protocols.surveyor0.number,
  respondent0: protocols.respondent0.number,
} as const;

/** Bounds used by the survey cases (ms). */
export const T = {
  /** Upper bound for something that should happen promptly. */
  prompt: 2000,
  /** "Nothing must arrive" windows. */
  quiet: 250,
  /** Time for the IUT to attach a pipe after our header went out. */
  settle: 300,
  /** Short survey time set through `surveyor:survey-time`. */
  survey: 200,
  /** Survey time long enough to outlast a case's steps. */
  long: 5000,
} as const;

/**
 * What ESTATE shows for a SURVEYOR recv that had to wait for the survey's
 * deadline (for expectErrorName): the draft names a recv that was waiting
 * when the deadline passed ETIMEDOUT and one that found no survey in progress
 * ESTATE, so the code is what tells which of the two the recv saw.
 */
export const NO_SURVEY = "ESTATE says it found no survey in progress, not the deadline";

/** Needs of a case that drives an IUT RESPONDENT over TCP. */
export const RESPONDENT_TCP: CaseNeeds = { protocols: ["respondent0"], transports: ["tcp"] };
/** Needs of a case that drives an IUT SURVEYOR over TCP (setting its survey time). */
export const SURVEYOR_TCP: CaseNeeds = {
  protocols: ["surveyor0"],
  transports: ["tcp"],
  options: ["surveyor:survey-time"],
};

/**
 * Opens an IUT socket of a survey protocol. `CaseIut.open` is typed for the
 * REQ/REP names only; the runner passes any name through to the adapter.
 */
export function openIut(ctx: CaseContext, protocol: "surveyor0" | "respondent0") {
  const open = ctx.iut.open as (p: string) => Promise<IutSocket>;
  return open(protocol);
}

/** Opens an IUT RESPONDENT, applies options, listens on a fresh port of the IUT's host. */
export async function respondentListening(
  ctx: CaseContext,
  options: Record<string, number> = {},
): Promise<{ respondent: IutSocket; url: string }> {
  const respondent = await openIut(ctx, "respondent0");
  for (const [name, value] of Object.entries(options)) await respondent.setopt(name, value);
  const url = await respondent.listen(ctx.iutUrl("tcp"));
  return { respondent, url };
}

/** Connects a raw SURVEYOR peer to `url` and checks the IUT says RESPONDENT (SP-SURVEY-1). */
export async function surveyorPeer(ctx: CaseContext, url: string, label?: string) {
  const peer = await ctx.connect(url, label);
  const h = await peer.handshake(SURVEY_PROTO.surveyor0);
  if (h.protocol !== SURVEY_PROTO.respondent0) {
    ctx.fail(`the IUT RESPONDENT announced protocol 0x${h.protocol.toString(16)}, expected 0x63`);
  }
  return peer;
}

/** Opens an IUT SURVEYOR with options and lets it listen on a fresh port. */
export async function surveyorListening(
  ctx: CaseContext,
  options: Record<string, number> = {},
): Promise<{ surveyor: IutSocket; url: string }> {
  const surveyor = await openIut(ctx, "surveyor0");
  for (const [name, value] of Object.entries(options)) await surveyor.setopt(name, value);
  const url = await surveyor.listen(ctx.iutUrl("tcp"));
  return { surveyor, url };
}

/**
 * Connects `n` raw RESPONDENT peers to an IUT SURVEYOR, exchanges headers,
 * checks the IUT says SURVEYOR and waits briefly so that the IUT has
 * attached every pipe before the case sends a survey.
 */
export async function respondentPeers(
  ctx: CaseContext,
  url: string,
  n: number,
): Promise<WirePeer[]> {
  const peers: WirePeer[] = [];
  for (let i = 0; i < n; i++) {
    const peer = await ctx.connect(url, `resp${i + 1}`);
    const h = await peer.handshake(SURVEY_PROTO.respondent0);
    if (h.protocol !== SURVEY_PROTO.surveyor0) {
      ctx.fail(`the IUT SURVEYOR announced protocol 0x${h.protocol.toString(16)}, expected 0x62`);
    }
    peers.push(peer);
  }
  await new Promise((r) => setTimeout(r, T.settle));
  return peers;
}

/** An IUT SURVEYOR with one raw respondent attached. */
export async function surveyorWithPeer(
  ctx: CaseContext,
  options: Record<string, number> = {},
): Promise<{ surveyor: IutSocket; peer: WirePeer }> {
  const { surveyor, url } = await surveyorListening(ctx, options);
  const [peer] = await respondentPeers(ctx, url, 1);
  if (!peer) ctx.fail("no respondent peer");
  return { surveyor, peer };
}

/**
 * Reads one survey sent by the IUT SURVEYOR and splits it into the id and
 * the body, failing when it is shorter than 4 bytes or the id lacks its top
 * bit (SP-SURVEY-3).
 */
export async function readSurvey(
  ctx: CaseContext,
  peer: WirePeer,
  ms: number = T.prompt,
): Promise<{ id: number; body: Uint8Array; payload: Uint8Array }> {
  const payload = await peer.readFrame(ms);
  const id = firstWord(payload);
  if (id === undefined) ctx.fail(`the IUT sent a ${payload.length}-byte survey without an id`);
  if ((id & 0x80000000) === 0) ctx.fail(`survey id ${word32(id)} does not have its top bit set`);
  return { id, body: payload.subarray(4), payload };
}

/** A response frame payload: `[id] body`. */
export function response(id: number, body: Uint8Array): Uint8Array {
  return concat(words(id), body);
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

/** Fails unless the IUT RESPONDENT has nothing to deliver for `T.quiet` ms. */
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
): void {
  if (!sameBytes(actual, expected))
    ctx.fail(`${what}: expected ${hex(expected)}, got ${hex(actual)}`);
}

/**
 * Sends a survey with the given backtrace from a raw surveyor, lets the IUT
 * RESPONDENT receive it and answer `answer`, and checks the response frame is
 * `backtrace + answer` (SP-SURVEY-19).
 */
export async function respondentRoundTrip(
  ctx: CaseContext,
  respondent: IutSocket,
  peer: WirePeer,
  m: { hops: number[]; id: number; body: Uint8Array; answer: Uint8Array },
): Promise<void> {
  peer.sendFrame(request(m));
  const got = await iutRecv(ctx, respondent, "the survey");
  expectBytes(ctx, got, m.body, "body delivered by the IUT RESPONDENT");
  await respondent.send(m.answer, { timeoutMs: T.prompt });
  const payload = await peer.readFrame(T.prompt);
  expectBytes(ctx, payload, concat(words(...m.hops, m.id), m.answer), "response frame");
}
