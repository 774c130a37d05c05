/**
 * What an IUT PUSH does: protocol numbers, refused peers, no header, round
 * robin, blocking and timeouts, stalled peers, data sent into it.
 */
import { connect, type Socket } from "node:net";
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  openIut,
  PIPELINE_PROTO,
  PUSH_TCP,
  pushWithPullers,
  rawPeer,
  T,
  whichGot,
} from "./common.ts";

/** PUSH says 0x50 and PULL says 0x51. */
export const pipelineNumbers: ConformanceCase = {
  id: "pipeline/protocol-numbers",
  title: "PUSH announces protocol 0x50 and PULL announces 0x51",
  requirements: ["SP-PIPELINE-1", "SP-TCP-4"],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: ["tcp"] },
  cat: {},
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const pushUrl = await push.listen(ctx.iutUrl("tcp"));
    await rawPeer(ctx, pushUrl, PIPELINE_PROTO.pull0, PIPELINE_PROTO.push0);
    const pull = await openIut(ctx, "pull0");
    const pullUrl = await pull.listen(ctx.iutUrl("tcp"));
    await rawPeer(ctx, pullUrl, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0);
  },
};

/** A PUSH refuses PUSH and SUB peers; a PULL refuses PULL and PUB peers. */
export const pipelineWrongPeer: ConformanceCase = {
  id: "pipeline/wrong-peer-closes",
  title: "PUSH and PULL close connections from peers of another protocol",
  requirements: ["SP-PIPELINE-1", "SP-TCP-6", "SP-FRAMEWORK-9"],
  kind: "malformed",
  needs: { protocols: ["push0", "pull0"], transports: ["tcp"] },
  cat: {},
  covers: ["tcp-pipe:handshake:header[!peerCompatible]"],
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const pushUrl = await push.listen(ctx.iutUrl("tcp"));
    const pull = await openIut(ctx, "pull0");
    const pullUrl = await pull.listen(ctx.iutUrl("tcp"));
    const tries: [string, string, number][] = [
      ["PUSH", pushUrl, PIPELINE_PROTO.push0],
      ["PUSH", pushUrl, 0x21],
      ["PULL", pullUrl, PIPELINE_PROTO.pull0],
      ["PULL", pullUrl, 0x20],
    ];
    for (const [who, url, proto] of tries) {
      const peer = await ctx.connect(url, `0x${proto.toString(16)}->${who}`);
      peer.sendHeader({ protocol: proto });
      if (!(await peer.waitClosed(T.prompt))) {
        ctx.fail(`the IUT ${who} kept a connection whose peer announced 0x${proto.toString(16)}`);
      }
    }
  },
};

/** The body is the whole payload, however it starts. */
export const pushNoHeader: ConformanceCase = {
  id: "pipeline/push-no-header",
  title: "PUSH sends the body with no header, in order",
  requirements: ["SP-PIPELINE-2", "SP-PIPELINE-15", "SP-TCP-8"],
  kind: "example",
  needs: PUSH_TCP,
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const server = await ctx.server();
    await push.dial(server.url);
    const peer = await server.accept(T.prompt);
    const h = await peer.handshake(PIPELINE_PROTO.pull0);
    if (h.protocol !== PIPELINE_PROTO.push0)
      ctx.fail(`IUT PUSH announced 0x${h.protocol.toString(16)}`);
    const bodies = [
      utf8("task 1"),
      new Uint8Array([0x80, 0, 0, 1]),
      new Uint8Array(0),
      utf8("task 4"),
    ];
    for (const b of bodies) await push.send(b, { timeoutMs: T.prompt });
    for (const b of bodies) {
      const f = await peer.readFrame(T.prompt);
      if (!sameBytes(f, b)) ctx.fail(`the PULL peer got ${hex(f)}, expected ${hex(b)}`);
    }
  },
};

/** Two ready peers take turns; each message goes to exactly one of them. */
export const pushRoundRobin: ConformanceCase = {
  id: "pipeline/push-round-robin",
  title: "PUSH hands each message to exactly one PULL, round robin over two connections",
  requirements: ["SP-PIPELINE-3", "SP-PIPELINE-4", "SP-PIPELINE-9"],
  kind: "example",
  needs: PUSH_TCP,
  async run(ctx: CaseContext) {
    const { push, pulls } = await pushWithPullers(ctx, 2);
    const owner: number[] = [];
    for (let i = 0; i < 6; i++) {
      await push.send(utf8(`m${i}`), { timeoutMs: T.prompt });
      const who = await whichGot(pulls);
      if (who < 0) ctx.fail(`message m${i} reached neither PULL peer`);
      const f = await (pulls[who] as (typeof pulls)[0]).readFrame(T.prompt);
      if (!sameBytes(f, utf8(`m${i}`))) ctx.fail(`pull${who + 1} got ${hex(f)} for m${i}`);
      owner.push(who);
    }
    for (const p of pulls) await p.expectNothing(T.quiet, "every message goes to exactly one peer");
    ctx.note(`owners: ${owner.map((o) => `pull${o + 1}`).join(" ")}`);
    // SP-PIPELINE-4 is round robin over the pipes that can take a message *now*: a
    // stack that puts a pipe back in the rotation only once its last write
    // completed (nng) may skip it on a loaded machine, so strict alternation is
    // too strong. A stack that favours one pipe shows up as a lopsided split.
    const counts = [0, 1].map((k) => owner.filter((o) => o === k).length);
    if (Math.min(...counts) < 2) {
      ctx.fail(`the split over two idle PULL peers was ${counts.join(":")}; expected turns`);
    }
    if (owner.some((o, i) => i > 0 && o === owner[i - 1])) {
      ctx.note("not strictly alternating (a pipe was busy when its turn came)");
    }
  },
};

/** With no peer, send waits (and times out); a peer that arrives gets the waiting message. */
export const pushBlocks: ConformanceCase = {
  id: "pipeline/push-blocks-without-peer",
  title:
    "PUSH send with no PULL peer waits, times out with ETIMEDOUT, and completes when one connects",
  requirements: ["SP-PIPELINE-5", "SP-PIPELINE-6", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PUSH_TCP,
  covers: ["push:idle:block", "push:blocked:after:sendTimeout", "push:blocked:ready"],
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const url = await push.listen(ctx.iutUrl("tcp"));
    const t0 = performance.now();
    const r = await push.trySend(utf8("nobody"), { timeoutMs: 300 });
    const waited = performance.now() - t0;
    if (r.ok) ctx.fail("send with no PULL peer succeeded (the message was dropped or queued)");
    expectErrorName(ctx, r.code, "ETIMEDOUT", "send with no peer");
    if (waited < 250)
      ctx.fail(`send gave up after ${waited.toFixed(0)} ms, before its 300 ms timeout`);

    const pending = push.trySend(utf8("for the late worker"), { timeoutMs: 5000 });
    const peer = await ctx.connect(url, "late");
    await new Promise((res) => setTimeout(res, 200)); // the send is waiting by now
    const h = await peer.handshake(PIPELINE_PROTO.pull0);
    if (h.protocol !== PIPELINE_PROTO.push0)
      ctx.fail(`IUT PUSH announced 0x${h.protocol.toString(16)}`);
    const done = await pending;
    if (!done.ok) ctx.fail(`the waiting send failed with ${done.code} after a peer connected`);
    const f = await peer.readFrame(T.prompt);
    // "nobody" timed out and must not appear: the first frame is the waiting message.
    if (!sameBytes(f, utf8("for the late worker"))) ctx.fail(`the late peer got ${hex(f)} first`);
  },
};

/** A peer that stops reading is skipped; the other one keeps getting work. */
export const pushSkipsStalled: ConformanceCase = {
  id: "pipeline/push-skips-stalled-peer",
  title: "PUSH keeps sending to a reading PULL while another PULL stops reading",
  requirements: ["SP-PIPELINE-4", "SP-PIPELINE-3"],
  kind: "example",
  needs: PUSH_TCP,
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    const { push, url, pulls } = await pushWithPullers(ctx, 1);
    const good = pulls[0] as (typeof pulls)[0];
    // A paused raw socket (outside the transcript) that never reads.
    const stalled: Socket = connect(ctx.iutEndpoint(url));
    stalled.pause();
    stalled.on("error", () => {});
    try {
      await new Promise((res) => stalled.once("connect", res));
      stalled.write(Buffer.from([0, 0x53, 0x50, 0, 0, PIPELINE_PROTO.pull0, 0, 0]));
      await good.expectNothing(T.settle, "letting the IUT attach the stalled peer");
      const size = 64 * 1024;
      let toGood = 0;
      for (let i = 0; i < 400; i++) {
        const r = await push.trySend(new Uint8Array(size).fill(i & 0xff), { timeoutMs: T.prompt });
        if (!r.ok) ctx.fail(`send ${i} failed with ${r.code} although one PULL keeps reading`);
        while (good.buffered >= 8 + size) {
          await good.readFrame(T.prompt);
          toGood++;
        }
      }
      await new Promise((res) => setTimeout(res, 100));
      while (good.buffered >= 8 + size) {
        await good.readFrame(T.prompt);
        toGood++;
      }
      ctx.note(
        `400 x 64 KiB sent: ${toGood} to the reading peer, ${400 - toGood} to the stalled one`,
      );
      if (toGood < 200) ctx.fail(`only ${toGood} of 400 messages reached the reading peer`);
    } finally {
      stalled.destroy();
    }
  },
};

/** Data sent into a PUSH is never delivered and does not disturb it. */
export const pushIgnoresData: ConformanceCase = {
  id: "pipeline/push-ignores-data",
  title: "Data sent into a PUSH is discarded and the PUSH keeps working (SHOULD keep the pipe)",
  requirements: [
    "SP-PIPELINE-11",
    "SP-PIPELINE-12",
    "SP-PIPELINE-22",
    "SP-PIPELINE-17",
    "SP-FRAMEWORK-20",
  ],
  kind: "malformed",
  needs: PUSH_TCP,
  async run(ctx: CaseContext) {
    const { push, pulls } = await pushWithPullers(ctx, 1);
    const peer = pulls[0] as (typeof pulls)[0];
    peer.sendFrame(utf8("a PULL must not talk"));
    const r = await push.tryRecv({ timeoutMs: 300 });
    if (r.ok) ctx.fail(`the IUT PUSH delivered ${hex(r.value)} to its application`);
    expectErrorName(ctx, r.code, "ENOTSUP", "recv on a PUSH");
    const s = await push.trySend(utf8("still working"), { timeoutMs: T.prompt });
    if (peer.closed) {
      ctx.info(
        "the IUT PUSH closed the connection that sent data (permitted: it MAY, SP-PIPELINE-22)",
      );
      if (!s.ok) expectErrorName(ctx, s.code, "ETIMEDOUT", "send with no peer left");
      return;
    }
    if (!s.ok) ctx.fail(`send after the unexpected data failed with ${s.code}`);
    const f = await peer.readFrame(T.prompt);
    if (!sameBytes(f, utf8("still working"))) ctx.fail(`the PULL peer got ${hex(f)}`);
  },
};

/** close fails a waiting send with ECLOSED. */
export const pushCloseFailsSend: ConformanceCase = {
  id: "pipeline/push-close-fails-send",
  title: "Closing a PUSH fails a waiting send with ECLOSED",
  requirements: ["SP-PIPELINE-14", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PUSH_TCP,
  covers: ["push:idle:block", "push:blocked:close"],
  async run(ctx: CaseContext) {
    const push = await openIut(ctx, "push0");
    const pending = push.trySend(utf8("never"), { timeoutMs: 5000 });
    await new Promise((res) => setTimeout(res, 150));
    await push.close();
    const r = await pending;
    if (r.ok) ctx.fail("the waiting send succeeded after close");
    expectErrorName(ctx, r.code, "ECLOSED", "the waiting send");
  },
};

/** Peers that talk back, one per round; the well-behaved ones must not feel it. */
const TALK_ROUNDS = 3;
const ROUND_SENDS = 6;

/**
 * SP-PIPELINE-11: data that one PULL peer sends into a PUSH must not disturb
 * the other pipes. Two well-behaved peers stay connected while, round after
 * round, a new peer joins and sends data; after each, the well-behaved peers
 * must still be open and each must get some of the messages that follow.
 * The talker itself may be kept or closed (SP-PIPELINE-12, SP-PIPELINE-22).
 */
export const pushDataOtherPipes: ConformanceCase = {
  id: "pipeline/push-data-spares-other-pipes",
  title: "Data one PULL sends into a PUSH leaves the PUSH's other pipes connected and served",
  requirements: ["SP-PIPELINE-11", "SP-PIPELINE-3"],
  kind: "malformed",
  needs: PUSH_TCP,
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const { push, url, pulls } = await pushWithPullers(ctx, 2);
    const talkers: (typeof pulls)[0][] = [];
    for (let round = 1; round <= TALK_ROUNDS; round++) {
      const talker = await rawPeer(
        ctx,
        url,
        PIPELINE_PROTO.pull0,
        PIPELINE_PROTO.push0,
        `talker${round}`,
      );
      talkers.push(talker);
      await new Promise((res) => setTimeout(res, T.settle));
      talker.sendFrame(utf8(`a PULL must not talk (${round})`));
      // Time for the data to arrive and for the IUT to close the talker if it does.
      await new Promise((res) => setTimeout(res, 2 * T.quiet));
      for (const p of pulls) {
        if (p.closed) {
          ctx.fail(
            `the IUT closed ${p.label}, which never sent anything, after ${talker.label} sent data: data on one pipe disturbed another`,
          );
        }
      }
      const open = [...pulls, ...talkers.filter((t) => !t.closed)];
      const counts = new Map<string, number>();
      for (let i = 0; i < ROUND_SENDS; i++) {
        const body = utf8(`round ${round} #${i}`);
        const s = await push.trySend(body, { timeoutMs: T.prompt });
        if (!s.ok) ctx.fail(`send ${i} of round ${round} failed with ${s.code}`);
        const who = await whichGot(open);
        if (who < 0) ctx.fail(`"round ${round} #${i}" reached none of the peers`);
        const peer = open[who] as (typeof pulls)[0];
        const f = await peer.readFrame(T.prompt);
        if (!sameBytes(f, body))
          ctx.fail(`${peer.label} got ${hex(f)}, expected "round ${round} #${i}"`);
        counts.set(peer.label, (counts.get(peer.label) ?? 0) + 1);
      }
      ctx.note(
        `round ${round}: ${[...counts.entries()].map(([k, v]) => `${k} ${v}`).join(", ")}${talker.closed ? `; ${talker.label} was closed` : ""}`,
      );
      for (const p of pulls) {
        if (p.closed)
          ctx.fail(`the IUT closed ${p.label} in round ${round}, after data from ${talker.label}`);
        if (!counts.get(p.label)) {
          ctx.fail(
            `${p.label}, connected and reading, got none of the ${ROUND_SENDS} messages sent after ${talker.label} sent data`,
          );
        }
      }
    }
  },
};

export const pushCases = [
  pipelineNumbers,
  pipelineWrongPeer,
  pushNoHeader,
  pushRoundRobin,
  pushBlocks,
  pushSkipsStalled,
  pushIgnoresData,
  pushDataOtherPipes,
  pushCloseFailsSend,
];
