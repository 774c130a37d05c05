/**
 * Every case's `covers` claims checked against what the reference really
 * does: each conformance case runs against the reference in this process with
 * the spec-machine transition recorder installed (tools/trace/walked.ts,
 * reference/core/spec-actor.ts), and a case fails here when it claims a
 * transition the reference did not walk while the case ran (CONTRACTS §1).
 *
 * Cases run four at a time (transitions are attributed by the async context
 * the actor was made in; ws:// and wss:// cases run alone, see
 * needsToRunAlone). Seed: CONFORMANCE_SEED, or 1. A case that cannot be
 * traced in-process (it starts a second IUT process) must claim no
 * transitions; any other untraced case (one that failed in-process) fails
 * the last test. The full table: `npx tsx tools/trace/covers.ts`.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CaseWalk, TransitionWalker } from "../../tools/trace/walked.ts";
import { allCases } from "./index.ts";

const seed = process.env.CONFORMANCE_SEED ? Number(process.env.CONFORMANCE_SEED) : 1;
const SIBLING = /second IUT process/;
const walks = new Map<string, CaseWalk>();
let walker: TransitionWalker | undefined;

describe(`covers claims walked by the reference (seed ${seed})`, () => {
  beforeAll(async () => {
    walker = new TransitionWalker();
    const all = await walker.runAll(allCases, { seed, lanes: 4 });
    for (const w of all) walks.set(w.id, w);
  }, 300_000);
  afterAll(async () => {
    await walker?.close();
  });

  for (const c of allCases) {
    test(c.id, () => {
      const w = walks.get(c.id);
      if (!w) throw new Error(`${c.id} did not run`);
      if (w.untraced !== undefined && SIBLING.test(w.untraced)) {
        // Nothing can be checked for it, so it may claim nothing.
        expect(
          c.covers ?? [],
          `${c.id} cannot be traced (${w.untraced}); it must not claim transitions`,
        ).toEqual([]);
        return;
      }
      const message = w.missing
        .map(
          (id) =>
            `${c.id} claims ${id} in covers, but the reference did not walk it while the case ran (walked: ${w.walked.join(" ") || "nothing"})`,
        )
        .join("\n");
      expect(w.missing, message).toEqual([]);
    });
  }

  test("every case is traced, except those that start a second IUT process", () => {
    const untraced = [...walks.values()]
      .filter((w) => w.untraced !== undefined && !SIBLING.test(w.untraced))
      .map((w) => `${w.id}: ${w.untraced}`);
    expect(untraced).toEqual([]);
    expect(walks.size).toBe(allCases.length);
  });
});
