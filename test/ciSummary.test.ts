/**
 * `.ci/run`'s closing line, read from vitest's JSON report
 * (scripts/test-summary.mjs). It added `numFailedTestSuites` — which counts
 * the describe blocks around a failing test too — to the failing tests: 4
 * failing tests printed "11 failed". A file that fails without a failing
 * test (it did not load) still counts, once.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

const SCRIPT = new URL("../scripts/test-summary.mjs", import.meta.url).pathname;

function summary(report: object): { line: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), "metamorph-summary-"));
  const file = join(dir, "vitest.json");
  writeFileSync(file, JSON.stringify(report));
  try {
    const line = execFileSync(process.execPath, [SCRIPT, file], { encoding: "utf8" }).trim();
    return { line, status: 0 };
  } catch (error) {
    const e = error as { stdout: string; status: number };
    return { line: e.stdout.trim(), status: e.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const file = (status: string, tests: string[]) => ({
  status,
  assertionResults: tests.map((s) => ({ status: s })),
});

test("each failing test counts once, whatever the describe blocks around it", () => {
  expect(
    summary({
      numPassedTests: 3,
      numFailedTests: 2,
      numFailedTestSuites: 5,
      numPendingTests: 1,
      testResults: [file("failed", ["passed", "failed"]), file("failed", ["failed", "passed"])],
    }),
  ).toEqual({ line: "3 passed, 2 failed, 1 skipped", status: 1 });
});

test("a file that failed without a failing test counts once; all passing exits 0", () => {
  expect(
    summary({
      numPassedTests: 4,
      numFailedTests: 0,
      numFailedTestSuites: 1,
      testResults: [file("failed", []), file("passed", ["passed"])],
    }),
  ).toEqual({ line: "4 passed, 1 failed", status: 1 });
  expect(
    summary({ numPassedTests: 4, numFailedTests: 0, testResults: [file("passed", ["passed"])] }),
  ).toEqual({ line: "4 passed, 0 failed", status: 0 });
});
