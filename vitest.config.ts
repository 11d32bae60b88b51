import { defineConfig } from "vitest/config";

// Every test worker runs with V8 natives (to assert fast mode and shared hidden
// classes) and an exposed gc (to prove dead objects are never reported).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores the
    // files ran one at a time (685 s). Two at once: 461 s, every test passing
    // at a load average of 4 (the tests assert no timing; their time-outs are
    // generous).
    maxWorkers: 2,
    execArgv: ["--allow-natives-syntax", "--expose-gc"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
