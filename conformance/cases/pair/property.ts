/**
 * Property: for random header words (hop counts 0..255, sometimes with
 * reserved bits set) and random hop limits (1..15, set through `ttl-max`), an
 * IUT PAIR v1 delivers the body if and only if the reserved bits are zero and
 * 1 <= hop <= limit (SP-PAIR-11..13). Seeded from `--seed`; a failure names
 * the seed and counterexample path, replayable with `--seed N --replay PATH`.
 */
import fc from "fast-check";
import { hex, word32 } from "../../harness/sp.ts";
import type { WirePeer } from "../../harness/wire.ts";
import { checkProperty } from "../common/property.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { attachedPeer, listening, pair1Msg, T, tcpNeeds } from "./common.ts";
import { SENTINEL_WAIT } from "./pair1.ts";

const NUM_RUNS = 40;

type Input = { limit: number; hop: number; reserved: number; body: Uint8Array };

/** Edge cases run first on every seed: hop 0, the limit, one over, a reserved bit. */
const EDGES: [Input][] = [
  [{ limit: 8, hop: 0, reserved: 0, body: new Uint8Array([0x30]) }],
  [{ limit: 8, hop: 8, reserved: 0, body: new Uint8Array([0x38]) }],
  [{ limit: 8, hop: 9, reserved: 0, body: new Uint8Array([0x39]) }],
  [{ limit: 1, hop: 1, reserved: 1, body: new Uint8Array([0x72]) }],
];

const arbInput = fc.record({
  limit: fc.integer({ min: 1, max: 15 }),
  hop: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 16 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  ),
  reserved: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xffffff }) },
  ),
  body: fc.uint8Array({ maxLength: 64 }),
});

export const pair1HopProperty: ConformanceCase = {
  id: "pair/pair1-hop-property",
  title:
    "pair1 delivers a message iff its reserved bits are zero and 1 <= hop <= ttl-max (property)",
  requirements: ["SP-PAIR-11", "SP-PAIR-12", "SP-PAIR-13", "SP-PAIR-14", "SP-PAIR-10"],
  kind: "property",
  needs: tcpNeeds("pair1", ["ttl-max"]),
  timeoutMs: 60000,
  async run(ctx: CaseContext) {
    const { sock, url } = await listening(ctx, "pair1");
    let peer: WirePeer | undefined;
    let n = 0;
    let closes = 0;
    const property = fc.asyncProperty(arbInput, async ({ limit, hop, reserved, body }) => {
      n++;
      await sock.setopt("ttl-max", limit);
      if (!peer || peer.closed) peer = await attachedPeer(ctx, sock, url, "pair1", `run${n}`);
      const word = ((reserved << 8) | hop) >>> 0;
      const valid = reserved === 0 && hop >= 1 && hop <= limit;
      const sentinel = `sentinel ${n}`;
      peer.sendFrame(pair1Msg(word, body));
      peer.sendFrame(pair1Msg(1, sentinel));
      const first = await sock.tryRecv({ timeoutMs: valid ? T.prompt : SENTINEL_WAIT });
      const isSentinel = (b: Uint8Array) => new TextDecoder().decode(b) === sentinel;
      if (valid) {
        if (!first.ok) throw new Error(`header ${word32(word)} (limit ${limit}) not delivered`);
        if (hex(first.value) !== hex(body)) {
          throw new Error(
            `header ${word32(word)}: delivered ${hex(first.value)}, sent ${hex(body)}`,
          );
        }
        const second = await sock.tryRecv({ timeoutMs: T.prompt });
        if (!second.ok || !isSentinel(second.value)) {
          throw new Error(`the sentinel after ${word32(word)} did not follow`);
        }
        return;
      }
      if (first.ok && !isSentinel(first.value)) {
        throw new Error(`header ${word32(word)} (limit ${limit}) delivered ${hex(first.value)}`);
      }
      if (!first.ok) {
        // Only a closed connection excuses the missing sentinel (SP-PAIR-23 MAY close).
        if (!(await peer.waitClosed(T.quiet))) {
          throw new Error(`after ${word32(word)} nothing arrived and the connection stayed open`);
        }
        closes++;
      }
    });
    const details = await checkProperty(ctx, property, { numRuns: NUM_RUNS, examples: EDGES });
    ctx.note(`${details.numRuns} runs, seed ${details.seed}, ${closes} connection(s) closed`);
  },
};
