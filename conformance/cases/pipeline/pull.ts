/**
 * What an IUT PULL does: accepts from several pushers, keeps each pusher's
 * order, delivers whole payloads, never writes back, refuses send.
 */
import { hex, sameBytes, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { openIut, PIPELINE_PROTO, PULL_TCP, rawPeer, T } from "./common.ts";

/** Messages from several PUSH peers all arrive, each peer's in order; nothing goes back. */
export const pullSeveralPushers: ConformanceCase = {
  id: "pipeline/pull-several-pushers",
  title: "PULL accepts messages from several PUSH peers, in each peer's order, and sends nothing",
  requirements: ["SP-PIPELINE-10", "SP-PIPELINE-15", "SP-PIPELINE-2", "SP-PIPELINE-13"],
  kind: "example",
  needs: PULL_TCP,
  cat: {},
  async run(ctx: CaseContext) {
    const pull = await openIut(ctx, "pull0");
    const url = await pull.listen(ctx.iutUrl("tcp"));
    const peers = [];
    for (let i = 0; i < 3; i++) {
      peers.push(
        await rawPeer(ctx, url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, `push${i + 1}`),
      );
    }
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < peers.length; i++) peers[i]?.sendFrame(utf8(`p${i}:${k}`));
    }
    const seen = new Map<number, number[]>();
    for (let n = 0; n < 12; n++) {
      const r = await pull.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`recv ${n} failed with ${r.code}; got ${[...seen.entries()].join(" ")}`);
      const m = /^p(\d):(\d)$/.exec(Buffer.from(r.value).toString("latin1"));
      if (!m) ctx.fail(`unexpected message ${hex(r.value)}`);
      const list = seen.get(Number(m[1])) ?? [];
      list.push(Number(m[2]));
      seen.set(Number(m[1]), list);
    }
    for (let i = 0; i < peers.length; i++) {
      const got = (seen.get(i) ?? []).join(",");
      if (got !== "0,1,2,3")
        ctx.fail(`messages of push${i + 1} arrived as [${got}], expected [0,1,2,3]`);
    }
    for (const p of peers) await p.expectNothing(T.quiet, "a PULL never writes");
  },
};

/** send on a PULL fails with ENOTSUP. */
export const pullSendNotSupported: ConformanceCase = {
  id: "pipeline/pull-send-not-supported",
  title: "send on PULL fails with ENOTSUP",
  requirements: ["SP-PIPELINE-17", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PULL_TCP,
  async run(ctx: CaseContext) {
    const pull = await openIut(ctx, "pull0");
    const s = await pull.trySend(utf8("x"), { timeoutMs: 500 });
    if (s.ok) ctx.fail("send on a PULL succeeded");
    expectErrorName(ctx, s.code, "ENOTSUP", "send on a PULL");
  },
};

/** SP-PIPELINE-14: close fails a recv that waits, at once and with ECLOSED. */
export const pullCloseFailsRecv: ConformanceCase = {
  id: "pipeline/pull-close-fails-recv",
  title: "Closing a PULL fails a waiting recv with ECLOSED, before the recv's own timeout",
  requirements: ["SP-PIPELINE-14", "SP-FRAMEWORK-19", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: PULL_TCP,
  async run(ctx: CaseContext) {
    const pull = await openIut(ctx, "pull0");
    const url = await pull.listen(ctx.iutUrl("tcp"));
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, "pusher");
    const pending = pull.tryRecv({ timeoutMs: 3 * T.prompt });
    await peer.expectNothing(150, "letting the recv be registered");
    const t0 = performance.now();
    await pull.close();
    const r = await pending;
    const ms = Math.round(performance.now() - t0);
    if (r.ok) ctx.fail(`the waiting recv delivered ${hex(r.value)} after close`);
    if (ms > T.prompt) ctx.fail(`the waiting recv ended ${ms} ms after the close, with ${r.code}`);
    expectErrorName(ctx, r.code, "ECLOSED", "the waiting recv");
  },
};

/** SP-PIPELINE-2: every payload is delivered whole as the message, the empty one too. */
export const pullWholePayload: ConformanceCase = {
  id: "pipeline/pull-whole-payload",
  title: "PULL delivers each payload whole as the message, the empty payload included",
  requirements: ["SP-PIPELINE-2", "SP-FRAMEWORK-2"],
  kind: "example",
  needs: PULL_TCP,
  async run(ctx: CaseContext) {
    const pull = await openIut(ctx, "pull0");
    const url = await pull.listen(ctx.iutUrl("tcp"));
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, "pusher");
    const bodies = [
      utf8("task 1"),
      new Uint8Array(0),
      new Uint8Array([0x80, 0, 0, 1]), // looks like a backtrace word; it is body
      new Uint8Array([0, 0, 0, 0]),
      new Uint8Array(3000).map((_, i) => i & 0xff),
      new Uint8Array(0),
      utf8("task 7"),
    ];
    for (const b of bodies) peer.sendFrame(b);
    for (const [i, b] of bodies.entries()) {
      const r = await pull.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`recv ${i + 1} of ${bodies.length} failed with ${r.code}`);
      if (!sameBytes(r.value, b)) {
        ctx.fail(
          `message ${i + 1} was delivered as ${r.value.length} bytes (${hex(r.value, 16)}), expected ${b.length} bytes (${hex(b, 16)})`,
        );
      }
    }
    const extra = await pull.tryRecv({ timeoutMs: T.quiet });
    if (extra.ok) ctx.fail(`a message nobody sent was delivered: ${hex(extra.value, 16)}`);
  },
};

/**
 * Messages per burst of {@link pullBurstsKeepFlowing}, and their size: 24 KiB a burst,
 * so that a few bursts, not one, add up to the 64 KiB a receive buffer holds by default.
 */
const BURST = 6;
const BURST_MSG = 4096;
/** Bursts: 768 KiB in all, a dozen times the default bound. */
const BURSTS = 32;

/**
 * SP-FRAMEWORK-23, SP-FRAMEWORK-22: a pipe whose messages wait in its receive
 * buffer (the application reads only after each burst has arrived) goes on
 * being read for as long as the application takes its messages, however much
 * passes through it in all. A buffer that stops reading must count what the
 * application took, whenever it took it, or the pipe stops for good once the
 * total passes the bound.
 */
export const pullBurstsKeepFlowing: ConformanceCase = {
  id: "pipeline/pull-bursts-keep-flowing",
  title: "PULL keeps reading a pipe whose bursts wait in its buffer, far past the buffer's bound",
  requirements: ["SP-FRAMEWORK-23", "SP-FRAMEWORK-22", "SP-PIPELINE-21", "SP-PIPELINE-15"],
  kind: "example",
  needs: PULL_TCP,
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    const pull = await openIut(ctx, "pull0");
    const url = await pull.listen(ctx.iutUrl("tcp"));
    const peer = await rawPeer(ctx, url, PIPELINE_PROTO.push0, PIPELINE_PROTO.pull0, "pusher");
    const body = (seq: number) => {
      const b = new Uint8Array(BURST_MSG).fill(seq & 0xff);
      new DataView(b.buffer).setUint32(0, seq);
      return b;
    };
    let seq = 0;
    for (let round = 0; round < BURSTS; round++) {
      const first = seq;
      for (let i = 0; i < BURST; i++) peer.sendFrame(body(seq++));
      // No recv is waiting while the burst arrives: it goes into the pipe's buffer.
      await new Promise((res) => setTimeout(res, 60));
      for (let want = first; want < seq; want++) {
        const r = await pull.tryRecv({ timeoutMs: T.prompt });
        if (!r.ok) {
          ctx.fail(
            `burst ${round + 1} of ${BURSTS}: message #${want} was not delivered (${r.code}) after ${want} messages (${Math.round((want * BURST_MSG) / 1024)} KiB) went through: the PULL stopped reading the pipe`,
          );
        }
        if (!sameBytes(r.value, body(want))) {
          ctx.fail(`burst ${round + 1}: message #${want} expected, got ${hex(r.value, 8)}`);
        }
      }
    }
    const extra = await pull.tryRecv({ timeoutMs: T.quiet });
    if (extra.ok) ctx.fail(`a message nobody sent was delivered: ${hex(extra.value, 16)}`);
  },
};

export const pullCases = [
  pullSeveralPushers,
  pullWholePayload,
  pullSendNotSupported,
  pullCloseFailsRecv,
  pullBurstsKeepFlowing,
];
