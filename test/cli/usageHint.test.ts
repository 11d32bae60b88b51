/**
 * A usage error is its line and a pointer to the help, not the ~40-line
 * help itself, which pushed the error off a small terminal (review, L3).
 * The exit code stays 2.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { CLI, removeDir } from "../dev/support.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "metamorph-usage-hint-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "main.mjs"), "console.log('ran');\n");
});

afterAll(() => {
  if (dir) removeDir(dir);
});

function metamorph(args: readonly string[]) {
  const result = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: "" },
    encoding: "utf8",
    timeout: 30_000,
    input: "",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test.each([
  [["dev", "--bogus", "main.mjs"], "metamorph dev: unknown option --bogus"],
  [["dev", "--debounce", "main.mjs"], "metamorph dev: option --debounce needs a whole number"],
  [["dev"], "metamorph dev: no entry file"],
])(
  "metamorph %j: the error, then one line saying where the help is",
  (args, first) => {
    const result = metamorph(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n");
    expect(lines[0]).toContain(first);
    expect(lines.slice(1)).toEqual(["run metamorph dev --help for the options", ""]);
  },
  30_000,
);

test("metamorph with an unknown command or option: the error, then where the commands are", () => {
  for (const args of [["deploy"], ["--bogus"], []]) {
    const result = metamorph(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toMatch(/^metamorph: /);
    expect(lines.slice(1)).toEqual(["run metamorph --help for the commands", ""]);
  }
}, 30_000);
