/** Shared steps and checks of the context cases (reqrep/*context*, survey/*context*). */
import type { IutSocket, Outcome } from "../../adapters/iut.ts";
import { concat, hex, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectBytes, settle, T, wordsOf } from "../raw/common.ts";
import type { CaseContext } from "../types.ts";
import { expectErrorName } from "./error-name.ts";

/** Reads `n` frames and maps each body (as text) to its first word. */
export async function idsByBody(
  ctx: CaseContext,
  read: () => Promise<Uint8Array>,
  n: number,
  who: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const f = await read();
    if (f.length < 4) ctx.fail(`${who} ${i + 1} is ${f.length} bytes, without an id`);
    const id = wordsOf(f.subarray(0, 4))[0] as number;
    // SP-REQREP-3 / SP-SURVEY-3: ids carry the top bit.
    if ((id & 0x80000000) === 0) ctx.fail(`${who} id ${word32(id)} lacks the top bit`);
    out.set(new TextDecoder().decode(f.subarray(4)), id);
  }
  return out;
}

/** Receives on both contexts at once and checks each got its own answer. */
export async function bothGetTheirOwn(
  ctx: CaseContext,
  pairs: [IutSocket, string][],
  what: string,
): Promise<void> {
  const got = await Promise.all(pairs.map(([c]) => c.tryRecv({ timeoutMs: T.prompt })));
  got.forEach((r, i) => {
    const want = (pairs[i] as [IutSocket, string])[1];
    if (!r.ok) ctx.fail(`context ${i + 1} did not receive its ${what}: ${r.code}`);
    expectBytes(ctx, r.value, want, `the ${what} delivered to context ${i + 1}`);
  });
}

/** A message body as text. */
export const bodyText = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Starts a recv on `sock` and lets the adapter register it before the caller goes on. */
export async function pendingRecv(
  sock: IutSocket,
  ms: number,
): Promise<{ done: Promise<Outcome<Uint8Array>> }> {
  const done = sock.tryRecv({ timeoutMs: ms });
  await settle();
  return { done };
}

/**
 * Closes context `c` while a recv waits on it and checks that the recv ends
 * with ECLOSED (and took nothing), well before its own timeout.
 */
export async function closeEndsRecv(ctx: CaseContext, c: IutSocket): Promise<void> {
  const waiting = await pendingRecv(c, 3 * T.prompt);
  await c.close();
  const r = await waiting.done;
  if (r.ok) ctx.fail(`the closed context's recv returned ${hex(r.value)}`);
  expectErrorName(ctx, r.code, "ECLOSED", "the recv pending on the closed context");
}

/** One question a raw asking peer sends: its hop words, id and body. */
export interface Asked {
  readonly peer: WirePeer;
  readonly name: string;
  readonly hops: readonly number[];
  readonly id: number;
  readonly body: string;
}

/**
 * Two answering contexts (REP, RESPONDENT) each receive one of two
 * questions from two peers and answer them in the reverse order of receipt;
 * each peer must get exactly one answer, `re: <body>`, behind its whole
 * backtrace (SP-REQREP-35, SP-SURVEY-37).
 */
export async function answerInReverse(
  ctx: CaseContext,
  contexts: readonly [IutSocket, IutSocket],
  asked: readonly [Asked, Asked],
  what: string,
): Promise<void> {
  const waits = await Promise.all(contexts.map((c) => pendingRecv(c, T.prompt)));
  for (const q of asked) q.peer.sendFrame(concat(words(...q.hops, q.id), utf8(q.body)));
  const got = await Promise.all(waits.map((w) => w.done));
  const bodies = got.map((r, i) => {
    if (!r.ok) ctx.fail(`context ${i + 1} received nothing: ${r.code}`);
    return bodyText(r.value);
  });
  const sent = asked.map((q) => q.body);
  if (new Set(bodies).size !== 2 || !bodies.every((x) => sent.includes(x))) {
    ctx.fail(`the contexts received ${bodies.map((x) => JSON.stringify(x)).join(" and ")}`);
  }
  // Answer the one holding the second peer's question first.
  const order = bodies[0] === sent[1] ? [0, 1] : [1, 0];
  for (const i of order) {
    await (contexts[i] as IutSocket).send(utf8(`re: ${bodies[i]}`), { timeoutMs: T.prompt });
  }
  for (const q of asked) {
    const frame = await q.peer.readFrame(T.prompt);
    const want = concat(words(...q.hops, q.id), utf8(`re: ${q.body}`));
    expectBytes(ctx, frame, want, `the ${what} ${q.name} got`);
    const extra = await q.peer.quiet(T.quiet);
    if (extra.kind === "data") ctx.fail(`${q.name} got a second ${what}: ${hex(extra.bytes)}`);
  }
}
