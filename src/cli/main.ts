/**
 * `metamorph <command>`: the command line. One command so far:
 *
 *     metamorph dev [--memory[=<n>]] [--debounce <ms>] <entry> [args…]
 *
 * runs a TypeScript or JavaScript program and reloads its classes and
 * functions in place when their files are saved (see src/dev/runtime.ts).
 */
import { register } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { HooksData } from "../dev/hooks.js";
import { PREFIX } from "../dev/reporter.js";
import { DevRuntime } from "../dev/runtime.js";

const USAGE = `usage: metamorph dev [--memory[=<n>]] [--debounce <ms>] <entry> [args…]

Runs <entry> (TypeScript or JavaScript, an ES module) and keeps it running
while you edit it: on save, the classes and functions of the changed module
are updated in place and every live instance is migrated to the new class.

  --memory[=<n>]    print the heap size (after a full GC) with every update,
                    or every <n>th update
  --debounce <ms>   wait this long after a change before reloading (default 40)
`;

/** Returns an exit code when the command is over, or undefined while the program runs. */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "dev") return dev(rest);
  process.stderr.write(`metamorph: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

async function dev(args: readonly string[]): Promise<number | undefined> {
  let memory = 0;
  let debounceMs: number | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--memory") memory = 1;
    else if (arg.startsWith("--memory=")) memory = Number(arg.slice("--memory=".length));
    else if (arg === "--debounce") debounceMs = Number(args[++i]);
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE);
      return 0;
    } else if (arg.startsWith("-")) {
      process.stderr.write(`metamorph dev: unknown option ${arg}\n\n${USAGE}`);
      return 2;
    } else break;
  }
  const entry = args[i];
  if (entry === undefined) {
    process.stderr.write(`metamorph dev: no entry file\n\n${USAGE}`);
    return 2;
  }
  if (!(Number.isInteger(memory) && memory >= 0)) {
    process.stderr.write("metamorph dev: --memory=<n> needs a whole number of updates\n");
    return 2;
  }
  if (debounceMs !== undefined && !(debounceMs >= 0)) {
    process.stderr.write("metamorph dev: --debounce needs a number of milliseconds\n");
    return 2;
  }
  if (memory > 0 && typeof (globalThis as { gc?: unknown }).gc !== "function") {
    setFlagsFromString("--expose-gc");
    (globalThis as { gc?: unknown }).gc = runInNewContext("gc");
  }
  process.setSourceMapsEnabled(true);
  const entryFile = resolve(entry);
  const runtime = new DevRuntime({ memory, ...(debounceMs === undefined ? {} : { debounceMs }) });
  runtime.install();
  const data: HooksData = { exclude: [new URL("../", import.meta.url).href] };
  register(new URL("../dev/hooks.ts", import.meta.url), { parentURL: import.meta.url, data });
  process.argv = [process.argv[0]!, entryFile, ...args.slice(i + 1)];
  process.stderr.write(
    `${PREFIX} dev: running ${entry}; save a file to update the running program\n`,
  );
  try {
    await import(pathToFileURL(entryFile).href);
  } catch (error) {
    process.stderr.write(
      `${PREFIX} ${entry} could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    runtime.close();
    return 1;
  }
  return undefined;
}
