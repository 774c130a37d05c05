/**
 * Calls started after close (SP-FRAMEWORK-33): a send or recv on a socket or
 * context the application already closed fails without waiting, takes no
 * message and puts none on a pipe.
 *
 * - framework/after-close-<protocol>: every cooked protocol; the socket is
 *   closed with a peer attached, then each operation the protocol has is
 *   started on it.
 * - framework/context-after-close-<protocol> (feature `contexts`): one of two
 *   contexts is closed. Its send must put nothing on the wire, its recv must
 *   not take what the other context is owed, and the other context works on.
 *
 * The operations get a long timeout (6 s), so an IUT that lets them wait
 * shows it as a delay, not as a failure in time.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket, Outcome } from "../../adapters/iut.ts";
import { concat, hex, request, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { withPeer } from "../common/close.ts";
import { expectErrorName } from "../common/error-name.ts";
import { needs, settle, T } from "../raw/common.ts";
import {
  expectBytes,
  iutRecv,
  readRequest,
  repListening,
  reqDialing,
  reqPeer,
} from "../reqrep/common.ts";
import {
  readSurvey,
  respondentListening,
  surveyorPeer,
  surveyorWithPeer,
} from "../survey/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** The timeout given to calls that must not wait at all. */
const LONG = 3 * T.prompt;

type Proto = keyof typeof protocols;

/** Protocols whose cooked socket has a send, and those that have a recv. */
const SENDS: readonly Proto[] = [
  "pair0",
  "pair1",
  "bus0",
  "pub0",
  "push0",
  "req0",
  "rep0",
  "surveyor0",
  "respondent0",
];
const RECEIVES: readonly Proto[] = [
  "pair0",
  "pair1",
  "bus0",
  "sub0",
  "pull0",
  "req0",
  "rep0",
  "surveyor0",
  "respondent0",
];

/**
 * Awaits `op`, started at `t0`, and fails unless it failed within the prompt
 * bound; warns when the failure is not named ECLOSED (SP-FRAMEWORK-20).
 */
async function refusedAtOnce(
  ctx: CaseContext,
  op: Promise<Outcome<unknown>>,
  what: string,
  t0 = performance.now(),
): Promise<void> {
  const r = await op;
  const ms = Math.round(performance.now() - t0);
  if (r.ok) ctx.fail(`${what} completed, although it was started after the close`);
  if (ms > T.prompt) {
    ctx.fail(`${what} failed with ${r.code} only after ${ms} ms; it must fail without waiting`);
  }
  expectErrorName(ctx, r.code, "ECLOSED", what);
}

/** Fails when `peer` got any bytes within the quiet window. */
async function nothingFrom(ctx: CaseContext, peer: WirePeer, what: string): Promise<void> {
  const seen = await peer.quiet(T.quiet);
  if (seen.kind === "data") ctx.fail(`${what}: the peer got ${hex(seen.bytes)}`);
}

/** framework/after-close-<p>: the socket's own send and recv after close. */
function socketCase(p: Proto): ConformanceCase {
  return {
    id: `framework/after-close-${p}`,
    title: `A send or recv started on a closed ${p} socket fails at once with ECLOSED`,
    requirements: ["SP-FRAMEWORK-33", "SP-FRAMEWORK-20"],
    kind: "example",
    needs: needs([p], []),
    async run(ctx: CaseContext) {
      const { sock, peer } = await withPeer(ctx, p);
      await sock.close();
      if (SENDS.includes(p)) {
        const op = sock.trySend(utf8("sent after close"), { timeoutMs: LONG });
        await refusedAtOnce(ctx, op, "a send started after close");
      }
      if (RECEIVES.includes(p)) {
        await refusedAtOnce(ctx, sock.tryRecv({ timeoutMs: LONG }), "a recv started after close");
      }
      await nothingFrom(ctx, peer, "after the close");
    },
  };
}

/** Opens two contexts on `sock` and closes the first. */
async function oneClosed(sock: IutSocket): Promise<{ closed: IutSocket; open: IutSocket }> {
  const closed = await sock.openContext();
  const open = await sock.openContext();
  await closed.close();
  return { closed, open };
}

/**
 * REQ and SURVEYOR: the closed context's send puts nothing on the wire and its
 * recv fails at once; the open context's request or survey goes out alone
 * and its answer comes back.
 */
function askingContext(
  p: "req0" | "surveyor0",
  ids: string[],
  noun: string,
  attach: (ctx: CaseContext) => Promise<{ sock: IutSocket; peer: WirePeer }>,
  read: (ctx: CaseContext, peer: WirePeer) => Promise<{ id: number; body: Uint8Array }>,
): ConformanceCase {
  return {
    id: `framework/context-after-close-${p}`,
    title: `A closed ${p} context's send puts no ${noun} on the wire and its recv fails at once; the other context goes on`,
    requirements: ["SP-FRAMEWORK-33", "SP-FRAMEWORK-20", ...ids],
    kind: "example",
    needs: needs([p], ["contexts"]),
    async run(ctx: CaseContext) {
      const { sock, peer } = await attach(ctx);
      const { closed, open } = await oneClosed(sock);
      const lost = closed.trySend(utf8("from the closed context"), { timeoutMs: LONG });
      await refusedAtOnce(ctx, lost, "a send on the closed context");
      await refusedAtOnce(ctx, closed.tryRecv({ timeoutMs: LONG }), "a recv on the closed context");
      await nothingFrom(ctx, peer, "after a send on the closed context");
      await open.send(utf8("two"), { timeoutMs: T.prompt });
      const r = await read(ctx, peer);
      expectBytes(ctx, r.body, utf8("two"), `the open context's ${noun}`);
      peer.sendFrame(concat(words(r.id), utf8("answer to two")));
      const got = await iutRecv(ctx, open, "the answer to two");
      expectBytes(ctx, got, utf8("answer to two"), "answer");
    },
  };
}

const reqContext = askingContext(
  "req0",
  ["SP-REQREP-34"],
  "request",
  async (ctx) => {
    const { req, peer } = await reqDialing(ctx);
    return { sock: req, peer };
  },
  readRequest,
);

const surveyorContext = askingContext(
  "surveyor0",
  ["SP-SURVEY-36"],
  "survey",
  async (ctx) => {
    const { surveyor, peer } = await surveyorWithPeer(ctx);
    return { sock: surveyor, peer };
  },
  readSurvey,
);

/**
 * REP and RESPONDENT: a recv started on the closed context before a question
 * arrives must fail at once rather than wait for it and take it; the open
 * context receives the question and answers it.
 */
function answeringContext(
  p: "rep0" | "respondent0",
  ids: string[],
  listen: (ctx: CaseContext) => Promise<{ sock: IutSocket; url: string }>,
  connect: (ctx: CaseContext, url: string) => Promise<WirePeer>,
  question: (id: number, body: Uint8Array) => Uint8Array,
): ConformanceCase {
  return {
    id: `framework/context-after-close-${p}`,
    title: `A recv on a closed ${p} context fails at once and takes no question; the other context gets it and answers`,
    requirements: ["SP-FRAMEWORK-33", "SP-FRAMEWORK-20", ...ids],
    kind: "example",
    needs: needs([p], ["contexts"]),
    async run(ctx: CaseContext) {
      const { sock, url } = await listen(ctx);
      const peer = await connect(ctx, url);
      await settle();
      const { closed, open } = await oneClosed(sock);
      const t0 = performance.now();
      const early = closed.tryRecv({ timeoutMs: LONG });
      await settle();
      const id = 0x80000c01;
      peer.sendFrame(question(id, utf8("question")));
      const got = await open.tryRecv({ timeoutMs: T.prompt });
      await refusedAtOnce(ctx, early, "a recv on the closed context", t0);
      if (!got.ok) {
        ctx.fail(`the open context did not receive the question: recv failed with ${got.code}`);
      }
      expectBytes(ctx, got.value, utf8("question"), "the open context's question");
      const send = closed.trySend(utf8("from the closed context"), { timeoutMs: LONG });
      await refusedAtOnce(ctx, send, "a send on the closed context");
      await nothingFrom(ctx, peer, "after a send on the closed context");
      await open.send(utf8("answer"), { timeoutMs: T.prompt });
      expectBytes(ctx, await peer.readFrame(T.prompt), concat(words(id), utf8("answer")), "answer");
    },
  };
}

const repContext = answeringContext(
  "rep0",
  ["SP-REQREP-36"],
  async (ctx) => {
    const { rep, url } = await repListening(ctx);
    return { sock: rep, url };
  },
  (ctx, url) => reqPeer(ctx, url, "req"),
  (id, body) => request({ hops: [], id, body }),
);

const respondentContext = answeringContext(
  "respondent0",
  ["SP-SURVEY-37"],
  async (ctx) => {
    const { respondent, url } = await respondentListening(ctx);
    return { sock: respondent, url };
  },
  (ctx, url) => surveyorPeer(ctx, url, "surveyor"),
  (id, body) => concat(words(id), body),
);

export const afterCloseCases: readonly ConformanceCase[] = [
  ...(Object.keys(protocols) as Proto[]).map(socketCase),
  reqContext,
  surveyorContext,
  repContext,
  respondentContext,
];
