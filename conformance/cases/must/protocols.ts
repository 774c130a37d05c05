/**
 * Cases for MUSTs of the protocol drafts that the family files left without
 * a case: REQ delivers one reply per request (SP-REQREP-24), closing a BUS
 * fails a pending recv (SP-BUS-8), RESPONDENT drops a response whose
 * surveyor left (SP-SURVEY-21), a SUB with a full queue keeps its pipe
 * (SP-PUBSUB-17).
 */
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import { attachedPeer, listening, tcpNeeds } from "../pair/common.ts";
import { PUBSUB_PROTO, rawPeer, SUB_TCP, subscribe } from "../pubsub/common.ts";
import { expectBytes, iutRecv, REQ_TCP, readRequest, reqDialing, T } from "../reqrep/common.ts";
import { RESPONDENT_TCP, respondentListening, response, surveyorPeer } from "../survey/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** A reply repeated by the peer reaches the application once. */
export const reqDuplicateReply: ConformanceCase = {
  id: "reqrep/req-duplicate-reply-dropped",
  title: "REQ delivers one reply per request and drops a repeated reply with the same id",
  requirements: ["SP-REQREP-24", "SP-REQREP-6"],
  kind: "malformed",
  needs: REQ_TCP,
  covers: ["req:idle:send", "req:waiting:reply[idMatches]", "req:idle:reply", "req:waiting:reply"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("once"), { timeoutMs: T.prompt });
    const { id } = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(id), utf8("first")));
    expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("first"), "reply");
    // The same id again, after its reply was delivered: recv must not deliver it
    // (ESTATE, as no request is outstanding, or a timeout).
    peer.sendFrame(concat(words(id), utf8("again")));
    await peer.expectNothing(T.quiet, "letting the repeated reply arrive");
    const dup = await req.tryRecv({ timeoutMs: T.quiet });
    if (dup.ok) ctx.fail(`the IUT delivered a second reply for one request: ${hex(dup.value)}`);
    ctx.note(`recv after the repeated reply: ${dup.code}`);
    // The next request still gets its own reply.
    await req.send(utf8("twice"), { timeoutMs: T.prompt });
    const next = await readRequest(ctx, peer);
    peer.sendFrame(concat(words(id), utf8("stale")));
    peer.sendFrame(concat(words(next.id), utf8("second")));
    expectBytes(ctx, await iutRecv(ctx, req, "the second reply"), utf8("second"), "reply");
  },
};

/** Closing a BUS socket fails its pending recv with ECLOSED. */
export const busCloseFailsPending: ConformanceCase = {
  id: "bus/close-fails-pending",
  title: "Closing a BUS fails a pending recv with ECLOSED",
  requirements: ["SP-BUS-8", "SP-FRAMEWORK-19"],
  kind: "example",
  needs: tcpNeeds("bus0"),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0");
    const peer = await attachedPeer(ctx, sock, url, "bus0", "peer");
    const pending = sock.tryRecv({ timeoutMs: 5000 });
    await peer.expectNothing(100, "letting the recv be registered");
    await sock.close();
    const r = await pending;
    if (r.ok) ctx.fail(`the pending recv delivered ${hex(r.value)} after close`);
    if (r.code !== "ECLOSED") ctx.fail(`the pending recv failed with ${r.code}, not ECLOSED`);
    await peer.expectClosed(T.prompt, "closing the socket closes its pipes");
  },
};

/** The response to a surveyor that has gone is dropped; send succeeds; others get nothing. */
export const respondentReplyToGonePeer: ConformanceCase = {
  id: "survey/respondent-reply-to-gone-peer",
  title: "RESPONDENT drops a response whose surveyor disconnected, and send still succeeds",
  requirements: ["SP-SURVEY-21"],
  kind: "example",
  needs: RESPONDENT_TCP,
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    const gone = await surveyorPeer(ctx, url, "gone");
    gone.sendFrame(response(0x80000777, utf8("ask and leave")));
    expectBytes(ctx, await iutRecv(ctx, respondent, "the survey"), utf8("ask and leave"), "survey");
    gone.close();
    const other = await surveyorPeer(ctx, url, "other");
    await other.expectNothing(200, "letting the IUT notice the disconnect");
    const sent = await respondent.trySend(utf8("nobody listens"), { timeoutMs: T.prompt });
    if (!sent.ok) ctx.fail(`send of a response to a vanished surveyor failed with ${sent.code}`);
    await other.expectNothing(T.quiet, "the response belongs to the vanished surveyor only");
    other.sendFrame(response(0x80000888, utf8("still there?")));
    expectBytes(
      ctx,
      await iutRecv(ctx, respondent, "the next survey"),
      utf8("still there?"),
      "survey",
    );
    await respondent.send(utf8("yes"), { timeoutMs: T.prompt });
    expectBytes(
      ctx,
      await other.readFrame(T.prompt),
      response(0x80000888, utf8("yes")),
      "response",
    );
  },
};

/** A SUB that is not read while its publisher floods it keeps the connection open. */
export const subFullQueueKeepsPipe: ConformanceCase = {
  id: "pubsub/sub-full-queue-keeps-pipe",
  title: "A SUB whose receive queue is full does not close the pipe",
  requirements: ["SP-PUBSUB-17"],
  kind: "example",
  needs: SUB_TCP,
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const sub = await ctx.iut.open("sub0");
    await subscribe(sub, "");
    const url = await sub.listen("tcp://127.0.0.1:0");
    const pub = await rawPeer(ctx, url, PUBSUB_PROTO.pub0, PUBSUB_PROTO.sub0, "pub");
    const body = new Uint8Array(1024).fill(0x61);
    const n = 1500;
    for (let i = 0; i < n; i++) pub.sendFrame(body);
    await pub.expectNothing(500, "the SUB holds more messages than its queue takes");
    let drained = 0;
    for (; drained < n; drained++) {
      const r = await sub.tryRecv({ timeoutMs: 300 });
      if (!r.ok) break;
    }
    ctx.note(`${drained} of ${n} flooded messages were delivered; the rest were dropped or held`);
    if (pub.closed) ctx.fail("the SUB closed the pipe while its queue was full");
    pub.sendFrame(utf8("after the flood"));
    for (let i = 0; i < n; i++) {
      const r = await sub.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`the message sent after the flood did not arrive (${r.code})`);
      if (r.value.length !== body.length) {
        expectBytes(ctx, r.value, utf8("after the flood"), "message after the flood");
        return;
      }
    }
  },
};

/** The cases of this file, in run order. */
export const protocolGapCases: readonly ConformanceCase[] = [
  reqDuplicateReply,
  busCloseFailsPending,
  respondentReplyToGonePeer,
  subFullQueueKeepsPipe,
];
