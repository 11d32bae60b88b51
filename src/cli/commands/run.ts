/**
 * `metamorph run [--trust <public key>…] [--control <path>] [--release <v>] <entry> [-- args]`:
 * runs an unmodified service with its classes managed — the loader and
 * runtime `metamorph dev` uses, without watching any file — and opens its
 * control channel (`listen`) so that `metamorph apply` can update it. The
 * classes are registered in the runtime's namespace under their own names,
 * so a bundle's patches name them as the code does (`Counter`).
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { MetamorphError } from "../../errors.js";
import { DevRuntime } from "../../dev/index.js";
import { readPublicKeyFile } from "../../release/index.js";
import { keyFileWarnings } from "../../release/keyFiles.js";
import { openControl } from "./runControl.js";
import { installProgramLoader } from "../programLoader.js";
import { findTsx } from "../runProgram.js";
import { OWN_EXTENSION, TYPESCRIPT_ENTRY } from "../tsxLookup.js";
import { EXIT_OK, EXIT_REFUSED, runCommand } from "./command.js";

export const RUN_USAGE = `usage: metamorph run --trust <public key> [--trust <key>…] [--control <path>] [--release <version>] [--name <name>] [--root <dir>] [--track-calls] [--json] <entry> [--] [program arguments…]

Runs a service (JavaScript, or TypeScript with tsx installed) with its
classes managed, and opens a control socket through which metamorph apply,
status, rollback and permanent update it while it runs. Nothing is watched:
the service changes only through signed bundles.

options:
  --trust <file>       a public key (PEM, from metamorph keygen) whose bundles
                       the service applies; repeat for several (required)
  --control <path>     the control socket (default: <runtime dir>/metamorph/<pid>.sock)
  --release <version>  the release the code on disk is (default: 0)
  --name <name>        the service's name, which a bundle packed with
                       --namespace must give (default: dev); tells one
                       service's bundles from another's
  --root <dir>         the directory a bundle's top-level functions name their
                       modules relative to, as metamorph diff named them
                       (default: the entry's directory)
  --track-calls        track the calls of every class from start-up, so that
                       forced quiescence waits for calls already running at
                       the first update too; each call of a managed method
                       then costs a wrapper and an AsyncLocalStorage context
                       (measured ~70 ns against ~3), and a method that never
                       returns (a poll loop) keeps its class from quiescence
  --json               print an error that keeps the service from starting
                       as one JSON object (code, message) on stdout
  -h, --help           show this help
`;

const SPEC = {
  name: "run",
  usage: RUN_USAGE,
  options: {
    trust: { type: "string", multiple: true },
    control: { type: "string" },
    release: { type: "string" },
    name: { type: "string" },
    root: { type: "string" },
    "track-calls": { type: "boolean" },
  },
  positionals: ["<entry>"],
  required: ["trust"],
} as const;

/** The service could not be started (no such entry, TypeScript without tsx): exit 1. */
class ServiceStartError extends MetamorphError {
  readonly code = "MM_RUN_START";
}

const TAKES_VALUE = new Set(["--trust", "--control", "--release", "--name", "--root"]);

/** Splits the arguments: ours (up to the entry), the entry, the program's (after it, or after `--`). */
function split(args: readonly string[]): { ours: string[]; program: string[] } {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      return {
        ours: [...args.slice(0, i), ...args.slice(i + 1, i + 2)],
        program: args.slice(i + 2),
      };
    }
    if (!arg.startsWith("-") || arg === "-") {
      const program = args.slice(i + 1);
      return {
        ours: args.slice(0, i + 1),
        program: program[0] === "--" ? program.slice(1) : program,
      };
    }
    if (TAKES_VALUE.has(arg)) i++;
  }
  return { ours: [...args], program: [] };
}

/** Starts the service; resolves with an exit code only when it could not start (it runs on otherwise). */
export async function run(args: readonly string[]): Promise<number | undefined> {
  const { ours, program } = split(args);
  let started = false;
  const code = await runCommand(SPEC, ours, async ({ values, positionals }) => {
    const entryFile = resolve(positionals[0]!);
    if (!existsSync(entryFile)) {
      throw new ServiceStartError(`${positionals[0]}: no such file`, { entry: positionals[0] });
    }
    const trustFiles = values.trust as unknown as string[];
    const trust = await Promise.all(trustFiles.map(readPublicKeyFile));
    for (const file of trustFiles) {
      for (const warning of await keyFileWarnings(file, "public"))
        process.stderr.write(`metamorph run: warning: ${warning}\n`);
    }
    const { port1, port2 } = new MessageChannel();
    const runtime = new DevRuntime({ watch: false, sources: port1 }).install();
    if (TYPESCRIPT_ENTRY.test(entryFile) && OWN_EXTENSION !== ".ts") {
      const tsx = await findTsx([import.meta.url, pathToFileURL(entryFile).href]);
      if (!tsx) {
        throw new ServiceStartError(
          `${positionals[0]} is TypeScript, which needs tsx: npm install -D tsx`,
          { entry: positionals[0] },
        );
      }
      tsx.esm.register();
      tsx.cjs.register();
    }
    installProgramLoader(runtime, port2);
    const control = await openControl({
      args,
      trust,
      namespace: runtime.namespace,
      version: values.release ?? "0",
      ...(values.name !== undefined ? { name: values.name } : {}),
      modules: runtime.serviceModules(resolve(values.root ?? dirname(entryFile))),
      ...(values.control !== undefined ? { path: values.control } : {}),
      trackCalls: values["track-calls"] === true,
    });
    process.argv = [process.argv[0]!, entryFile, ...program];
    try {
      await import(pathToFileURL(entryFile).href);
    } catch (error) {
      process.stderr.write(
        `metamorph run: ${positionals[0]} could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await control.close();
      return EXIT_REFUSED;
    }
    try {
      control.started();
    } catch (error) {
      // Not left on the code on disk while the cluster runs a later release.
      const code = (error as { code?: unknown }).code;
      process.stderr.write(
        `metamorph run: ${typeof code === "string" ? `${code}: ` : ""}${error instanceof Error ? error.message : String(error)}; stopping this worker\n`,
      );
      await control.close();
      process.exit(EXIT_REFUSED);
    }
    started = true;
    return EXIT_OK;
  });
  return started ? undefined : code;
}
