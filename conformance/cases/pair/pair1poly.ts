/**
 * PAIR v1 polyamorous pipe addressing (feature `pipes`, option
 * `pair1:polyamorous`): received messages name their pipe, a send names the
 * pipe it goes to and never reaches another (SP-PAIR-18, SP-PAIR-19); a send
 * to a pipe that left, or that cannot take it, is discarded without blocking.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import { concat, hex, utf8, words } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { expectBytes, listening, needs, peerExpect, recvMsg, T, wirePeer } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const POLY = needs(["pair1"], ["pipes"], ["pair1:polyamorous"]);
/** Sends of 512 KiB to a peer that never reads: 12 MiB, more than loopback buffers hold. */
const SENDS = 24;

/** A polyamorous PAIR v1 listening, with wire peers whose pipe ids are learnt from a message each. */
async function polyWithPeers(
  ctx: CaseContext,
  labels: string[],
): Promise<{ sock: IutSocket; peers: WirePeer[]; pipes: number[] }> {
  const { sock, url } = await listening(ctx, "pair1", { options: { "pair1:polyamorous": 1 } });
  const peers: WirePeer[] = [];
  const pipes: number[] = [];
  for (const label of labels) {
    const p = await wirePeer(ctx, url, "pair1", "pair1", label);
    p.sendFrame(concat(words(1), utf8(`hello from ${label}`)));
    const m = await recvMsg(ctx, sock, `${label}'s first message`);
    expectBytes(ctx, m.data, `hello from ${label}`, `${label}'s first message`);
    // SP-PAIR-18: the socket tells which pipe a message came from.
    if (m.pipe === undefined || !Number.isInteger(m.pipe) || m.pipe <= 0) {
      ctx.fail(`the message from ${label} came without a valid pipe id (${String(m.pipe)})`);
    }
    if (pipes.includes(m.pipe)) ctx.fail(`${label} got pipe id ${m.pipe}, already used by a peer`);
    peers.push(p);
    pipes.push(m.pipe);
  }
  return { sock, peers, pipes };
}

/** SP-PAIR-18: pipe ids on receive, pipe choice on send. */
const namedPipes: ConformanceCase = {
  id: "pair/pair1poly-named-pipes",
  title: "pair1 polyamorous tells the pipe of each message and sends to the pipe it is given",
  requirements: ["SP-PAIR-18", "SP-PAIR-19", "SP-PAIR-17"],
  kind: "example",
  needs: POLY,
  async run(ctx: CaseContext) {
    const { sock, peers, pipes } = await polyWithPeers(ctx, ["a", "b", "c"]);
    // The same peer again: the same pipe id (stable for the connection).
    const [a] = peers as [WirePeer];
    a.sendFrame(concat(words(1), utf8("a again")));
    const again = await recvMsg(ctx, sock, "a's second message");
    expectBytes(ctx, again.data, "a again", "a's second message");
    if (again.pipe !== pipes[0]) {
      ctx.fail(`a's messages came with pipe ids ${pipes[0]} and ${String(again.pipe)}`);
    }
    // SP-PAIR-18 / SP-PAIR-19: a send to a named pipe reaches that peer only.
    for (const i of [1, 2, 0]) {
      const to = peers[i] as WirePeer;
      const body = utf8(`only for ${to.label}`);
      await sock.send(body, { pipe: pipes[i] as number, timeoutMs: T.prompt });
      await peerExpect(ctx, to, concat(words(1), body), `the message sent to ${to.label}'s pipe`);
      for (const other of peers) {
        if (other !== to) await other.expectNothing(T.quiet, `the message was for ${to.label}`);
      }
    }
  },
};

/** SP-PAIR-19: a pipe that left, or that cannot take more, makes sends to it vanish, not block. */
const goneOrFull: ConformanceCase = {
  id: "pair/pair1poly-send-discards",
  title: "pair1 polyamorous discards sends to a departed or stalled pipe without blocking",
  requirements: ["SP-PAIR-19"],
  kind: "example",
  needs: POLY,
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    const { sock, peers, pipes } = await polyWithPeers(ctx, ["gone", "stalled", "other"]);
    const [gone, stalled, other] = peers as [WirePeer, WirePeer, WirePeer];
    gone.close();
    await new Promise((res) => setTimeout(res, 300));
    const t0 = performance.now();
    const r = await sock.trySend(utf8("to the departed"), {
      pipe: pipes[0] as number,
      timeoutMs: T.prompt,
    });
    const ms = Math.round(performance.now() - t0);
    if (!r.ok && r.code === "ETIMEDOUT")
      ctx.fail("a send to a departed pipe blocked until timeout");
    if (ms > T.prompt / 2) ctx.fail(`a send to a departed pipe took ${ms} ms`);
    ctx.note(`send to the departed pipe: ${r.ok ? "reported success" : r.code} in ${ms} ms`);
    for (const p of [stalled, other]) {
      await p.expectNothing(T.quiet, "the message was for the departed pipe only");
    }
    // The stalled peer never reads: far more than socket buffers and queues can hold.
    const chunk = new Uint8Array(512 * 1024).fill(0x5a);
    let slowest = 0;
    for (let i = 0; i < SENDS; i++) {
      const s0 = performance.now();
      const sr = await sock.trySend(chunk, { pipe: pipes[1] as number, timeoutMs: T.prompt });
      const took = performance.now() - s0;
      slowest = Math.max(slowest, took);
      if (!sr.ok && sr.code === "ETIMEDOUT") {
        ctx.fail(`send ${i + 1} to the stalled pipe blocked until its timeout`);
      }
    }
    ctx.note(`slowest of ${SENDS} sends of 512 KiB to the stalled pipe: ${Math.round(slowest)} ms`);
    // Discarding keeps one slow partner from stalling the others.
    await sock.send(utf8("for other"), { pipe: pipes[2] as number, timeoutMs: T.prompt });
    const f = await other.readFrame(T.prompt);
    if (hex(f) !== hex(concat(words(1), utf8("for other")))) {
      ctx.fail(`the other peer got ${hex(f)} instead of its message`);
    }
  },
};

/** Polyamorous PAIR v1 pipe cases, in run order. */
export const pair1PolyCases: readonly ConformanceCase[] = [namedPipes, goneOrFull];
