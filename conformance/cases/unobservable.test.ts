/** The list of transitions no case walks names real, unwalked transitions, each with a reason. */
import { describe, expect, test } from "vitest";
import { allCases } from "./index.ts";

describe("the list of unwalked transitions", () => {
  test("names only real transitions that no case walks, each with a reason", async () => {
    const { unobservable } = await import("./unobservable.ts");
    const { allTransitions } = await import("../../spec/machines/index.ts");
    const ids = new Set(
      (Array.isArray(allTransitions) ? allTransitions : Object.values(allTransitions).flat()).map(
        (t: { id: string }) => t.id,
      ),
    );
    const walked = new Set(allCases.flatMap((c) => c.covers ?? []));
    for (const u of unobservable) {
      expect(ids.has(u.transition), u.transition).toBe(true);
      expect(walked.has(u.transition), `${u.transition} is walked by a case`).toBe(false);
      expect(u.reason.length).toBeGreaterThan(20);
    }
  });
});
