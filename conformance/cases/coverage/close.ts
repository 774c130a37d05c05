/**
 * Hand-written cases for close and timer transitions that the protocol
 * families leave unwalked: closing PUB, SUB, PUSH and RESPONDENT in each of
 * their states, and a PUSH send queue whose oldest send expires while a later
 * one keeps waiting.
 */
import { protocols } from "../../../spec/constants.ts";
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, sameBytes, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { Pending, sleep } from "../paths/runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const T = { prompt: 2000, quiet: 250, settle: 150 } as const;

type Proto = keyof typeof protocols;

/** Opens an IUT socket, listens, and connects one raw peer of the matching protocol. */
async function withPeer(
  ctx: CaseContext,
  protocol: Proto,
): Promise<{ sock: IutSocket; url: string; peer: WirePeer }> {
  const sock = await ctx.iut.open(protocol);
  const url = await sock.listen("tcp://127.0.0.1:0");
  const peer = await ctx.connect(url, "peer");
  const h = await peer.handshake(protocols[protocol].peer);
  if (h.protocol !== protocols[protocol].number) {
    ctx.fail(`the IUT ${protocol} announced 0x${h.protocol.toString(16)}`);
  }
  // Let the IUT attach the pipe before the case relies on it.
  await sleep(T.settle);
  return { sock, url, peer };
}

/** Fails unless `op` ends with ECLOSED. */
async function expectClosedOp(ctx: CaseContext, op: Pending<unknown>, what: string) {
  const r = await op.promise;
  if (r.ok) ctx.fail(`${what} completed after close`);
  if (r.code !== "ECLOSED") ctx.fail(`${what} failed with ${r.code} on close, not ECLOSED`);
}

async function expectConnectionClosed(ctx: CaseContext, peer: WirePeer) {
  if (!(await peer.waitClosed(T.prompt))) ctx.fail("the IUT kept the connection open after close");
}

/** Fails if `op` settles within the quiet window. */
async function stillPending(ctx: CaseContext, op: Pending<unknown>, what: string) {
  if (await op.within(T.quiet)) {
    const o = op.outcome;
    ctx.fail(`${what} did not wait: it ${o?.ok ? "completed" : `failed with ${o?.code}`}`);
  }
}

export const pubClose: ConformanceCase = {
  id: "coverage/pub-close",
  title: "Closing PUB closes its subscribers' connections",
  requirements: ["SP-PUBSUB-20"],
  kind: "example",
  needs: { protocols: ["pub0"], transports: ["tcp"] },
  covers: ["pub:open:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "pub0");
    await sock.send(utf8("last words"), { timeoutMs: T.prompt });
    const got = await peer.readFrame(T.prompt);
    if (!sameBytes(got, utf8("last words"))) ctx.fail(`the subscriber got ${hex(got)}`);
    await sock.close();
    await expectConnectionClosed(ctx, peer);
  },
};

export const subCloseEmpty: ConformanceCase = {
  id: "coverage/sub-close-unsubscribed",
  title: "Closing a SUB with no subscription fails its pending recv with ECLOSED",
  requirements: ["SP-PUBSUB-20"],
  kind: "example",
  needs: { protocols: ["sub0"], transports: ["tcp"] },
  covers: ["sub:empty:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "sub0");
    const recv = new Pending(sock.tryRecv({ timeoutMs: 30000 }));
    peer.sendFrame(utf8("nobody subscribed"));
    await stillPending(ctx, recv, "recv on a SUB without subscriptions");
    await sock.close();
    await expectClosedOp(ctx, recv, "the pending recv");
    await expectConnectionClosed(ctx, peer);
  },
};

export const respondentCloseIdle: ConformanceCase = {
  id: "coverage/respondent-close-idle",
  title: "Closing an idle RESPONDENT fails its pending recv with ECLOSED",
  requirements: ["SP-SURVEY-25"],
  kind: "example",
  needs: { protocols: ["respondent0"], transports: ["tcp"] },
  covers: ["respondent:idle:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "respondent0");
    const recv = new Pending(sock.tryRecv({ timeoutMs: 30000 }));
    await stillPending(ctx, recv, "recv with no survey");
    await sock.close();
    await expectClosedOp(ctx, recv, "the pending recv");
    await expectConnectionClosed(ctx, peer);
  },
};

export const respondentCloseHolding: ConformanceCase = {
  id: "coverage/respondent-close-holding",
  title: "Closing a RESPONDENT that holds a survey drops it and closes the connection",
  requirements: ["SP-SURVEY-25", "SP-SURVEY-19"],
  kind: "example",
  needs: { protocols: ["respondent0"], transports: ["tcp"] },
  covers: ["respondent:idle:deliver", "respondent:holding:close"],
  async run(ctx: CaseContext) {
    const { sock, peer } = await withPeer(ctx, "respondent0");
    peer.sendFrame(concat(words(0x80000042), utf8("vote?")));
    const r = await sock.tryRecv({ timeoutMs: T.prompt });
    if (!r.ok) ctx.fail(`the survey was not delivered: ${r.code}`);
    if (!sameBytes(r.value, utf8("vote?"))) ctx.fail(`the survey body was ${hex(r.value)}`);
    await sock.close();
    const q = await peer.quiet(T.prompt);
    if (q.kind === "data") ctx.fail(`the closed RESPONDENT answered: ${hex(q.bytes)}`);
    if (q.kind === "nothing") ctx.fail("the IUT kept the connection open after close");
  },
};

export const pushQueueExpiry: ConformanceCase = {
  id: "coverage/push-oldest-send-expires",
  title: "PUSH fails the oldest waiting send at its timeout while a later one keeps waiting",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-4", "SP-PIPELINE-14"],
  kind: "example",
  needs: { protocols: ["push0"], transports: ["tcp"] },
  covers: [
    "push:idle:block",
    "push:blocked:after:sendTimeout",
    "push:idle:always[sendsWaiting]",
    "push:blocked:ready",
    "push:idle:close",
  ],
  async run(ctx: CaseContext) {
    const sock = await ctx.iut.open("push0");
    const url = await sock.listen("tcp://127.0.0.1:0");
    const first = new Pending(sock.trySend(utf8("short-lived"), { timeoutMs: 300 }));
    await sleep(20);
    const second = new Pending(sock.trySend(utf8("patient"), { timeoutMs: 30000 }));
    const r1 = await first.promise;
    if (r1.ok) {
      ctx.info(
        "PUSH took a message with no peer at once (buffered); the queue expiry is not observable",
      );
      return;
    }
    if (r1.code !== "ETIMEDOUT") ctx.fail(`the first send failed with ${r1.code}, not ETIMEDOUT`);
    await stillPending(ctx, second, "the second send");
    const peer = await ctx.connect(url, "pull");
    const h = await peer.handshake(protocols.pull0.number);
    if (h.protocol !== protocols.push0.number)
      ctx.fail(`the IUT PUSH announced 0x${h.protocol.toString(16)}`);
    const got = await peer.readFrame(T.prompt);
    if (!sameBytes(got, utf8("patient")))
      ctx.fail(`the PULL peer got ${hex(got)}, expected the waiting send`);
    const r2 = await second.promise;
    if (!r2.ok) ctx.fail(`the waiting send failed with ${r2.code} after a peer came`);
    await sock.close();
    await expectConnectionClosed(ctx, peer);
  },
};

/** Cases of this file, in run order. */
export const closeCoverageCases = [
  pubClose,
  subCloseEmpty,
  respondentCloseIdle,
  respondentCloseHolding,
  pushQueueExpiry,
];
