/**
 * Flow control of PAIR (SP-PAIR-21, SP-PAIR-5; framework "Flow Control"): a
 * PAIR whose application does not receive stops reading the pipe and resumes
 * without loss.
 */
import { fmt, senderBound, tcpLimits } from "../../harness/flow-bounds.ts";
import { bodySeq, FLOOD_BODY, numberedBody } from "../../harness/numbered.ts";
import { FrameReader } from "../../harness/reader-peer.ts";
import { firstWord, word32, words } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import {
  FLOW_T,
  messageAllowance,
  type NoReadSpec,
  noReadCase,
  noReadDefaults,
  openAny,
} from "../flow.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { NUM } from "./common.ts";

const MiB = 1024 * 1024;
/** Bytes of one numbered message on the wire (PAIR v1 adds its hop word). */
const frameBytes = (protocol: "pair0" | "pair1") => 8 + FLOOD_BODY + (protocol === "pair1" ? 4 : 0);
/** Send timeout of the probing sends: short, so the case finds the stall quickly. */
const PROBE_MS = 300;
/** A second, longer timeout that confirms a stall (a loaded machine may be slow to move bytes). */
const CONFIRM_MS = 1500;

function pairNoRead(protocol: "pair0" | "pair1", defaults = false): ConformanceCase {
  const spec: NoReadSpec = {
    id: `pair/${protocol}-noread-bounded`,
    title: `${protocol === "pair0" ? "PAIR v0" : "PAIR v1"} whose application does not receive stops reading the pipe, then resumes losing nothing`,
    requirements: [
      "SP-PAIR-21",
      "SP-PAIR-6",
      "SP-FRAMEWORK-21",
      "SP-FRAMEWORK-22",
      "SP-FRAMEWORK-23",
      "SP-FRAMEWORK-28",
    ],
    covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
    protocol,
    peer: NUM[protocol],
    // PAIR v1: the hop-count word of a first hop.
    ...(protocol === "pair1" ? { prefix: () => words(1) } : {}),
    must: true,
  };
  return noReadCase(defaults ? noReadDefaults(spec) : spec);
}

/**
 * A PAIR sending to a peer that does not read: sends succeed until the
 * buffers between them are full, then wait and fail with ETIMEDOUT (SP-PAIR-5,
 * SP-FRAMEWORK-27); what was sent is bounded; once the peer reads it receives
 * exactly the sends that succeeded, in order, and no send that failed.
 */
function pairSendBounded(protocol: "pair0" | "pair1"): ConformanceCase {
  const v1 = protocol === "pair1";
  return {
    id: `pair/${protocol}-flow-send-bounded`,
    title: `${v1 ? "PAIR v1" : "PAIR v0"} sends to a peer that does not read wait and time out after a bounded amount; nothing is dropped`,
    requirements: ["SP-PAIR-5", "SP-PAIR-6", "SP-FRAMEWORK-27", "SP-FRAMEWORK-20"],
    kind: "example",
    covers: [
      "pair-slot:occupied:send",
      "pair-slot:stalled:after:sendTimeout",
      "pair-slot:stalled:always[!sendsParked]",
    ],
    needs: { protocols: [protocol], transports: ["tcp"] },
    timeoutMs: 30000,
    async run(ctx: CaseContext) {
      const sock = await openAny(ctx, protocol);
      const frame = frameBytes(protocol);
      const allowance = await messageAllowance(sock, "send-buffer", frame);
      const url = await sock.listen(ctx.iutUrl("tcp"));
      const decode = (p: Uint8Array): number | string => {
        if (!v1) return bodySeq(p);
        const hop = firstWord(p);
        if (hop !== 1)
          return `a PAIR v1 message with hop word ${hop === undefined ? "missing" : word32(hop)}`;
        return bodySeq(p.subarray(4));
      };
      const peer = await FrameReader.connect(
        ctx.iutEndpoint(url),
        NUM[protocol],
        "peer",
        ctx.transcript,
        decode,
        {
          paused: true,
        },
      );
      try {
        const bound = senderBound(tcpLimits(), allowance, peer.nodeBuffered);
        ctx.note(bound.derivation);
        const sent: number[] = [];
        let failed = 0;
        let stalled = false;
        const started = performance.now();
        for (let i = 0; (sent.length + 1) * frame <= bound.bytes + 4 * MiB; i++) {
          // The first send also waits for the pipe to attach.
          const first = await sock.trySend(numberedBody(i), {
            timeoutMs: i === 0 ? FLOW_T.send : PROBE_MS,
          });
          if (first.ok) {
            sent.push(i);
            continue;
          }
          expectErrorName(ctx, first.code, "ETIMEDOUT", `send #${i}`);
          failed++;
          const confirm = await sock.trySend(numberedBody(++i), { timeoutMs: CONFIRM_MS });
          if (confirm.ok) {
            sent.push(i);
            continue;
          }
          expectErrorName(ctx, confirm.code, "ETIMEDOUT", `send #${i}`);
          failed++;
          stalled = true;
          break;
        }
        const sentBytes = sent.length * frame;
        ctx.note(
          `${sent.length} sends succeeded (${fmt(sentBytes)}), ${failed} timed out, in ${(performance.now() - started).toFixed(0)} ms`,
        );
        if (!stalled) {
          ctx.fail(
            `the IUT accepted ${sent.length} sends (${fmt(sentBytes)}) for a peer that reads nothing, beyond the ${fmt(bound.bytes)} bound, without waiting`,
          );
        }
        if (sentBytes > bound.bytes) {
          ctx.fail(
            `the IUT accepted ${fmt(sentBytes)} for a peer that reads nothing, beyond the ${fmt(bound.bytes)} bound`,
          );
        }
        peer.resume();
        await peer.until(() => peer.seqs.length >= sent.length || peer.bad !== undefined, 5000);
        await peer.settle(FLOW_T.quiet, 2000);
        if (peer.bad) ctx.fail(`a damaged message arrived: ${peer.bad}`);
        const got = peer.seqs;
        for (let k = 0; k < Math.max(got.length, sent.length); k++) {
          if (got[k] === sent[k]) continue;
          if (k >= got.length) {
            ctx.fail(
              `only ${got.length} of the ${sent.length} successful sends arrived: #${sent[k]} was dropped`,
            );
          }
          if (k >= sent.length)
            ctx.fail(`#${got[k]} arrived although its send failed with ETIMEDOUT`);
          ctx.fail(
            `message ${k} arrived as #${got[k]}, the ${k + 1}th successful send was #${sent[k]}`,
          );
        }
        // The flow resumed: one more send goes through at once.
        const next = (sent[sent.length - 1] ?? 0) + 10;
        const r = await sock.trySend(numberedBody(next), { timeoutMs: FLOW_T.send });
        if (!r.ok) ctx.fail(`a send after the peer read everything failed with ${r.code}`);
        if (!(await peer.until(() => peer.seqs.includes(next), FLOW_T.recv))) {
          ctx.fail(`#${next}, sent after the peer read everything, did not arrive`);
        }
      } finally {
        peer.close();
      }
    },
  };
}

export const pairFlowCases: readonly ConformanceCase[] = [
  pairNoRead("pair0"),
  pairNoRead("pair1"),
  pairNoRead("pair0", true),
  pairNoRead("pair1", true),
  pairSendBounded("pair0"),
  pairSendBounded("pair1"),
];
