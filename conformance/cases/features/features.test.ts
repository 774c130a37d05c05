/**
 * Runs every optional-feature conformance case against the reference adapter, one
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
import { featureCases as familyCases } from "./index.ts";

const seed = process.env.CONFORMANCE_SEED
  ? Number(process.env.CONFORMANCE_SEED)
  : (Math.random() * 2 ** 31) | 0;
const expectations = loadExpectations("reference");
let client: AdapterClient;

describe(`Optional-feature conformance of the reference stack (seed ${seed})`, () => {
  beforeAll(async () => {
    client = await AdapterClient.start(referenceAdapterCommand(), { cwd: projectRoot });
  });
  afterAll(async () => {
    await client?.shutdown();
  });

  for (const c of familyCases) {
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
