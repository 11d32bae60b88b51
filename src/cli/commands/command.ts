/**
 * What every release command shares: reading its own options with
 * `node:util`'s `parseArgs` (a usage error names the flag and exits 2),
 * `--help`, the exit codes, and printing a typed refusal as its code and
 * message (exit 1).
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { ParseArgsConfig } from "node:util";
import { parseArgs } from "node:util";
import { MetamorphError } from "../../errors.js";
import { colourAllowed } from "../colour.js";
import { parseArgsMessage } from "../parseArgsMessage.js";
import { printable } from "../../release/printable.js";
import { MAX_TIMER_MS } from "../../release/readBundle.js";
import { BundleMalformedError, BundleOversizeError } from "../../release/errors.js";
import { paint } from "./paint.js";
import { jsonError, USAGE_CODE, wantsJson } from "./jsonOutput.js";

/** 0 done (committed), 1 refused, failed or postponed, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
/** The request reached the service, whose answer never came: it may have been carried out. */
export const EXIT_UNKNOWN = 3;

/** A command line the command cannot read: exit 2, with this message. */
export class CommandUsageError extends Error {
  override name = "CommandUsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface CommandSpec<O extends Options> {
  /** "apply", as in `metamorph apply`. */
  readonly name: string;
  readonly usage: string;
  readonly options: O;
  /** How many positional arguments the command takes (exactly). */
  readonly positionals: readonly string[];
  /** Options that must be given (by their long name). */
  readonly required?: readonly (keyof O & string)[];
}

export type Values<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : string;
};

export interface Parsed<O extends Options> {
  readonly values: Values<O>;
  readonly positionals: readonly string[];
  /** `--json`, which every command takes: its result and its errors as JSON lines (jsonOutput.ts). */
  readonly json: boolean;
}

function usageError(name: string, message: string, usage: string, json: boolean): number {
  if (json) jsonError({ code: USAGE_CODE, name: "CommandUsageError", message });
  else process.stderr.write(`metamorph ${name}: ${message}\n\n${usage}`);
  return EXIT_USAGE;
}

/**
 * Parses `args` for `spec`, then runs `body`. `--help` prints the usage
 * (exit 0); a usage error (unknown flag, missing value or argument) prints
 * it naming what is wrong (exit 2); a MetamorphError thrown by `body` is a
 * refusal (exit 1); anything else is printed as MM_INTERNAL (exit 1), not as a stack.
 * With `--json` each of these errors is one JSON line on stdout instead
 * (read from the arguments first, so that a usage error is one too).
 */
export async function runCommand<O extends Options>(
  spec: CommandSpec<O>,
  args: readonly string[],
  body: (parsed: Parsed<O>) => Promise<number>,
): Promise<number> {
  const json = wantsJson(args);
  let parsed: Parsed<O> | typeof HELP;
  try {
    parsed = parse(spec, args, json);
  } catch (error) {
    return usageError(
      spec.name,
      error instanceof CommandUsageError ? error.message : parseArgsMessage(error),
      spec.usage,
      json,
    );
  }
  if (parsed === HELP) {
    process.stdout.write(spec.usage);
    return EXIT_OK;
  }
  try {
    return await body(parsed);
  } catch (error) {
    if (error instanceof CommandUsageError)
      return usageError(spec.name, error.message, spec.usage, json);
    return failed(spec.name, error, json);
  }
}

const HELP = Symbol("help");

function parse<O extends Options>(
  spec: CommandSpec<O>,
  args: readonly string[],
  json: boolean,
): Parsed<O> | typeof HELP {
  const result = parseArgs({
    args: [...args],
    options: { ...spec.options, help: { type: "boolean", short: "h" }, json: { type: "boolean" } },
    strict: true,
    allowPositionals: true,
  });
  const values = result.values as Values<O> & { help?: boolean };
  if (values.help) return HELP;
  const { positionals } = result;
  if (positionals.length < spec.positionals.length) {
    throw new CommandUsageError(`missing ${spec.positionals[positionals.length]}`);
  }
  if (positionals.length > spec.positionals.length) {
    throw new CommandUsageError(
      `unexpected argument ${JSON.stringify(positionals[spec.positionals.length])}`,
    );
  }
  for (const option of spec.required ?? []) {
    if (values[option] === undefined) throw new CommandUsageError(`option --${option} is required`);
  }
  return { values, positionals, json };
}

/** An error escaping a command, printed with its code (or as JSON); the exit code. */
function failed(name: string, error: unknown, json: boolean): number {
  const refuse = (code: string, message: string, errorName?: string, unknown = false) => {
    if (json)
      jsonError({
        code,
        message,
        unknown,
        ...(errorName !== undefined ? { name: errorName } : {}),
      });
    else printRefusal(name, code, message);
  };
  if (error instanceof MetamorphError) {
    const unknown = error.details.outcome === "unknown";
    refuse(error.code, error.message, error.name, unknown);
    return unknown ? EXIT_UNKNOWN : EXIT_REFUSED;
  }
  const file = fileProblem(error);
  if (file !== undefined) {
    refuse(FILE_ACCESS, file);
    return EXIT_REFUSED;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    refuse(code, (error as Error).message);
    return EXIT_REFUSED;
  }
  return unexpected(error, refuse);
}

/**
 * Anything else escaping a command: a coded line, not Node's stack (which
 * METAMORPH_DEBUG=1 adds), and a non-zero exit. The code is the channel's
 * own for an error that is not a MetamorphError.
 */
function unexpected(error: unknown, refuse: (code: string, message: string) => void): number {
  const e = error as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  const what = `${typeof e?.name === "string" ? e.name : "Error"}: ${typeof e?.message === "string" ? e.message : String(error)}`;
  refuse(
    "MM_INTERNAL",
    `${what} (unexpected: please report it; METAMORPH_DEBUG=1 prints the stack)`,
  );
  if (process.env.METAMORPH_DEBUG && typeof e?.stack === "string")
    process.stderr.write(`${e.stack}\n`);
  return EXIT_REFUSED;
}

/** The code printed for a file a command cannot read or write. */
const FILE_ACCESS = "MM_FILE_ACCESS";

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EEXIST: "already exists",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/**
 * What went wrong with a file, for a person: `v2.bundle: no such file or
 * directory (ENOENT)`. Node's own text (`ENOENT: no such file…, open '…'`)
 * printed after the code repeated it, and carried no MM_ code to match on.
 */
function fileProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (typeof e?.code !== "string" || !/^E[A-Z]+$/.test(e.code) || typeof e.path !== "string") {
    return undefined;
  }
  return `${e.path}: ${FILE_ERRORS[e.code] ?? e.code.toLowerCase()} (${e.code})`;
}

/** A file a command was given that it does not read: not a regular file (a FIFO, a device). */
export class InputFileError extends MetamorphError {
  readonly code = FILE_ACCESS;
}

/**
 * The bytes of a bundle file a command was given, refused before they are
 * read when the file is not a regular one (a FIFO would block the read for
 * ever), larger than `maxBytes` (a 200 MB file is not read to be refused
 * later), or empty. Opened without blocking, then checked on the open file,
 * so that what is checked is what is read. Reading a directory fails with no
 * path in Node's error (EISDIR): it is added, so that the refusal names the
 * file (MM_FILE_ACCESS) like every other.
 */
export async function readInputFile(path: string, maxBytes: number): Promise<Buffer> {
  let file: FileHandle | undefined;
  try {
    file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const info = await file.stat();
    // A directory opens for reading: refused as reading it would be (EISDIR).
    if (info.isDirectory())
      throw Object.assign(new Error(`${path}: is a directory`), { code: "EISDIR", path });
    if (!info.isFile()) throw new InputFileError(`${path}: not a regular file`, { path });
    if (info.size > maxBytes) {
      throw new BundleOversizeError(
        `${path}: ${info.size} bytes, over the ${maxBytes} bytes a bundle may have; it was not read`,
        { path, size: info.size, maxBytes },
      );
    }
    if (info.size === 0) throw new BundleMalformedError(`${path}: the file is empty`, { path });
    return await file.readFile();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === "string" && e.path === undefined) e.path = path;
    throw error;
  } finally {
    await file?.close();
  }
}

/** `metamorph apply: error MM_…: message` on stderr, red on a terminal. */
export function printRefusal(name: string, code: string, message: string): void {
  const colour = colourAllowed(process.stderr);
  process.stderr.write(
    `metamorph ${name}: ${paint(colour, "red", `error ${printable(code)}`)}: ${printable(message)}\n`,
  );
}

/** A whole number of milliseconds (≥ 0) from option `--<option>`, or undefined when absent. */
export function milliseconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < 0 || n > MAX_TIMER_MS) {
    throw new CommandUsageError(
      `option --${option} needs a whole number of ms from 0 to ${MAX_TIMER_MS}, got "${value}"`,
    );
  }
  return n;
}
