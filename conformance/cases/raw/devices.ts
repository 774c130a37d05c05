/**
 * Devices (features `raw` and `device`): the IUT forwards between raw
 * sockets while wire peers stand at both ends. BUS reflects without echo
 * (SP-BUS-10), PAIR v1 keeps the header and adds a hop (SP-PAIR-15), and a
 * survey device drops surveys past its hop limit (SP-SURVEY-24).
 */
import { concat, hex, request, sameBytes, utf8, word32, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  listening,
  needs,
  peerExpect,
  settle,
  startDevice,
  T,
  wirePeer,
  wordsOf,
} from "./common.ts";

/** SP-BUS-10: a one-socket BUS device sends a message to every pipe but the one it came on. */
const busReflector: ConformanceCase = {
  id: "raw/device-bus-no-echo",
  title: "a BUS reflector device forwards to every other peer, never back to the sender",
  requirements: ["SP-BUS-10", "SP-BUS-9"],
  kind: "example",
  needs: needs(["bus0"], ["raw", "device"]),
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "bus0", { raw: true });
    await startDevice(ctx, sock);
    const peers: WirePeer[] = [];
    for (const label of ["a", "b", "c"])
      peers.push(await wirePeer(ctx, url, "bus0", "bus0", label));
    await settle();
    for (const from of peers) {
      const body = utf8(`from ${from.label}`);
      from.sendFrame(body);
      for (const to of peers) {
        if (to === from) continue;
        // SP-BUS-9: the raw socket's local pipe header never reaches the wire.
        await peerExpect(ctx, to, body, `${to.label}'s copy of ${from.label}'s message`);
      }
      // SP-BUS-10: nothing goes back on the pipe the message came from.
      await from.expectNothing(T.quiet, "a BUS device must not echo a message to its sender");
    }
    for (const p of peers) await p.expectNothing(T.quiet, "one copy per message and peer");
  },
};

/** SP-PAIR-15: two raw PAIR v1 sockets joined by a device add one hop each way. */
const pair1Device: ConformanceCase = {
  id: "raw/device-pair1-hops",
  title: "a PAIR v1 device keeps the header and adds one hop in each direction",
  requirements: ["SP-PAIR-15", "SP-PAIR-9"],
  kind: "example",
  needs: needs(["pair1"], ["raw", "device"]),
  async run(ctx: CaseContext) {
    const front = await listening(ctx, "pair1", { raw: true });
    const back = await listening(ctx, "pair1", { raw: true });
    await startDevice(ctx, front.sock, back.sock);
    const a = await wirePeer(ctx, front.url, "pair1", "pair1", "a");
    const b = await wirePeer(ctx, back.url, "pair1", "pair1", "b");
    await settle();
    a.sendFrame(concat(words(1), utf8("a to b")));
    await peerExpect(ctx, b, concat(words(2), utf8("a to b")), "a's message after one device");
    b.sendFrame(concat(words(5), utf8("b to a")));
    await peerExpect(ctx, a, concat(words(6), utf8("b to a")), "b's message (count 5) after it");
    for (const p of [a, b]) await p.expectNothing(T.quiet, "one copy per message");
  },
};

/** SP-SURVEY-24: the device's RESPONDENT side drops surveys past its hop limit. */
const surveyDevice: ConformanceCase = {
  id: "raw/device-survey-hop-limit",
  title: "a survey device adds a hop word, routes responses back, and drops surveys over its limit",
  requirements: ["SP-SURVEY-24", "SP-FRAMEWORK-7", "SP-FRAMEWORK-30"],
  kind: "example",
  needs: needs(["surveyor0", "respondent0"], ["raw", "device"], ["ttl-max"]),
  async run(ctx: CaseContext) {
    const limit = 3;
    const front = await listening(ctx, "respondent0", { raw: true, options: { "ttl-max": limit } });
    // Only the RESPONDENT side takes the limit: SP-SURVEY-24 bounds what the device
    // accepts, and a raw SURVEYOR need not have the option at all.
    const back = await listening(ctx, "surveyor0", { raw: true });
    await startDevice(ctx, front.sock, back.sock);
    const s = await wirePeer(ctx, front.url, "surveyor0", "respondent0", "surveyor");
    const r = await wirePeer(ctx, back.url, "respondent0", "surveyor0", "respondent");
    await settle();

    // A survey straight from its originator crosses the device with one hop word added.
    s.sendFrame(request({ hops: [], id: 0x80000001, body: utf8("s1") }));
    const got = await r.readFrame(T.prompt);
    const ws = wordsOf(got.subarray(0, 8));
    if (got.length !== 10 || ws[1] !== 0x80000001 || ((ws[0] ?? 0) & 0x80000000) !== 0) {
      ctx.fail(`expected [hop word] 80000001 "s1" after the device, got ${hex(got)}`);
    }
    ctx.note(`the device's hop word: ${word32(ws[0] ?? 0)}`);
    // The response retraces the path: the device pops its word.
    r.sendFrame(concat(got.subarray(0, 8), utf8("r1")));
    await peerExpect(ctx, s, concat(words(0x80000001), utf8("r1")), "the response at the surveyor");

    // SP-SURVEY-24: a backtrace of limit + 1 words is over the limit, whichever way the
    // device counts its own word; it must not be forwarded.
    const over = Array.from({ length: limit }, (_, i) => i + 1);
    s.sendFrame(request({ hops: over, id: 0x80000002, body: utf8("too far") }));
    const q = await r.quiet(T.quiet * 2);
    if (q.kind === "data") {
      ctx.fail(`a survey with ${limit + 1} backtrace words crossed the device: ${hex(q.bytes)}`);
    }
    // SP-FRAMEWORK-30 (SHOULD): the pipe stays open; the device still forwards.
    if (s.closed) ctx.warn("the device closed the pipe of the over-limit survey");
    else {
      s.sendFrame(request({ hops: [], id: 0x80000003, body: utf8("s3") }));
      const after = await r.readFrame(T.prompt);
      if (wordsOf(after.subarray(4, 8))[0] !== 0x80000003) {
        ctx.fail(`expected survey 80000003 after the dropped one, got ${hex(after)}`);
      }
    }
  },
};

/**
 * SP-REQREP-30, -31, -32: a REQ/REP device (raw REP in front, raw REQ behind)
 * puts one hop word (top bit clear, SP-REQREP-2) naming the requester's pipe in
 * front of the backtrace as received, and routes each reply back to its own
 * requester without that word, also when the replies come in the other order.
 */
const reqrepDevice: ConformanceCase = {
  id: "raw/device-reqrep",
  title:
    "a REQ/REP device adds one hop word per request and routes each reply back to its requester",
  requirements: ["SP-REQREP-30", "SP-REQREP-31", "SP-REQREP-32", "SP-REQREP-2", "SP-FRAMEWORK-7"],
  kind: "example",
  needs: needs(["req0", "rep0"], ["raw", "device"]),
  async run(ctx: CaseContext) {
    const front = await listening(ctx, "rep0", { raw: true });
    const back = await listening(ctx, "req0", { raw: true });
    await startDevice(ctx, front.sock, back.sock);
    const qa = await wirePeer(ctx, front.url, "req0", "rep0", "requesterA");
    const qb = await wirePeer(ctx, front.url, "req0", "rep0", "requesterB");
    const rep = await wirePeer(ctx, back.url, "rep0", "req0", "replier");
    await settle();
    // A comes from its originator; B is already one device hop away.
    const sent = [
      { peer: qa, hops: [] as number[], id: 0x80000a01, body: "from A", answer: "to A" },
      { peer: qb, hops: [0x00000007], id: 0x80000b01, body: "from B", answer: "to B" },
    ];
    const backtraces: Uint8Array[] = [];
    for (const s of sent) {
      s.peer.sendFrame(request({ hops: s.hops, id: s.id, body: utf8(s.body) }));
      const got = await rep.readFrame(T.prompt);
      const asSent = concat(words(...s.hops, s.id), utf8(s.body));
      const hop = wordsOf(got.subarray(0, 4))[0] ?? 0x80000000;
      if (got.length !== 4 + asSent.length || !sameBytes(got.subarray(4), asSent)) {
        ctx.fail(`expected [hop word] ${hex(asSent)} after the device, got ${hex(got)}`);
      }
      if ((hop & 0x80000000) !== 0) {
        ctx.fail(
          `the device's word ${word32(hop)} has its top bit set: the REP takes it for the id`,
        );
      }
      ctx.note(`${s.peer.label}: the device's hop word ${word32(hop)}`);
      backtraces.push(got.subarray(0, got.length - s.body.length));
    }
    // The replies retrace the path in the other order; the device pops its word.
    for (const i of [1, 0]) {
      const s = sent[i];
      const bt = backtraces[i];
      if (!s || !bt) continue;
      rep.sendFrame(concat(bt, utf8(s.answer)));
    }
    for (const s of sent) {
      const want = concat(words(...s.hops, s.id), utf8(s.answer));
      await peerExpect(ctx, s.peer, want, `the reply at ${s.peer.label}`);
    }
  },
};

/** Device cases, in run order. */
export const deviceCases: readonly ConformanceCase[] = [
  busReflector,
  pair1Device,
  surveyDevice,
  reqrepDevice,
];
