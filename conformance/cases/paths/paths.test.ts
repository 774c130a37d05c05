/**
 * Runs every `paths/` conformance case against the reference adapter, one
 * vitest test per case (named by its title), asserting the verdict expected
 * by conformance/expectations/reference.json (pass unless listed).
 * Seed: CONFORMANCE_SEED, or random (printed).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../../adapters/build.ts";
import { AdapterClient } from "../../adapters/client.ts";
import { executeCase } from "../../runner/execute.ts";
import { expectedVerdict, loadExpectations } from "../../runner/expectations.ts";
import { referenceAdapterCommand } from "../../runner/iuts.ts";
import { allCases } from "../index.ts";

const seed = process.env.CONFORMANCE_SEED
  ? Number(process.env.CONFORMANCE_SEED)
  : (Math.random() * 2 ** 31) | 0;
const expectations = loadExpectations("reference");
let client: AdapterClient;

describe(`Generated machine paths against the reference stack (seed ${seed})`, () => {
  beforeAll(async () => {
    client = await AdapterClient.start(referenceAdapterCommand(), { cwd: projectRoot });
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  for (const c of allCases.filter((x) => x.id.startsWith("paths/"))) {
    test(c.title, { timeout: (c.timeoutMs ?? 10000) + 5000 }, async () => {
      if (client.dead)
        client = await AdapterClient.start(referenceAdapterCommand(), { cwd: projectRoot });
      const o = await executeCase(c, client, { seed });
      const story = [`${c.id}: ${o.reason ?? o.verdict}`, o.transcript ?? "", o.stderr ?? ""].join(
        "\n",
      );
      expect(o.verdict, story).toBe(expectedVerdict(expectations, c.id));
    });
  }
});

describe("the path generator", () => {
  test("walks or explains every transition of the path machines, within the case budget", async () => {
    const { pathCases, pathUnobservable, pathHandledOutside, MAX_PATH_CASES } = await import(
      "./index.ts"
    );
    const { pairSlotTransitions, repTransitions, reqTransitions, surveyorTransitions } =
      await import("../../../spec/machines/index.ts");
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
