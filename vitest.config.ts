import { defineConfig } from "vitest/config";

// Every test worker runs with V8 natives (to assert fast mode and shared hidden
// classes) and an exposed gc (to prove dead objects are never reported).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    execArgv: ["--allow-natives-syntax", "--expose-gc"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
