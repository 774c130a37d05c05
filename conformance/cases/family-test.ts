/**
 * One vitest suite per case family: runs every case whose id starts with
 * `<family>/` against the reference adapter, one test per case (named by its
 * id and title), and asserts the verdict that
 * conformance/expectations/reference.json expects (pass unless listed).
 * Seed: CONFORMANCE_SEED, or random (printed in the suite's name).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { projectRoot } from "../adapters/build.ts";
import { AdapterClient } from "../adapters/client.ts";
import { executeCase } from "../runner/execute.ts";
import { expectedVerdict, loadExpectations } from "../runner/expectations.ts";
import { referenceAdapterCommand } from "../runner/iuts.ts";
import { allCases } from "./index.ts";

export function testFamilyOnReference(family: string): void {
  const seed = process.env.CONFORMANCE_SEED
    ? Number(process.env.CONFORMANCE_SEED)
    : (Math.random() * 2 ** 31) | 0;
  const expectations = loadExpectations("reference");
  const cases = allCases.filter((c) => c.id.startsWith(`${family}/`));
  let client: AdapterClient | undefined;
  const start = () => AdapterClient.start(referenceAdapterCommand(), { cwd: projectRoot });

  describe(`${family}/ cases on the reference stack (seed ${seed})`, () => {
    beforeAll(async () => {
      client = await start();
    });
    afterAll(async () => {
      await client?.shutdown();
    });
    test("the family has cases", () => {
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const c of cases) {
      test(`${c.id}: ${c.title}`, { timeout: (c.timeoutMs ?? 10000) + 5000 }, async () => {
        if (!client || client.dead) client = await start();
        const o = await executeCase(c, client, { seed });
        const story = [`${c.id}: ${o.reason ?? o.verdict}`, o.transcript ?? "", o.stderr ?? ""];
        expect(o.verdict, story.join("\n")).toBe(expectedVerdict(expectations, c.id));
      });
    }
  });
}
