/**
 * Vitest configuration of the mutation run: only the in-process conformance
 * cases (conformance.mutation.ts), one file, no coverage provider (Stryker
 * measures coverage itself). Also usable alone to check the cases pass
 * in-process: `npx vitest run -c dev/mutation/vitest.config.ts`.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["dev/mutation/conformance.mutation.ts"],
    // Keep the imported reference between Stryker's runs (one per mutant): re-importing it
    // cost about 3 s a run. Mutants switch on at run time through a global, so the cached
    // modules serve every mutant; only static mutants need a fresh import, and the
    // Stryker config ignores those (ignoreStatic).
    isolate: false,
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
