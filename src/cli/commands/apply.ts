/**
 * `metamorph apply <bundle> --to <socket|pid> [--json]`: sends a bundle to a
 * running service, which verifies it, checks its release and applies it
 * through the lifecycle, streaming progress back. Exit 0 committed; 1
 * refused (a typed error before the lifecycle), failed, rolled back or
 * postponed (nothing changed); 2 usage.
 */
import { colourAllowed } from "../colour.js";
import type { ProgressMessage } from "../../release/index.js";
import {
  CommandUsageError,
  EXIT_UNKNOWN,
  milliseconds,
  readInputFile,
  runCommand,
} from "./command.js";
import { describeProgress } from "./applyProgress.js";
import { MAX_PREPARED_EXPIRY_MS } from "../../release/protocol.js";
import { bundleText, MAX_BUNDLE_BYTES } from "../../release/readBundle.js";
import { callService, NOT_DONE, TO_HELP, TO_OPTION } from "./control.js";

export const APPLY_USAGE = `usage: metamorph apply <bundle> --to <socket|pid> [--json] [--timeout <ms>]
       metamorph apply <bundle> --prepare [--expires-in <ms>] --to <socket|pid>
       metamorph apply --commit <id> | --abort <id> --to <socket|pid>

Sends a bundle (from metamorph pack) to a running service. The service
verifies the signature against the keys it trusts, checks that it runs the
bundle's from-release, and applies it (quiescence, migration, validation,
commit), streaming progress. Exit 0 when committed; 1 when refused, failed
or postponed, with nothing changed in the service; 2 for a usage error; 3
when the request reached the service but no answer came (the update may
still be carried out: check metamorph status).
Sent to a cluster's primary, it updates every worker as one transaction.

The two phases as separate steps, to update several hosts together:
--prepare verifies, checks, compiles and dry-runs the bundle (every worker of
a cluster) and leaves the update waiting under an id, which it prints;
--commit <id> applies it, --abort <id> drops it. A prepared update that is
neither committed nor aborted within --expires-in (default 60000 ms) is
aborted by itself.

options:
${TO_HELP}
  --timeout <ms>     give up waiting for the answer after this (default 120000)
  --prepare          phase one only: print the id of the prepared update
  --expires-in <ms>  abort the prepared update by itself after this
                     (1 to 3600000)
  --commit <id>      phase two: apply the update prepared under <id>
  --abort <id>       drop the update prepared under <id>
  -h, --help         show this help
`;

const OPTIONS = {
  ...TO_OPTION,
  timeout: { type: "string" },
  prepare: { type: "boolean" },
  "expires-in": { type: "string" },
  commit: { type: "string" },
  abort: { type: "string" },
} as const;

const SPEC = {
  name: "apply",
  usage: APPLY_USAGE,
  options: OPTIONS,
  positionals: ["<bundle>"],
  required: ["to"],
} as const;

/** `--commit <id>` and `--abort <id>` take no bundle. */
const FINISH_SPEC = { ...SPEC, positionals: [] } as const;

type Answer = Readonly<Record<string, unknown>>;

/**
 * A lazy or progressive update migrates few objects in its commit and the
 * rest on first use or in the sweep: "0 objects migrated" read as if none
 * would be, so the count so far is given with it.
 */
function migratedText(m: Answer): string {
  const inCommit = Number(m.migrated ?? 0);
  const soFar = typeof m.migratedSoFar === "number" ? m.migratedSoFar : inCommit;
  const objects = (n: number) => `${n} object${n === 1 ? "" : "s"}`;
  return soFar > inCommit
    ? `${objects(soFar)} migrated so far (${inCommit} in the commit)`
    : `${objects(inCommit)} migrated`;
}

export function committed(m: Answer): string {
  const straddled =
    typeof m.straddled === "number" && m.straddled > 0
      ? `; ${m.straddled} call${m.straddled === 1 ? "" : "s"} running at the commit finish on the old code (straddled)`
      : "";
  return `committed: ${String(m.fromVersion)} → ${String(m.toVersion)}, running ${String(m.version)}; ${migratedText(m)}, ${String(m.pending)} pending, pause ${Number(m.pauseMs).toFixed(2)} ms${straddled}`;
}

/**
 * The code printed for an update that ended without committing and without
 * a typed error of its own, by the status it ended in (each is in
 * docs/refusals.md, as every code the command prints).
 */
const STATUS_CODES: Readonly<Record<string, string>> = {
  "rolled-back": "MM_UPDATE_ROLLED_BACK",
  failed: "MM_UPDATE_FAILED",
  postponed: "MM_UPDATE_POSTPONED",
  cancelled: "MM_UPDATE_CANCELLED",
};

/** The refusal line of an update that did not commit: its code, its status and reason, said once. */
export function failure(m: Answer): { code: string; message: string } {
  const error = m.error as { code?: string; message?: string } | undefined;
  const status = String(m.status);
  const reason = m.reason === undefined ? "" : String(m.reason);
  // The reason usually quotes the error (a validation report): print it once.
  const extra = error?.message && !reason.includes(error.message) ? `\n${error.message}` : "";
  // A cluster's answer has a version only when every worker runs the same one.
  const running =
    m.version !== undefined
      ? `still running ${String(m.version)}`
      : "every worker stays on its release";
  return {
    code: error?.code ?? STATUS_CODES[status] ?? NOT_DONE,
    message: `${status}, ${running}${reason ? `: ${reason}` : ""}${extra}`,
  };
}

/** `--expires-in`, checked here against the bound the service enforces, so that the flag is named. */
function expiry(value: string | undefined): number | undefined {
  const ms = milliseconds(value, "expires-in");
  if (ms !== undefined && (ms < 1 || ms > MAX_PREPARED_EXPIRY_MS)) {
    throw new CommandUsageError(
      `option --expires-in needs a whole number of ms from 1 to ${MAX_PREPARED_EXPIRY_MS}, got "${value}"`,
    );
  }
  return ms;
}

/** A worker's error: its code, and its message unless the reason above quoted it (a validation report, once). */
function workerError(w: Answer, said: string): string {
  const error = w.error as Answer | undefined;
  if (!error) return "";
  const message = String(error.message);
  return ` (${String(error.code)}${said.includes(message) ? "" : `: ${message}`})`;
}

function workerLines(m: Answer): string {
  const workers = m.workers as readonly Answer[] | undefined;
  if (!Array.isArray(workers)) return "";
  const said = `${String(m.reason ?? "")}\n${String((m.error as Answer | undefined)?.message ?? "")}`;
  const lines = workers.map(
    (w) =>
      `\n  worker ${String(w.pid)}: ${String(w.outcome)}${typeof w.pauseMs === "number" ? `, pause ${w.pauseMs.toFixed(2)} ms` : ""}${w.version ? `, running ${String(w.version)}` : ""}${workerError(w, said)}${typeof w.note === "string" ? ` — ${w.note}` : ""}`,
  );
  return lines.join("");
}

/**
 * The engine's warnings, one a line after the result: the update committed,
 * but each names something the program may trip on (a timer's closure
 * calling a method the release removed, say), so it must not pass as clean.
 */
export function warningLines(m: Answer): string {
  const warnings = Array.isArray(m.warnings) ? (m.warnings as readonly Answer[]) : [];
  if (warnings.length === 0) return "";
  const lines = warnings.map((w) => {
    const where = Array.isArray(w.workers) ? ` [worker ${w.workers.join(", ")}]` : "";
    return `\nWARNING ${String(w.code)}${where}: ${String(w.message)}`;
  });
  const n = warnings.length;
  return `${lines.join("")}\n${n} warning${n === 1 ? "" : "s"}: the update committed; read ${n === 1 ? "it" : "them"}, and roll back (metamorph rollback) if the program cannot live with ${n === 1 ? "it" : "them"}`;
}

function prepared(m: Answer): string {
  return `${String(m.id)}\nprepared: waits for apply --commit ${String(m.id)} or --abort, until ${String(m.expiresAt)}${workerLines(m)}`;
}

/**
 * Ctrl-C while the service works on a request: the request has left, and
 * the service carries it on without this command, so its outcome is
 * unknown here (exit 3, as for an answer that never came).
 */
function interruptible<T>(work: () => Promise<T>): Promise<T> {
  const interrupted = () => {
    process.stderr.write(
      "metamorph apply: interrupted; the update may still be carried out; check `metamorph status`\n",
    );
    process.exit(EXIT_UNKNOWN);
  };
  process.once("SIGINT", interrupted);
  return work().finally(() => process.off("SIGINT", interrupted));
}

export function apply(args: readonly string[]): Promise<number> {
  return interruptible(() => applyCommand(args));
}

function applyCommand(args: readonly string[]): Promise<number> {
  const finishing = args.some((a) => /^--(commit|abort)(=|$)/.test(a));
  return runCommand(finishing ? FINISH_SPEC : SPEC, args, async ({ values, positionals }) => {
    const timeoutMs = milliseconds(values.timeout, "timeout");
    // 0 would give up before the service could answer anything.
    if (timeoutMs === 0)
      throw new CommandUsageError(`option --timeout needs a whole number of ms from 1, got "0"`);
    const expiresInMs = expiry(values["expires-in"]);
    const colour = colourAllowed(process.stderr);
    const common = {
      name: "apply",
      to: values.to!,
      json: values.json === true,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      describeProgress: (message: ProgressMessage) => describeProgress(message, colour),
      describeFailure: (m: Answer) => {
        const f = failure(m);
        return { ...f, message: f.message + workerLines(m) };
      },
    };
    if (values.commit !== undefined && values.abort !== undefined) {
      throw new CommandUsageError("--commit and --abort exclude each other");
    }
    const id = values.commit ?? values.abort;
    if (id !== undefined) {
      const command = values.commit !== undefined ? "commit" : "abort";
      return callService({
        ...common,
        command,
        send: (client, onProgress) => client.request({ command, id }, onProgress),
        describeResult: (m) =>
          command === "commit"
            ? committed(m) + workerLines(m) + warningLines(m)
            : `aborted ${id}${workerLines(m)}`,
      });
    }
    // Read as bytes and checked strictly: a byte that is not UTF-8 is refused, not replaced.
    const text = bundleText(await readInputFile(positionals[0]!, MAX_BUNDLE_BYTES));
    if (values.prepare) {
      return callService({
        ...common,
        command: "prepare",
        send: (client, onProgress) =>
          client.request(
            { command: "prepare", bundle: text, ...(expiresInMs ? { expiresInMs } : {}) },
            onProgress,
          ),
        describeResult: prepared,
      });
    }
    if (expiresInMs !== undefined) throw new CommandUsageError("--expires-in goes with --prepare");
    return callService({
      ...common,
      command: "apply",
      send: (client, onProgress) => client.apply(text, onProgress),
      describeResult: (m) => committed(m) + workerLines(m) + warningLines(m),
    });
  });
}
