import { describe, expect, test } from "vitest";
import { runTarget } from "./runner.ts";
import { targets } from "./targets/index.ts";

/**
 * A small in-process run of every fuzz target (the full and `--quick` runs are
 * `npm run fuzz`): it keeps the targets compiling and passing in `npm test`.
 */
describe("fuzz targets (small in-process run)", () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  for (const t of targets) {
    test(`${t.name}: ${t.about}`, async () => {
      const r = await runTarget(t, t.async ? 300 : 2000, seed);
      expect(r.failure, `seed ${seed}`).toBeUndefined();
      expect(r.inputs).toBeGreaterThan(0);
    });
  }
});
