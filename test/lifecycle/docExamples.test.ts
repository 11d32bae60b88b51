import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { main as cooperative } from "./examples/cooperative.js";
import { main as explicit } from "./examples/explicit.js";
import { main as forcedQuiescence } from "./examples/forcedQuiescence.js";

// docs/lifecycle.md quotes these examples; running them keeps it true.
async function capture(run: (log: (line: string) => void) => Promise<void>) {
  const lines: string[] = [];
  await run((line) => lines.push(line));
  return lines;
}

describe("lifecycle documentation examples", () => {
  test("forced quiescence with a scheduled manager", async () => {
    expect(await capture(forcedQuiescence)).toEqual([
      "order 1: tea (v1)",
      "order 2: cake (v2)",
      "committed; straddled: 0; held calls: 1",
      "checking → preparing → waiting → applying → migrating → validating → committed",
    ]);
  });

  test("docs/lifecycle.md quotes the forced-quiescence example exactly, with the package's imports", () => {
    // A hand-copied version had drifted: a wrong import, and without the wait
    // for `waiting` it printed another story than the one the doc told.
    const file = readFileSync(new URL("./examples/forcedQuiescence.ts", import.meta.url), "utf8");
    const asPublished = file
      .replace(/^(\/\/.*\n)+/, "")
      .replace('"../../../src/index.js"', '"metamorph"')
      .replace('"../../../src/lifecycle/index.js"', '"metamorph/lifecycle"');
    const doc = readFileSync(new URL("../../docs/lifecycle.md", import.meta.url), "utf8");
    const quoted = /### Forced quiescence[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(quoted).toBe(asPublished);
  });

  test("cooperative components and private state", async () => {
    expect(await capture(cooperative)).toEqual([
      "ledger resumes (committed: true) with audit, recount",
      "committed: ada: 42 (4200 cents)",
      "ada: 43 (4300 cents)",
      "objects still holding v1's private fields: 1",
      "failed: MM_PRIVATE_STATE",
      "still works: true",
    ]);
  });

  test("update points with an explicit manager", async () => {
    expect(await capture(explicit)).toEqual([
      "shields: postponed (save the game first)",
      "shields: committed",
      "hp 100 + shield 0; hp 40 + shield 25",
      "retired: Player v1 → v2; still on the old layout: 0",
    ]);
  });
});
