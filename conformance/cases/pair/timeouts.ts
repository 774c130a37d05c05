/**
 * Send timeouts of a monogamous PAIR socket whose peer is attached but
 * stopped reading (draft-sp-pair §Sending): the socket option `send-timeout`
 * bounds a send that waits, and a waiting send that times out is not sent
 * later while a send behind it, still waiting, is.
 */
import { hex, utf8 } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { Pending, sleep } from "../common/paths-runtime.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { listening, NUM, tcpNeeds } from "./common.ts";
import { backUp, FramedStallPeer } from "./framed-stall.ts";

type Mono = "pair0" | "pair1";

/** Size of the messages that fill the connection in {@link stalledSendTimeout}. */
const CHUNK = 512 * 1024;
/** Upper bound on what one fill sends (bytes). */
const MAX_FILL = 64 * 1024 * 1024;
/** The configured send timeout (ms) and the bounds its expiry must fall in. */
const SEND_TIMEOUT = 200;
const EARLIEST = 150;
const LATEST = 2000;

/** The body of a small frame the peer got: PAIR v1 frames start with the 4-byte hop word. */
function bodyOf(p: Mono, frame: Uint8Array): string {
  return new TextDecoder().decode(p === "pair1" ? frame.subarray(4) : frame);
}

/** Attaches a frame-reading peer to a listening IUT socket and waits for it to settle. */
async function stalledPair(ctx: CaseContext, p: Mono) {
  const { sock, url } = await listening(ctx, p);
  const peer = await FramedStallPeer.connect(ctx.iutEndpoint(url), NUM[p], "peer", ctx.transcript);
  await sleep(150);
  return { sock, peer };
}

function stalledSendTimeout(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-stalled-send-timeout`,
    title: `${p} send to a peer that stopped reading fails with ETIMEDOUT at send-timeout`,
    requirements: ["SP-PAIR-5", "SP-FRAMEWORK-20"],
    kind: "example",
    needs: tcpNeeds(p, ["send-timeout"]),
    covers: ["pair-slot:occupied:send", "pair-slot:stalled:after:sendTimeout"],
    timeoutMs: 30000,
    async run(ctx: CaseContext) {
      const { sock, peer } = await stalledPair(ctx, p);
      try {
        await sock.setopt("send-timeout", SEND_TIMEOUT);
        peer.pause();
        const big = new Uint8Array(CHUNK).fill(0x5a);
        for (let sent = 0; sent < MAX_FILL; sent += CHUNK) {
          const started = performance.now();
          // No per-call timeout: the socket's send-timeout bounds the send.
          const r = await sock.trySend(big);
          const took = performance.now() - started;
          if (r.ok) continue;
          // SP-PAIR-5: the send waits until the configured timeout, then ETIMEDOUT.
          expectErrorName(ctx, r.code, "ETIMEDOUT", "the waiting send");
          ctx.note(`the send failed after ${Math.round(took)} ms, ${sent / 1048576} MiB in`);
          if (took < EARLIEST) {
            ctx.fail(`the send timed out after ${Math.round(took)} ms, before ${SEND_TIMEOUT} ms`);
          }
          if (took >= LATEST) {
            ctx.fail(`the send timed out after ${Math.round(took)} ms, not near ${SEND_TIMEOUT}`);
          }
          return;
        }
        ctx.info(`the IUT took ${MAX_FILL / 1048576} MiB for a peer that reads nothing`);
      } finally {
        peer.close();
      }
    },
  };
}

function expiredSendSkipped(p: Mono): ConformanceCase {
  return {
    id: `pair/${p}-expired-send-skipped`,
    title: `${p}: of two waiting sends, the one that timed out is not sent, the other is`,
    requirements: ["SP-PAIR-5", "SP-PAIR-6", "SP-FRAMEWORK-20"],
    kind: "example",
    needs: tcpNeeds(p),
    covers: [
      "pair-slot:stalled:send",
      "pair-slot:stalled:after:sendTimeout",
      "pair-slot:stalled:writable",
    ],
    timeoutMs: 45000,
    async run(ctx: CaseContext) {
      const { sock, peer } = await stalledPair(ctx, p);
      try {
        peer.pause();
        const probes = await backUp(ctx, sock);
        if (!probes) {
          ctx.info("the IUT took 64 MiB for a peer that reads nothing");
          return;
        }
        const a = new Pending(sock.trySend(utf8("A"), { timeoutMs: 100 }));
        const b = new Pending(sock.trySend(utf8("B")));
        await sleep(300);
        if (!(await a.within(2000))) ctx.fail("a send with a 100 ms timeout still waits after 2 s");
        const ra = a.outcome;
        // SP-PAIR-5: the send waits until its timeout expires, then fails with ETIMEDOUT.
        if (ra?.ok) ctx.fail("a send to a peer that reads nothing completed within its 100 ms");
        if (ra && !ra.ok) expectErrorName(ctx, ra.code, "ETIMEDOUT", "send A");
        if (b.settled) {
          const rb = b.outcome;
          ctx.fail(`send B, with no timeout, ${rb?.ok ? "completed" : `failed (${rb?.code})`}`);
        }
        peer.resume();
        if (!(await b.within(8000))) ctx.fail("send B still waits 8 s after the peer read again");
        if (b.outcome && !b.outcome.ok) ctx.fail(`send B failed with ${b.outcome.code}`);
        // Let the last bytes arrive: B is the last message the IUT sends.
        const want = [...probes, "B"];
        for (let i = 0; i < 40 && peer.small.length < want.length; i++) await sleep(50);
        await sleep(100);
        const got = peer.small.map((f) => bodyOf(p, f));
        ctx.note(`the peer got ${peer.largeCount} filler messages, then ${JSON.stringify(got)}`);
        // SP-PAIR-5/6: a failed send is not transmitted; the sends that succeeded arrive in order.
        if (got.includes("A")) ctx.fail("send A failed with ETIMEDOUT, yet its message arrived");
        if (got.join("\n") !== want.join("\n")) {
          const shown = peer.small.map((f) => hex(f)).join(", ");
          ctx.fail(`expected the small messages ${JSON.stringify(want)}, got [${shown}]`);
        }
      } finally {
        peer.close();
      }
    },
  };
}

/** The send-timeout cases of one monogamous PAIR version, in run order. */
export function timeoutCases(p: Mono): ConformanceCase[] {
  return [stalledSendTimeout(p), expiredSendSkipped(p)];
}
