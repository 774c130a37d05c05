/**
 * REQ/REP with several peers: replies go back on their own pipe, a stalled peer is skipped.
 *
 * - reqrep/req-skips-stalled-peer: the REQ machine transmits as soon as some
 *   pipe can take a message (`pending --always[pipeAvailable]--> transmit`,
 *   SP-REQREP-12/-5), and requests are spread round robin so that no pipe is
 *   starved (SP-REQREP-21): a REP peer that stops reading may block its own
 *   pipe, not the requests the other peer could take.
 * - reqrep/rep-replies-on-request-pipe: REP sends each reply "to the pipe the
 *   request came from" (SP-REQREP-13), also when requests of two peers were
 *   queued before the application received them (SP-REQREP-21).
 */
import { connect, type Socket } from "node:net";
import {
  concat,
  hex,
  PROTO,
  request,
  sameBytes,
  spHeader,
  utf8,
  word32,
  words,
} from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { expectBytes, iutRecv, REP_TCP, REQ_TCP, repListening, reqPeer, T } from "./common.ts";

/** Size of the requests that fill the stalled peer's connection (bytes). */
const BIG = 1024 * 1024;
/** How long the suite waits for a request at the reading peer before counting it as gone elsewhere (ms). */
const HIT_WAIT = 300;
/** Requests in a row seen at the reading peer that show the stalled pipe is passed over. */
const HITS_NEEDED = 4;
/**
 * Requests in a row not seen at the reading peer that show the REQ waits for
 * the stalled pipe: round robin alternates, so a REQ that passes over the
 * stalled pipe never sends two requests in a row to it.
 */
const MISSES_FATAL = 6;
/** Upper bound on the requests the case sends (64 MiB in all). */
const MAX_REQUESTS = 64;

/** Reads the index the case put at the start of a request body (after the id word). */
function indexOf(payload: Uint8Array): number {
  if (payload.length < 8) return -1;
  return new DataView(payload.buffer, payload.byteOffset + 4, 4).getUint32(0);
}

/**
 * The next frame from `peer` if its length word arrives within `ms`; the rest
 * of the frame is then awaited with the prompt bound, so that a wait running
 * out never leaves half a frame consumed. Undefined when nothing came.
 */
async function nextFrame(peer: WirePeer, ms: number): Promise<Uint8Array | undefined> {
  let head: Uint8Array;
  try {
    head = await peer.readExact(8, ms, "frame length");
  } catch {
    if (peer.closed) throw new Error(`${peer.label}: the IUT closed the connection`);
    return undefined;
  }
  const len = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0);
  if (len > BigInt(2 * BIG))
    throw new Error(`${peer.label}: the IUT announced a frame of ${len} bytes`);
  return peer.readExact(Number(len), T.prompt, `frame payload of ${len} bytes`);
}

/** With one REP peer stalled, new requests still reach the other one. */
export const reqSkipsStalledPeer: ConformanceCase = {
  id: "reqrep/req-skips-stalled-peer",
  title: "REQ keeps sending requests to a reading REP while another REP stops reading",
  requirements: ["SP-REQREP-21", "SP-REQREP-12", "SP-REQREP-5"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:pending:always[pipeAvailable]", "req:waiting:send"],
  timeoutMs: 40000,
  async run(ctx: CaseContext) {
    const req = await ctx.iut.open("req0");
    const url = await req.listen(ctx.iutUrl("tcp"));
    const good = await ctx.connect(url, "reading");
    const h = await good.handshake(PROTO.rep0);
    if (h.protocol !== PROTO.req0) {
      ctx.fail(`the IUT REQ announced protocol 0x${h.protocol.toString(16)}, expected 0x30`);
    }
    // A paused raw socket (outside the transcript: megabytes) that never reads.
    const stalled: Socket = connect(ctx.iutEndpoint(url));
    stalled.pause();
    stalled.on("error", () => {});
    try {
      await new Promise((res) => stalled.once("connect", res));
      stalled.write(spHeader({ protocol: PROTO.rep0 }));
      await good.expectNothing(300, "letting the IUT attach the stalled peer");
      const seen = new Set<number>();
      let hits = 0;
      let misses = 0;
      let sent = 0;
      const body = new Uint8Array(BIG);
      for (; sent < MAX_REQUESTS; sent++) {
        new DataView(body.buffer).setUint32(0, sent);
        const r = await req.trySend(body, { timeoutMs: T.prompt });
        if (!r.ok) {
          ctx.fail(
            `send of request ${sent} failed with ${r.code} although a REP peer keeps reading`,
          );
        }
        const end = performance.now() + HIT_WAIT;
        while (!seen.has(sent)) {
          const left = end - performance.now();
          if (left <= 0) break;
          const payload = await nextFrame(good, left);
          if (!payload) break;
          seen.add(indexOf(payload));
        }
        if (seen.has(sent)) {
          hits++;
          misses = 0;
        } else {
          misses++;
          hits = 0;
        }
        if (hits >= HITS_NEEDED) break;
        if (misses >= MISSES_FATAL) {
          // Late rather than lost? Give the missing requests the prompt bound to show up.
          for (;;) {
            const payload = await nextFrame(good, T.prompt);
            if (!payload) break;
            seen.add(indexOf(payload));
          }
          misses = 0;
          while (misses <= sent && !seen.has(sent - misses)) misses++;
          if (misses >= MISSES_FATAL) {
            ctx.fail(
              `requests ${sent - misses + 1}..${sent} (1 MiB each) never reached the reading REP: the REQ waits for the stalled pipe instead of passing it over (${seen.size} of ${sent + 1} reached the reading peer)`,
            );
          }
        }
      }
      ctx.note(
        `${Math.min(sent + 1, MAX_REQUESTS)} requests of 1 MiB sent, ${seen.size} reached the reading peer`,
      );
      if (hits < HITS_NEEDED) {
        ctx.info(
          `after ${MAX_REQUESTS} MiB the IUT still sent every other request to the peer that does not read: it never treated that pipe as unable to take a message`,
        );
        return;
      }
      // A small request now goes to the reading peer too, and is answered.
      await req.send(utf8("small"), { timeoutMs: T.prompt });
      let last: Uint8Array;
      for (;;) {
        last = await good.readFrame(T.prompt, 2 * BIG);
        if (last.length < 2 * 4 + 1000) break; // a late big request is skipped
      }
      expectBytes(ctx, last.subarray(4), utf8("small"), "body of the small request");
      good.sendFrame(concat(last.subarray(0, 4), utf8("answer")));
      expectBytes(ctx, await iutRecv(ctx, req, "the reply"), utf8("answer"), "reply body");
    } finally {
      stalled.destroy();
    }
  },
};

/** Each reply goes back on the connection of the request it answers, with that request's id. */
export const repRepliesOnRequestPipe: ConformanceCase = {
  id: "reqrep/rep-replies-on-request-pipe",
  title: "REP answers each of two queued requests on the connection it came from",
  requirements: ["SP-REQREP-13", "SP-REQREP-21"],
  kind: "example",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:send"],
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    const peers: { peer: WirePeer; id: number; name: string }[] = [
      { peer: await reqPeer(ctx, url, "reqA"), id: 0x8000a001, name: "A" },
      { peer: await reqPeer(ctx, url, "reqB"), id: 0x8000b002, name: "B" },
    ];
    // Both requests are on the IUT's side before the application receives either.
    for (const p of peers) {
      p.peer.sendFrame(request({ hops: [], id: p.id, body: utf8(`request ${p.name}`) }));
      await p.peer.expectNothing(150, "letting the request reach the IUT");
    }
    for (let i = 0; i < 2; i++) {
      const got = await iutRecv(ctx, rep, `request ${i + 1} of 2`);
      const text = new TextDecoder().decode(got);
      if (text !== "request A" && text !== "request B") {
        ctx.fail(`the IUT REP delivered ${hex(got)}, not one of the two requests`);
      }
      await rep.send(utf8(`reply to ${text}`), { timeoutMs: T.prompt });
    }
    for (const p of peers) {
      const frame = await p.peer.readFrame(T.prompt).catch(() => undefined);
      if (!frame) {
        ctx.fail(
          `connection ${p.name} (id ${word32(p.id)}) got no reply within ${T.prompt} ms: it went to the wrong pipe or nowhere`,
        );
      }
      const expected = concat(words(p.id), utf8(`reply to request ${p.name}`));
      if (!sameBytes(frame, expected)) {
        ctx.fail(
          `connection ${p.name} (request id ${word32(p.id)}) got ${hex(frame)}, expected ${hex(expected)}: the reply went to the wrong pipe`,
        );
      }
    }
    for (const p of peers) {
      await p.peer.expectNothing(T.quiet, `connection ${p.name} must get only its own reply`);
    }
  },
};

/** Cases of this file, in run order. */
export const reqrepRoutingCases: readonly ConformanceCase[] = [
  reqSkipsStalledPeer,
  repRepliesOnRequestPipe,
];
