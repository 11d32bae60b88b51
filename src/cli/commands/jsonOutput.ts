/**
 * `--json`: a command's output as JSON lines on stdout, for scripts — its
 * result, and every error too (usage, a file it cannot read, a key it
 * cannot use, no service at the socket), as one object with `code` and
 * `message`, the exit code the same as without `--json`. A script that
 * parses stdout must never meet the text a person reads instead.
 */

/** The code of a command line the command cannot read (exit 2). */
export const USAGE_CODE = "MM_USAGE";

export function jsonLine(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Whether `--json` is among a command's own arguments (before `--`), read before they are parsed. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

export interface ErrorLine {
  readonly code: string;
  readonly name?: string;
  readonly message: string;
  /** The request left: the service may have carried it out (exit 3). */
  readonly unknown?: boolean;
}

/** The error as the control channel words one: `{"type":"error","code",…,"message"}`. */
export function jsonError({ code, name, message, unknown }: ErrorLine): void {
  jsonLine({
    type: "error",
    code,
    ...(name !== undefined ? { name } : {}),
    message,
    ...(unknown ? { outcome: "unknown" } : {}),
  });
}
