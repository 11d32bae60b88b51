/**
 * The command line's conventions (issue 11, item 6): `--version`, `--help`
 * for each command, usage errors (exit 2) that name the bad argument, one
 * line for a missing entry, `--` before the program's own arguments, Node
 * options reaching the program, colour only on a terminal without NO_COLOR,
 * and the one-line hint when tsx is missing for a TypeScript entry.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { colourAllowed, colourLine } from "../../src/cli/colour.js";
import { findTsx } from "../../src/cli/runProgram.js";
import { CLI, REPO, removeDir } from "../dev/support.js";

let dir: string;

/** Runs `metamorph …` to its end (bounded): exit code and output. */
function metamorph(args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    encoding: "utf8",
    timeout: 30_000,
    input: "",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "metamorph-cli-"));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(dir, "args.mjs"),
    'import { getHeapStatistics } from "node:v8";\n' +
      "const heapLimit = getHeapStatistics().heap_size_limit;\n" +
      "console.log(JSON.stringify({ args: process.argv.slice(2), execArgv: process.execArgv, heapLimit }));\n",
  );
});

afterAll(() => {
  if (dir) removeDir(dir);
});

describe("metamorph command line", () => {
  test("--version prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const result = metamorph(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  }, 30_000);

  test("--help for the command and for dev", () => {
    const main = metamorph(["--help"]);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^usage: metamorph <command>/);
    const dev = metamorph(["dev", "--help"]);
    expect(dev.code).toBe(0);
    expect(dev.stdout).toMatch(/^usage: metamorph dev \[options\]/);
    expect(dev.stdout).toMatch(/--no-restart/);
  }, 30_000);

  test("usage errors exit 2 and name what is wrong", () => {
    const unknown = metamorph(["dev", "--frobnicate", "args.mjs"]);
    expect(unknown.code).toBe(2);
    // One line naming the option, as every command says it (Node's own text left a quote open).
    expect(unknown.stderr.split("\n")[0]).toBe("metamorph dev: unknown option --frobnicate");
    const unknownMain = metamorph(["--frobnicate"]);
    expect(unknownMain.code).toBe(2);
    expect(unknownMain.stderr.split("\n")[0]).toBe("metamorph: unknown option --frobnicate");
    const missing = metamorph(["dev", "--debounce"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe("metamorph dev: option --debounce needs a value");
    const notANumber = metamorph(["dev", "--debounce", "soon", "args.mjs"]);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr.split("\n")[0]).toMatch(
      /--debounce needs a whole number from 0 to 2147483647, got "soon"/,
    );
    // Node's timers fire at once past 2^31 - 1 ms: a longer wait is refused, not shortened.
    for (const [option, value] of [
      ["--debounce", "2147483648"],
      ["--quiescence-timeout", "2147483648"],
      ["--quiescence-timeout", "0"],
    ]) {
      const outOfRange = metamorph(["dev", option!, value!, "args.mjs"]);
      expect(outOfRange.code).toBe(2);
      expect(outOfRange.stderr.split("\n")[0]).toMatch(
        new RegExp(
          `${option} needs a whole number from ${option === "--debounce" ? 0 : 1} to 2147483647, got "${value}"`,
        ),
      );
    }
    const noEntry = metamorph(["dev"]);
    expect(noEntry.code).toBe(2);
    expect(noEntry.stderr.split("\n")[0]).toBe("metamorph dev: no entry file");
    const command = metamorph(["deploy"]);
    expect(command.code).toBe(2);
    expect(command.stderr.split("\n")[0]).toBe('metamorph: unknown command "deploy"');
  }, 60_000);

  test("a missing entry file is one line, not a stack trace", () => {
    for (const options of [[], ["--no-restart"]]) {
      const result = metamorph(["dev", ...options, "nowhere.ts"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("[metamorph] dev: nowhere.ts: no such file\n");
    }
  }, 30_000);

  test("arguments after the entry, or after --, are the program's own", () => {
    const after = metamorph(["dev", "--no-restart", "args.mjs", "--help", "x"]);
    expect(JSON.parse(after.stdout).args).toEqual(["--help", "x"]);
    const separated = metamorph(["dev", "--no-restart", "args.mjs", "--", "--version"]);
    expect(JSON.parse(separated.stdout).args).toEqual(["--version"]);
  }, 60_000);

  test("Node options before the entry, and NODE_OPTIONS, reach the program", () => {
    const given = metamorph(["dev", "--max-old-space-size=123", "args.mjs"]);
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout).execArgv).toContain("--max-old-space-size=123");
    expect(JSON.parse(given.stdout).heapLimit).toBeLessThan(200 * 1024 * 1024);
    const environment = metamorph(["dev", "args.mjs"], {
      NODE_OPTIONS: "--max-old-space-size=124",
    });
    expect(environment.code).toBe(0);
    expect(JSON.parse(environment.stdout).heapLimit).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  test("Node's command-line-only profilers reach the program: --cpu-prof writes its profile where --cpu-prof-dir says", () => {
    const profiles = join(dir, "profiles");
    const result = metamorph(["dev", "--cpu-prof", "--cpu-prof-dir", profiles, "args.mjs", "x"]);
    expect(result.code).toBe(0);
    const { args, execArgv } = JSON.parse(result.stdout);
    expect(args).toEqual(["x"]);
    expect(execArgv).toEqual(expect.arrayContaining(["--cpu-prof", "--cpu-prof-dir", profiles]));
    expect(readdirSync(profiles).some((name) => name.endsWith(".cpuprofile"))).toBe(true);
  }, 60_000);

  test("colour only on a terminal, never with NO_COLOR", () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(colourAllowed({ isTTY: true })).toBe(true);
      expect(colourAllowed({ isTTY: false })).toBe(false);
      expect(colourAllowed({})).toBe(false);
      process.env.NO_COLOR = "1";
      expect(colourAllowed({ isTTY: true })).toBe(false);
      process.env.NO_COLOR = "";
      expect(colourAllowed({ isTTY: true })).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
    expect(colourLine("[metamorph] a.ts:1:2: error: x")).toContain("\u001b[");
    // Piped (as here): no escape codes at all.
    const piped = metamorph(["dev", "--no-restart", "nowhere.ts"], { FORCE_COLOR: "1" });
    expect(piped.stderr).not.toContain("\u001b[");
  }, 30_000);

  test("tsx is looked up where the program can have it; a TypeScript entry without it gets one line", async () => {
    expect(await findTsx([pathToFileURL(join(dir, "args.mjs")).href])).toBeUndefined();
    expect(await findTsx([pathToFileURL(join(REPO, "package.json")).href])).toBeDefined();
  });
});
