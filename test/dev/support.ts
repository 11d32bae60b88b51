/**
 * Helpers for the live-reload tests: a temporary copy of an example or a
 * program of the test's own, a child
 * process whose output lines can be awaited (bounded waits, clear failures),
 * and atomic file writes (the watcher never sees a half-written file).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(REPO, "src/cli/bin.ts");
/** The `metamorph` command from source: Node arguments that run it (the package runs dist/cli/bin.js). */
export const CLI = ["--import", import.meta.resolve("tsx"), BIN] as const;

/** A fresh copy of `examples/<name>` in the system's temporary directory. */
export function copyExample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `metamorph-${name}-`));
  cpSync(join(REPO, "examples", name), dir, {
    recursive: true,
    filter: (source) => !source.includes("node_modules"),
  });
  return dir;
}

/**
 * A program of the test's own in a fresh temporary directory: a package.json
 * of the given module type and `files` (name → text).
 */
export function tempProject(
  name: string,
  files: Record<string, string>,
  type: "module" | "commonjs" = "module",
): string {
  const dir = mkdtempSync(join(tmpdir(), `metamorph-${name}-`));
  writeFileSync(join(dir, "package.json"), `{ "type": "${type}" }\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Registers `hook` (afterAll or afterEach) to stop the program and remove the
 * folder that `made()` names when it runs: the test file's own variables,
 * read then, so each test may replace them (stopping twice is harmless).
 */
export function stopAndRemoveAfter(
  hook: (cleanUp: () => Promise<void>) => void,
  made: () => { readonly program?: Running | undefined; readonly dir?: string | undefined },
): void {
  hook(async () => {
    const { program, dir } = made();
    await program?.stop();
    if (dir) removeDir(dir);
  });
}

/** Writes a file in one step (write a sibling, then rename over it). */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Rewrites a file with `edit`, failing if the edit changes nothing (a wrong pattern in the test). */
export function editFile(file: string, edit: (text: string) => string): void {
  const before = readFileSync(file, "utf8");
  const after = edit(before);
  if (after === before) throw new Error(`test edit of ${file} changed nothing`);
  writeAtomically(file, after);
}

export class Lines {
  readonly all: string[] = [];
  #partial = "";
  #waiters: (() => void)[] = [];

  push(chunk: string): void {
    const text = this.#partial + chunk;
    const parts = text.split("\n");
    this.#partial = parts.pop()!;
    this.all.push(...parts);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Waits for a line (after index `from`) that matches; fails with the lines seen after `timeoutMs`. */
  async waitFor(
    pattern: RegExp,
    options: { from?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<string> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.all.slice(from).find((l) => pattern.test(l));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${options.what ?? pattern}; lines since:\n${this.all.slice(from).join("\n")}`,
        );
      }
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolveWait();
        });
      });
    }
  }
}

export interface Running {
  readonly child: ChildProcess;
  /** Writes a line to the program's standard input (when started with `stdin: true`). */
  send(line: string): void;
  readonly stdout: Lines;
  readonly stderr: Lines;
  stop(): Promise<void>;
}

export function run(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
  options: { stdin?: boolean } = {},
): Running {
  const child = spawn(process.execPath, [...args], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const stdout = new Lines();
  const stderr = new Lines();
  child.stdout!.setEncoding("utf8").on("data", (c: string) => stdout.push(c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => stderr.push(c));
  return {
    child,
    send: (line) => child.stdin!.write(`${line}\n`),
    stdout,
    stderr,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}

/**
 * The end of a child program the dev tests talk to: it evaluates each line
 * of stdin and answers `=> <JSON>` (read back with `ask`). The program must
 * import `createInterface` from "node:readline".
 */
export const ANSWER_STDIN = `createInterface({ input: process.stdin }).on("line", (line) => {
  console.log("=> " + JSON.stringify((0, eval)(line)));
});`;

/** Sends `expression` to a program ending with ANSWER_STDIN and returns its answer. */
export async function ask(running: Running, expression: string): Promise<unknown> {
  const from = running.stdout.all.length;
  running.send(expression);
  const line = await running.stdout.waitFor(/^=> /, { from, what: `the answer to ${expression}` });
  return JSON.parse(line.slice(3));
}

/** `metamorph dev --no-restart main.ts` on a fresh project of `files`, once it has printed `ready`. */
export async function startDev(
  name: string,
  files: Record<string, string>,
): Promise<{ dir: string; program: Running }> {
  const dir = tempProject(name, files);
  const program = run([...CLI, "dev", "--no-restart", "main.ts"], dir, {}, { stdin: true });
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
  return { dir, program };
}

/** Edits `file` with `change`, waits for the program's stderr to show `expected`, and answers what it printed there since. */
export async function saveAndWait(
  program: Running,
  file: string,
  change: (text: string) => string,
  expected: RegExp,
): Promise<string[]> {
  const from = program.stderr.all.length;
  editFile(file, change);
  await program.stderr.waitFor(expected, { from, what: `the reaction to ${expected}` });
  return program.stderr.all.slice(from);
}
