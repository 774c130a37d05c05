/**
 * The machine-path generator walks or explains every transition of the REQ,
 * REP, SURVEYOR and PAIR slot machines within its case budget (the generated
 * cases themselves run with their families: reqrep/, survey/, pair/).
 */
import { describe, expect, test } from "vitest";

describe("the path generator", () => {
  test("walks or explains every transition of the path machines, within the case budget", async () => {
    const { pathCases, pathUnobservable, pathHandledOutside, MAX_PATH_CASES } = await import(
      "./paths.ts"
    );
    const { pairSlotTransitions, repTransitions, reqTransitions, surveyorTransitions } =
      await import("../../spec/machines/index.ts");
    const walked = new Set(pathCases.flatMap((c) => c.covers ?? []));
    const explained = new Set(
      [...pathUnobservable, ...pathHandledOutside].map((u) => u.transition),
    );
    const rows = [
      ...reqTransitions,
      ...repTransitions,
      ...surveyorTransitions,
      ...pairSlotTransitions,
    ];
    const missing = rows
      .filter((r) => r.event !== "entry" && !walked.has(r.id) && !explained.has(r.id))
      .map((r) => r.id);
    expect(missing).toEqual([]);
    expect(pathCases.length).toBeLessThanOrEqual(MAX_PATH_CASES);
    for (const u of [...pathUnobservable, ...pathHandledOutside]) {
      expect(u.reason.length).toBeGreaterThan(20);
    }
  });
});
