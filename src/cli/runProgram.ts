import { relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MessageChannel } from "node:worker_threads";
import { PREFIX } from "../dev/prefix.js";
import type { InstanceFinderChoice } from "../mop/instances/finder.js";
import { installProgramLoader } from "./programLoader.js";
import { releaseSupervisorChannel, tellSupervisor } from "./childProtocol.js";
import { cannotStart, findTsx, OWN_EXTENSION, TYPESCRIPT_ENTRY, type TsxApi } from "./tsxLookup.js";

export { findTsx } from "./tsxLookup.js";

export interface ProgramOptions {
  readonly entry: string;
  readonly programArguments: readonly string[];
  readonly memory: number;
  readonly debounceMs: number | undefined;
  readonly progressiveAbove: number | undefined;
  readonly quiescenceTimeoutMs: number | undefined;
  readonly instanceFinder: InstanceFinderChoice | undefined;
  readonly write: (line: string) => void;
  /** A supervisor restarts the program (./supervisor.ts): ask it to, instead of keeping an old version. */
  readonly supervised: boolean;
}

/**
 * tsx's registration APIs for a TypeScript entry, from metamorph's own
 * dependencies or the program's; undefined when none is needed (run from
 * source, this process already runs under tsx).
 */
async function tsxFor(entryFile: string): Promise<TsxApi | undefined> {
  if (OWN_EXTENSION === ".ts" || !TYPESCRIPT_ENTRY.test(entryFile)) return undefined;
  return findTsx([import.meta.url, pathToFileURL(entryFile).href]);
}

function exposeGc(): void {
  if (typeof (globalThis as { gc?: unknown }).gc === "function") return;
  setFlagsFromString("--expose-gc");
  (globalThis as { gc?: unknown }).gc = runInNewContext("gc");
}

/** A line rewritten in place on a terminal (never coloured); undefined ends it. */
function overwriteLine(stream: NodeJS.WriteStream): (line: string | undefined) => void {
  return (line) => stream.write(line === undefined ? "\r\u001b[2K" : `\r\u001b[2K${line}`);
}

/** A start-up error: a syntax error as its one line, anything else with its stack. */
function startError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof SyntaxError && /^\S+:\d+:\d+: /.test(error.message)) return error.message;
  return transformErrors(error) ?? error.stack ?? error.message;
}

/**
 * What TypeScript's compiler (esbuild, under tsx) could not read, as
 * `file:line:column: message` (the column counted from 1, as editors do),
 * without the compiler's stack; undefined for any other error. Read from
 * the message: the error reaches the program's thread from tsx's loader
 * thread as a name, a message and a stack only.
 */
function transformErrors(error: Error): string | undefined {
  if (error.name !== "TransformError") return undefined;
  const found = [...error.message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)].map(
    ([, file, line, column, text]) =>
      `${relative(process.cwd(), file!) || file}:${line}:${Number(column) + 1}: ${text}`,
  );
  return found.length > 0 ? found.join("; ") : undefined;
}

/** Starts the program; returns an exit code when it could not start, undefined while it runs. */
export async function runProgram(options: ProgramOptions): Promise<number | undefined> {
  const entryFile = resolve(options.entry);
  const problem = await cannotStart(options.entry);
  if (problem !== undefined) {
    options.write(problem);
    return 1;
  }
  // Both loaded side by side, and before any hook is registered: once tsx's
  // hooks are in, every module this process imports is resolved and loaded by
  // a round trip to the hooks thread (the dev runtime's ~50 modules cost
  // ~20 ms more that way on a hello-world's start-up).
  const [{ DevRuntime }, tsx] = await Promise.all([import("../dev/runtime.js"), tsxFor(entryFile)]);
  tsx?.esm.register();
  tsx?.cjs.register();
  if (options.memory > 0) exposeGc();
  process.setSourceMapsEnabled(true);
  const { port1, port2 } = new MessageChannel();
  const runtime = new DevRuntime({
    memory: options.memory,
    sources: port1,
    write: options.write,
    ...(options.supervised
      ? { restart: (reason: string) => tellSupervisor({ type: "restart", reason }) }
      : {}),
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.progressiveAbove === undefined
      ? {}
      : { progressiveAbove: options.progressiveAbove }),
    ...(options.quiescenceTimeoutMs === undefined
      ? {}
      : { quiescenceTimeoutMs: options.quiescenceTimeoutMs }),
    ...(options.instanceFinder === undefined ? {} : { instanceFinder: options.instanceFinder }),
    ...(process.stderr.isTTY ? { overwrite: overwriteLine(process.stderr) } : {}),
  });
  runtime.install();
  installProgramLoader(runtime, port2);
  process.argv = [process.argv[0]!, entryFile, ...options.programArguments];
  options.write(
    `${PREFIX} dev: running ${options.entry}; save a file to update the running program`,
  );
  try {
    await import(pathToFileURL(entryFile).href);
  } catch (error) {
    options.write(`${PREFIX} ${options.entry} could not start: ${startError(error)}`);
    runtime.close();
    if (options.supervised) {
      tellSupervisor({ type: "start-failed", files: [entryFile, ...runtime.files] });
    }
    releaseSupervisorChannel();
    return 1;
  }
  if (options.supervised) {
    tellSupervisor({ type: "started", files: [entryFile, ...runtime.files] });
    // So that a crash of the updated code can be said to follow this update.
    runtime.onReport = (report) => {
      if (report.outcome !== "updated") return;
      tellSupervisor({ type: "updated", file: report.file, files: [entryFile, ...runtime.files] });
    };
  }
  releaseSupervisorChannel();
  return undefined;
}
