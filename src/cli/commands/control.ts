/**
 * What the commands that talk to a running service share: the `--to`
 * target (a socket path, or a process id whose default socket controlPath
 * finds), one request, and the answer printed for a person or, with
 * `--json`, as the channel's own JSON lines. Exit 0 when the service did it,
 * 1 when it refused or could not be reached.
 */
import type { FinalMessage, ProgressMessage } from "../../release/index.js";
import { connect, controlPath } from "../../release/index.js";
import { printable } from "../../release/printable.js";
import { CommandUsageError, EXIT_OK, EXIT_REFUSED, printRefusal } from "./command.js";
import { jsonLine } from "./jsonOutput.js";

/** The code of a command the service answered without doing, and without a code of its own. */
export const NOT_DONE = "MM_REFUSED";

export const TO_OPTION = { to: { type: "string" }, json: { type: "boolean" } } as const;

export const TO_HELP = `  --to <socket|pid>  the service: its control socket, or its process id
                     (then the socket is <runtime dir>/metamorph/<pid>.sock)
  --json             print the service's answer as JSON lines (and any
                     error as one JSON object with code and message)`;

export interface ControlCall {
  /** The request sent (apply's phases are "prepare", "commit", "abort"). */
  readonly command: string;
  /** The command the person typed, which messages name (default: `command`). */
  readonly name?: string;
  readonly to: string;
  readonly json: boolean;
  readonly timeoutMs?: number;
  /** Sends the request; progress lines arrive through the callback. */
  readonly send: (
    client: ReturnType<typeof connect>,
    onProgress: (message: ProgressMessage) => void,
  ) => Promise<FinalMessage>;
  /** A progress line for a person (on stderr); undefined prints nothing. */
  readonly describeProgress?: (message: ProgressMessage) => string | undefined;
  /** The successful answer for a person (on stdout). */
  readonly describeResult: (message: FinalMessage & { readonly type: "result" }) => string;
  /** The exit code of an answer the service gave as done (default 0): a cluster whose workers disagree is not. */
  readonly exitCode?: (message: FinalMessage & { readonly type: "result" }) => number;
  /** What to add to a refusal for a person: the validation report, the status reached. */
  readonly describeFailure?: (message: FinalMessage & { readonly type: "result" }) => {
    readonly code: string;
    readonly message: string;
  };
}

/** A refusal without a describer of its own: the service's code and reason, never a bare "not done". */
export function notDone(command: string, final: Readonly<Record<string, unknown>>) {
  const error = final.error as { code?: unknown; message?: unknown } | undefined;
  const reason = typeof final.reason === "string" ? final.reason : undefined;
  const said = reason ?? (typeof error?.message === "string" ? error.message : undefined);
  return {
    code: typeof error?.code === "string" ? error.code : NOT_DONE,
    message: said ?? `${command} was not done (the service gave no reason)`,
  };
}

/** Sends one request to the service and prints the answer; returns the exit code. */
export async function callService(call: ControlCall): Promise<number> {
  if (call.to.trim() === "")
    throw new CommandUsageError("option --to needs a process id or a socket path");
  const client = connect(controlPath(call.to), {
    ...(call.timeoutMs !== undefined ? { timeoutMs: call.timeoutMs } : {}),
  });
  const onProgress = (message: ProgressMessage) => {
    if (call.json) return jsonLine(message);
    const line = call.describeProgress?.(message);
    if (line !== undefined) process.stderr.write(`${printable(line)}\n`);
  };
  // Not reached, or answered out of bounds: a typed error runCommand prints (as JSON with --json).
  const final = await call.send(client, onProgress);
  if (call.json) jsonLine(final);
  if (final.type === "error") {
    if (!call.json) printRefusal(call.name ?? call.command, final.code, final.message);
    return EXIT_REFUSED;
  }
  if (final.ok) {
    if (!call.json) process.stdout.write(`${printable(call.describeResult(final))}\n`);
    return call.exitCode?.(final) ?? EXIT_OK;
  }
  if (!call.json) {
    const failure = call.describeFailure?.(final) ?? notDone(call.command, final);
    printRefusal(call.name ?? call.command, failure.code, failure.message);
  }
  return EXIT_REFUSED;
}
