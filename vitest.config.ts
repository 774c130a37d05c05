import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{tools,reference,conformance,spcat,dev,tests,testkit}/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
