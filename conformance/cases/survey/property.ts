/**
 * Property: for random bodies and random backtraces (0..7 hop words, random
 * survey ids), an IUT RESPONDENT that echoes the body returns the backtrace
 * unchanged. Seeded from `--seed`; a failure names the seed and
 * counterexample path, replayable with `--seed N --replay PATH`.
 */
import fc from "fast-check";
import { concat, hex, request, sameBytes, words } from "../../harness/sp.ts";
import { checkProperty } from "../common/property.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { RESPONDENT_TCP, respondentListening, surveyorPeer, T } from "./common.ts";

const NUM_RUNS = 30;

const arbSurvey = fc.record({
  hops: fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 7 }),
  id: fc.integer({ min: 0x80000000, max: 0xffffffff }),
  body: fc.uint8Array({ maxLength: 512 }),
});

export const respondentBacktraceProperty: ConformanceCase = {
  id: "survey/respondent-backtrace-property",
  title: "Random bodies and backtraces round-trip through RESPONDENT unchanged (property)",
  requirements: ["SP-SURVEY-19", "SP-SURVEY-2", "SP-SURVEY-17", "SP-TCP-8"],
  kind: "property",
  needs: RESPONDENT_TCP,
  covers: ["respondent:idle:deliver", "respondent:holding:send"],
  timeoutMs: 30000,
  async run(ctx: CaseContext) {
    const { respondent, url } = await respondentListening(ctx);
    let n = 0;
    const property = fc.asyncProperty(arbSurvey, async (m) => {
      // A fresh connection per run keeps runs independent while shrinking.
      const peer = await surveyorPeer(ctx, url, `run${++n}`);
      try {
        peer.sendFrame(request(m));
        const got = await respondent.recv({ timeoutMs: T.prompt });
        if (!sameBytes(got, m.body)) throw new Error(`delivered ${hex(got)}, sent ${hex(m.body)}`);
        await respondent.send(got, { timeoutMs: T.prompt });
        const answer = await peer.readFrame(T.prompt);
        const expected = concat(words(...m.hops, m.id), m.body);
        if (!sameBytes(answer, expected)) {
          throw new Error(`response ${hex(answer)} differs from ${hex(expected)}`);
        }
      } finally {
        peer.close();
      }
    });
    const details = await checkProperty(ctx, property, { numRuns: NUM_RUNS });
    ctx.note(`${details.numRuns} runs, seed ${details.seed}`);
  },
};

export const surveyPropertyCases = [respondentBacktraceProperty];
