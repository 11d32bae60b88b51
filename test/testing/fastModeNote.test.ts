/**
 * Rollback and no-op compare V8's fast mode only when the process runs with
 * --allow-natives-syntax; without it the report says, in one line, that it
 * was not checked and how to check it, rather than passing silently.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { checkMigration } from "../../src/testing/index.js";

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const library = (path: string) => new URL(`../../src/${path}`, import.meta.url).href;

const Person = { name: "Person", fields: [{ name: "first", initializer: '""' }] };
const options = { numRuns: 10, seed: 7, properties: ["rollback", "no-op", "totality"] as const };

/** The report of a small check, from a process with the given V8 flags. */
function reportIn(flags: readonly string[]): string {
  const script = `
    import { patch } from ${JSON.stringify(library("index.ts"))};
    import { checkMigration, formatMigrationReport } from ${JSON.stringify(library("testing/index.ts"))};
    const p = patch("p").addField("Person", "last", { default: "" }).build();
    const report = await checkMigration(p, { classes: [${JSON.stringify(Person)}], ...${JSON.stringify(options)} });
    console.log(formatMigrationReport(report));
  `;
  const out = spawnSync(
    process.execPath,
    [...flags, "--import", tsx, "--input-type=module", "-e", script],
    { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
  );
  expect(out.status, out.stderr).toBe(0);
  return out.stdout;
}

describe("fast mode left unchecked", () => {
  test("without --allow-natives-syntax the report says so once, naming rollback and no-op; with it, nothing", async () => {
    const text = reportIn([]);
    const notes = text.split("\n").filter((line) => line.includes("fast mode"));
    expect(notes, text).toEqual([
      '  ℹ rollback, no-op: V8 fast mode not checked: run node with --allow-natives-syntax (Vitest: execArgv: ["--allow-natives-syntax"]) to check it',
    ]);
    expect(reportIn(["--allow-natives-syntax"])).not.toContain("fast mode");
    // This worker runs with natives (vitest.config.ts): the results carry no note.
    const p = patch("p").addField("Person", "last", { default: "" }).build();
    const report = await checkMigration(p, { classes: [Person], ...options });
    expect(report.properties.map((r) => r.unchecked)).toEqual([undefined, undefined, undefined]);
  });
});
