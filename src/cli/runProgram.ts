/**
 * Running the program of `metamorph dev` in this process: tsx when the entry
 * is TypeScript, the dev loader (../dev/hooks) and the dev runtime, then the
 * entry itself. Module URLs are built from this file's own URL, so the same
 * code works from the compiled package (dist/cli/*.js beside dist/dev/*.js)
 * and from source (src/cli/*.ts, run through tsx).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MessageChannel } from "node:worker_threads";
import type { HooksData } from "../dev/hooks.js";
import { PREFIX } from "../dev/reporter.js";
import { DevRuntime } from "../dev/runtime.js";

export interface ProgramOptions {
  readonly entry: string;
  readonly programArguments: readonly string[];
  readonly memory: number;
  readonly debounceMs: number | undefined;
  readonly write: (line: string) => void;
}

/** `.ts` here, `.js` in the compiled package. */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
const TYPESCRIPT_ENTRY = /\.(ts|mts|cts|tsx)$/;

/**
 * Registers tsx (ES modules and `require`), from metamorph's own dependencies
 * or the program's; false when it is not installed.
 */
async function registerTsx(entryFile: string): Promise<boolean> {
  // Run from source, this process already runs under tsx.
  if (OWN_EXTENSION === ".ts") return true;
  for (const load of [
    () => import("tsx/esm/api"),
    () => importFrom(entryFile, "tsx", "./esm/api"),
  ]) {
    try {
      const esm = (await load()) as { register(): unknown };
      const cjs = createRequire(entryFile)("tsx/cjs/api") as { register(): unknown };
      esm.register();
      cjs.register();
      return true;
    } catch {
      // Not installed there: try the next place.
    }
  }
  return false;
}

/**
 * Imports a package's subpath as the program's own `import` would, from the
 * program's folder: `require.resolve` would pick the package's CommonJS
 * build of an ES module API (tsx's `esm/api` then fails to load its parts).
 */
async function importFrom(file: string, name: string, subpath: string): Promise<unknown> {
  const manifest = createRequire(file).resolve(`${name}/package.json`);
  const { exports } = JSON.parse(readFileSync(manifest, "utf8")) as {
    exports?: Record<string, { import?: string | { default?: string } } | string>;
  };
  const target = exports?.[subpath];
  const path =
    typeof target === "string"
      ? target
      : typeof target?.import === "string"
        ? target.import
        : target?.import?.default;
  if (!path) throw new Error(`${name} has no ES module export ${subpath}`);
  return import(pathToFileURL(join(dirname(manifest), path)).href);
}

function exposeGc(): void {
  if (typeof (globalThis as { gc?: unknown }).gc === "function") return;
  setFlagsFromString("--expose-gc");
  (globalThis as { gc?: unknown }).gc = runInNewContext("gc");
}

/** Starts the program; returns an exit code when it could not start, undefined while it runs. */
export async function runProgram(options: ProgramOptions): Promise<number | undefined> {
  const entryFile = resolve(options.entry);
  if (!existsSync(entryFile)) {
    options.write(`${PREFIX} dev: ${options.entry}: no such file`);
    return 1;
  }
  if (TYPESCRIPT_ENTRY.test(entryFile) && !(await registerTsx(entryFile))) {
    options.write(
      `${PREFIX} dev: ${options.entry} is TypeScript, which needs tsx: npm install -D tsx`,
    );
    return 1;
  }
  if (options.memory > 0) exposeGc();
  process.setSourceMapsEnabled(true);
  const { port1, port2 } = new MessageChannel();
  const runtime = new DevRuntime({
    memory: options.memory,
    sources: port1,
    write: options.write,
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
  });
  runtime.install();
  const data: HooksData = { exclude: [new URL("../", import.meta.url).href], port: port2 };
  register(new URL(`../dev/hooks${OWN_EXTENSION}`, import.meta.url), {
    parentURL: import.meta.url,
    data,
    transferList: [port2],
  });
  process.argv = [process.argv[0]!, entryFile, ...options.programArguments];
  options.write(
    `${PREFIX} dev: running ${options.entry}; save a file to update the running program`,
  );
  try {
    await import(pathToFileURL(entryFile).href);
  } catch (error) {
    options.write(
      `${PREFIX} ${options.entry} could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    runtime.close();
    return 1;
  }
  return undefined;
}
