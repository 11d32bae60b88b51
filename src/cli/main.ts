/**
 * `metamorph <command>`: the command line.
 *
 *     metamorph dev [options] [node options] <entry> [--] [args…]
 *
 * runs a program and reloads its classes and functions in place when their
 * files are saved (see src/dev/runtime.ts). Exit codes: 0 done, 1 failed,
 * 2 usage error.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { DEV_USAGE, MAIN_USAGE, parseDevArguments, UsageError } from "./args.js";
import { styledWriter } from "./colour.js";
import { parseArgsMessage } from "./parseArgsMessage.js";
import { underSupervisor } from "./childProtocol.js";
import { cannotStart } from "./tsxLookup.js";
import { jsonError, USAGE_CODE, wantsJson } from "./commands/jsonOutput.js";

function version(): string {
  // package.json is two levels up from both src/cli and dist/cli.
  return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
}

/** The release commands, loaded only when one is run or listed (`dev` starts without them). */
const releaseCommands = () => import("./commands/index.js");

/**
 * A usage error: its line, then where the help is. The whole help after it
 * (~40 lines for dev) pushed the error off a small terminal.
 */
function usageError(command: string, message: string, json = false): number {
  if (json) jsonError({ code: USAGE_CODE, name: "CommandUsageError", message });
  else
    process.stderr.write(
      `${command}: ${message}\nrun ${command} --help for the ${command === "metamorph" ? "commands" : "options"}\n`,
    );
  return 2;
}

/** Returns an exit code when the command is over, or undefined while the program runs. */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === "dev") return dev(rest);
  const { RELEASE_COMMANDS, RELEASE_COMMANDS_USAGE } = await releaseCommands();
  const USAGE = MAIN_USAGE.replace("\n\noptions:", `\n${RELEASE_COMMANDS_USAGE}\noptions:`);
  if (command !== undefined && Object.hasOwn(RELEASE_COMMANDS, command))
    return RELEASE_COMMANDS[command]!(rest);
  // `metamorph --json` or `metamorph nosuch --json`: a script asked for JSON, the error is JSON too.
  const json = wantsJson(argv);
  let values: { help?: boolean; version?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        json: { type: "boolean" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    return usageError("metamorph", parseArgsMessage(error), json);
  }
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help || command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === undefined) return usageError("metamorph", "no command", json);
  if (command === "--json") {
    const named = positionals[0];
    const message = named ? `the command comes first: metamorph ${named} … --json` : "no command";
    return usageError("metamorph", message, json);
  }
  return usageError("metamorph", `unknown command "${command}"`, json);
}

async function dev(args: readonly string[]): Promise<number | undefined> {
  let parsed: ReturnType<typeof parseDevArguments>;
  try {
    parsed = parseDevArguments(args);
  } catch (error) {
    if (error instanceof UsageError) return usageError("metamorph dev", error.message, error.json);
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(DEV_USAGE);
    return 0;
  }
  if (parsed.entry === undefined) return usageError("metamorph dev", "no entry file");
  const write = styledWriter(process.stderr);
  const supervised = underSupervisor();
  if (!supervised && (parsed.restart || parsed.nodeOptions.length > 0)) {
    const problem = await cannotStart(parsed.entry);
    if (problem !== undefined) {
      write(problem);
      return 1;
    }
    const { withoutNodeOptions: args, nodeOptions, entry } = parsed;
    const { supervise } = await import("./supervisor.js");
    return supervise({ args, nodeOptions, entry, write, restart: parsed.restart });
  }
  const { runProgram } = await import("./runProgram.js");
  return runProgram({
    entry: parsed.entry,
    programArguments: parsed.programArguments,
    memory: parsed.memory,
    debounceMs: parsed.debounceMs,
    progressiveAbove: parsed.progressiveAbove,
    quiescenceTimeoutMs: parsed.quiescenceTimeoutMs,
    instanceFinder: parsed.instanceFinder,
    write,
    supervised: supervised && parsed.restart,
  });
}
