/**
 * Property: for random bodies and random backtraces (0..7 hop words, random
 * ids), an IUT REP that echoes the body returns the backtrace unchanged.
 * Seeded from `--seed`; a failure names the seed and counterexample path,
 * replayable with `--seed N --replay PATH`.
 */
import fc from "fast-check";
import { concat, hex, request, sameBytes, words } from "../../harness/sp.ts";
import { checkProperty } from "../common/property.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REP_TCP, repListening, reqPeer, T } from "./common.ts";

const NUM_RUNS = 30;

const arbRequest = fc.record({
  hops: fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 7 }),
  id: fc.integer({ min: 0x80000000, max: 0xffffffff }),
  body: fc.uint8Array({ maxLength: 512 }),
});

export const repBacktraceProperty: ConformanceCase = {
  id: "reqrep/rep-backtrace-property",
  title: "Random bodies and backtraces round-trip through REP unchanged (property)",
  requirements: ["SP-REQREP-13", "SP-REQREP-2", "SP-REQREP-22", "SP-TCP-8", "SP-FRAMEWORK-6"],
  kind: "property",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:send"],
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const { rep, url } = await repListening(ctx);
    let n = 0;
    const property = fc.asyncProperty(arbRequest, async (m) => {
      // A fresh connection per run keeps runs independent while shrinking.
      const peer = await reqPeer(ctx, url, `run${++n}`);
      try {
        peer.sendFrame(request(m));
        const got = await rep.recv({ timeoutMs: T.prompt });
        if (!sameBytes(got, m.body))
          throw new Error(`REP delivered ${hex(got)}, sent ${hex(m.body)}`);
        await rep.send(got, { timeoutMs: T.prompt });
        const reply = await peer.readFrame(T.prompt);
        const expected = concat(words(...m.hops, m.id), m.body);
        if (!sameBytes(reply, expected)) {
          throw new Error(`reply ${hex(reply)} differs from ${hex(expected)}`);
        }
      } finally {
        peer.close();
      }
    });
    // fc.check is fc.assert without the throw: same seed/path handling, our own message.
    const details = await checkProperty(ctx, property, { numRuns: NUM_RUNS });
    ctx.note(`${details.numRuns} runs, seed ${details.seed}`);
  },
};

export const propertyCases = [repBacktraceProperty];
