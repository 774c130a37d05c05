// StrykerJS configuration of the mutation run (dev/mutation/README.md).
// dev/mutation/main.ts passes this file by path and adds `mutate` (the scope's
// files, scope.ts) and the report locations; it also works alone:
//   npx stryker run dev/mutation/stryker.config.mjs --mutate reference/protocol/pair1/header.ts
// (then MUTATION_PROTOCOLS picks the cases, default scope when unset).

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner", "./dev/mutation/ignore-messages.mjs"],
  // Error message texts are not mutated (see ignore-messages.mjs).
  ignorers: ["sp-messages"],
  vitest: {
    // Only the in-process conformance cases run; they import the whole reference, so
    // finding "related" test files per mutated file would only cost time.
    configFile: "dev/mutation/vitest.config.ts",
    related: false,
  },
  // Each mutant runs only the cases that executed it during the dry run.
  coverageAnalysis: "perTest",
  // Static mutants (code run only while a module loads) would need a fresh import of the
  // reference per mutant, which the vitest config avoids (isolate: false); they are
  // reported as Ignored and left out of the score.
  ignoreStatic: true,
  // The machine is shared: at most two test-runner processes.
  concurrency: 2,
  // The reference is timer-driven (resend, linger, back-off); a loaded box stretches cases.
  timeoutMS: 10000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
  checkers: [],
  reporters: ["json", "html", "clear-text", "progress-append-only"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  clearTextReporter: {
    allowColor: false,
    logTests: false,
    maxTestsToLog: 0,
    reportScoreTable: true,
  },
  // Stryker rewrites the tsconfig it is pointed at through the TypeScript JS API, which
  // TypeScript 7 (the native port this repository uses) no longer has. No project path
  // in tsconfig.json needs rewriting, so point it at a file that does not exist.
  tsconfigFile: "dev/mutation/no-tsconfig.json",
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // Only what the cases need is copied into the sandbox.
  ignorePatterns: ["/build", "/dist", "/.cache", "/reports", "/rfc", "/BENCHMARKS.md"],
  thresholds: { high: 90, low: 75, break: null },
  logLevel: "info",
  fileLogLevel: "off",
};
