/**
 * The command line of `metamorph dev`, read with `node:util`'s `parseArgs`:
 * metamorph's options and Node's options (anything Node accepts in
 * NODE_OPTIONS, such as `--inspect` or `--enable-source-maps`) before the
 * entry; everything after the entry (or after `--`) belongs to the program.
 */
import { parseArgs } from "node:util";
// finder.ts imports nothing: the supervisor's start-up stays light.
import { type InstanceFinderChoice, isInstanceFinderChoice } from "../mop/instances/finder.js";
import { parseArgsMessage } from "./parseArgsMessage.js";

/** A command line metamorph cannot read: exit 2, with this message (as JSON when `json`: --json was given). */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly json = false,
  ) {
    super(message);
  }
}

export interface DevArguments {
  readonly help: boolean;
  /** Print the heap every n-th update (0: never). */
  readonly memory: number;
  readonly debounceMs: number | undefined;
  /** Reloads touching more instances than this migrate progressively (undefined: the default). */
  readonly progressiveAbove: number | undefined;
  /** How long a reload waits for calls in flight of the classes it changes (ms). */
  readonly quiescenceTimeoutMs: number | undefined;
  /** How reloads find instances (undefined: the runtime's default). */
  readonly instanceFinder: InstanceFinderChoice | undefined;
  readonly restart: boolean;
  /** Options for the Node process that runs the program. */
  readonly nodeOptions: readonly string[];
  readonly entry: string | undefined;
  readonly programArguments: readonly string[];
  /** The arguments again without the Node options (for the program's process). */
  readonly withoutNodeOptions: readonly string[];
}

const DEV_OPTIONS = {
  help: { type: "boolean", short: "h" },
  memory: { type: "string" },
  debounce: { type: "string" },
  "progressive-above": { type: "string" },
  "quiescence-timeout": { type: "string" },
  "instance-finder": { type: "string" },
  "no-restart": { type: "boolean" },
} as const;

/** metamorph options that take a value as the next argument. */
const TAKES_VALUE = new Set([
  "--debounce",
  "--memory",
  "--progressive-above",
  "--quiescence-timeout",
  "--instance-finder",
]);
/** Node options that take a value as the next argument (the rest use `=`). */
const NODE_TAKES_VALUE = new Set([
  "-r",
  "--require",
  "--import",
  "--loader",
  "--experimental-loader",
  "-C",
  "--conditions",
  "--env-file",
  "--title",
  "--input-type",
  "--cpu-prof-dir",
  "--cpu-prof-name",
  "--cpu-prof-interval",
]);

/**
 * Node's profiling options, which Node accepts on its command line but not in
 * NODE_OPTIONS (so `allowedNodeEnvironmentFlags` does not list them); the
 * program's process is started with them like any other Node option.
 */
const NODE_COMMAND_LINE_ONLY = new Set([
  "--cpu-prof",
  "--cpu-prof-dir",
  "--cpu-prof-name",
  "--cpu-prof-interval",
  "--prof",
]);

const isNodeOption = (arg: string) => {
  const flag = arg.split("=")[0]!;
  return (
    !(flag in DEV_OPTIONS_BY_FLAG) &&
    (process.allowedNodeEnvironmentFlags.has(flag) || NODE_COMMAND_LINE_ONLY.has(flag))
  );
};

const DEV_OPTIONS_BY_FLAG: Record<string, true> = Object.fromEntries([
  ...Object.keys(DEV_OPTIONS).map((name) => [`--${name}`, true]),
  ["-h", true],
]);

/** Splits `metamorph dev` arguments: [ours, Node's, entry, the program's]. */
function split(args: readonly string[]) {
  const ours: string[] = [];
  const node: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const target = isNodeOption(arg) ? node : ours;
    // `--memory` alone means every update; it takes an optional value.
    if (arg === "--memory" && (args[i + 1] === undefined || !/^\d+$/.test(args[i + 1]!))) {
      ours.push("--memory=1");
      continue;
    }
    target.push(arg);
    const takesValue = target === node ? NODE_TAKES_VALUE.has(arg) : TAKES_VALUE.has(arg);
    if (takesValue && i + 1 < args.length) target.push(args[++i]!);
  }
  const entry = args[i];
  let rest = args.slice(i + 1);
  if (rest[0] === "--") rest = rest.slice(1);
  return { ours, node, entry, rest };
}

/** The longest delay Node's timers take (a longer one fires at once). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function wholeNumber(
  value: string | undefined,
  option: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    const range =
      max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` ≥ ${min}` : "";
    throw new UsageError(`option ${option} needs a whole number${range}, got "${value}"`);
  }
  return n;
}

export function parseDevArguments(args: readonly string[]): DevArguments {
  const parts = split(args);
  try {
    return devArguments(parts);
  } catch (error) {
    // dev prints no JSON, but a script that gave it --json reads the error as JSON.
    if (error instanceof UsageError && parts.ours.includes("--json"))
      throw new UsageError(error.message, true);
    throw error;
  }
}

function devArguments({ ours, node, entry, rest }: ReturnType<typeof split>): DevArguments {
  let values: { [K in keyof typeof DEV_OPTIONS]?: string | boolean };
  try {
    ({ values } = parseArgs({
      args: ours,
      options: DEV_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  const finder = values["instance-finder"] as string | undefined;
  if (finder !== undefined && !isInstanceFinderChoice(finder)) {
    throw new UsageError(
      `option --instance-finder needs registry, heap or adaptive, got "${finder}"`,
    );
  }
  return {
    help: values.help === true,
    instanceFinder: finder,
    memory: wholeNumber(values.memory as string | undefined, "--memory", 1) ?? 0,
    debounceMs: wholeNumber(
      values.debounce as string | undefined,
      "--debounce",
      0,
      LONGEST_TIMER_MS,
    ),
    progressiveAbove: wholeNumber(
      values["progressive-above"] as string | undefined,
      "--progressive-above",
      0,
    ),
    quiescenceTimeoutMs: wholeNumber(
      values["quiescence-timeout"] as string | undefined,
      "--quiescence-timeout",
      1,
      LONGEST_TIMER_MS,
    ),
    restart: values["no-restart"] !== true,
    nodeOptions: node,
    entry,
    programArguments: rest,
    withoutNodeOptions: [...ours, ...(entry === undefined ? [] : [entry, "--", ...rest])],
  };
}

export const MAIN_USAGE = `usage: metamorph <command> [options]

commands:
  dev <entry>     run a program and update it in place when its files are saved

options:
  -h, --help      show this help (metamorph <command> --help for a command's)
  --version       print metamorph's version
`;

export const DEV_USAGE = `usage: metamorph dev [options] [node options] <entry> [--] [program arguments…]

Runs <entry> (JavaScript, or TypeScript with tsx installed; an ES module or
CommonJS) and keeps it running while you edit it: on save, the classes and
functions of the changed module are updated in place and every live instance
is migrated to the new class.

options:
  --memory[=<n>]    print the heap size (after a full GC) with every update,
                    or every <n>th update
  --debounce <ms>   wait this long after a change before reloading (default 40)
  --progressive-above <n>
                    reloads whose classes have more than <n> instances
                    migrate them progressively, between the program's own
                    tasks, with a progress line (default 50000)
  --quiescence-timeout <ms>
                    how long a reload of a class with calls in flight (an
                    async method awaiting) holds new calls and waits for
                    those to finish before it gives up, changing nothing
                    (default 5000)
  --instance-finder <registry|heap|adaptive>
                    how reloads find live objects (default: adaptive, the
                    library's): registry records each construction, which
                    keeps temporaries alive until the end of their job; heap
                    costs nothing at construction but makes each reload
                    query the heap; adaptive is the registry until the
                    program makes 1,024 managed objects in one job, then
                    the heap
  --no-restart      never restart the program (by default it restarts when an
                    edit cannot be applied live, and after a start-up failure
                    once a file is saved); type rs + Enter to restart by hand
  -h, --help        show this help

Node options (--inspect, --enable-source-maps, --max-old-space-size=…, and the
profilers: --cpu-prof, --cpu-prof-dir …, --prof) before the entry are passed to
the Node process that runs the program; NODE_OPTIONS works too (except for the
profilers, which Node takes only on its command line). Arguments after the entry (or after --) are the program's own.
`;
