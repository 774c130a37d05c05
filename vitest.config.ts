import { readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * The family suites (conformance/cases/<family>/<family>.test.ts) run every
 * case against the reference, which `npm test` already does through the
 * runner (the three-IUT matrix, with the same expectations). They stay for
 * working on one family (`npm run test:cases -- conformance/cases/pair`) and
 * are left out of the plain `vitest run`. Other tests beside the cases (of
 * their helpers) run as usual.
 */
const families = readdirSync(new URL("conformance/cases/", import.meta.url), {
  withFileTypes: true,
})
  .filter((d) => d.isDirectory())
  .map((d) => `conformance/cases/${d.name}/${d.name}.test.ts`);
const familySuites = process.env.SP_CASE_TESTS ? [] : families;

export default defineConfig({
  test: {
    include: ["{tools,reference,conformance,spcat,dev,tests,testkit}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**", ...familySuites],
    // Most tests wait on sockets, timers and child processes, not the CPU:
    // two workers on a 2-core machine keep it busy without starving peers.
    maxWorkers: 2,
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
