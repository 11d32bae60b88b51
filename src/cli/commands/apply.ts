/**
 * `metamorph apply <bundle> --to <socket|pid> [--json]`: sends a bundle to a
 * running service, which verifies it, checks its release and applies it
 * through the lifecycle, streaming progress back. Exit 0 committed; 1
 * refused (a typed error before the lifecycle), failed, rolled back or
 * postponed (nothing changed); 2 usage.
 */
import { readFile } from "node:fs/promises";
import { colourAllowed } from "../colour.js";
import { milliseconds, runCommand } from "./command.js";
import { describeProgress } from "./applyProgress.js";
import { callService, TO_HELP, TO_OPTION } from "./control.js";

export const APPLY_USAGE = `usage: metamorph apply <bundle> --to <socket|pid> [--json] [--timeout <ms>]

Sends a bundle (from metamorph pack) to a running service. The service
verifies the signature against the keys it trusts, checks that it runs the
bundle's from-release, and applies it (quiescence, migration, validation,
commit), streaming progress. Exit 0 when committed; 1 when refused, failed
or postponed, with nothing changed in the service; 2 for a usage error.

options:
${TO_HELP}
  --timeout <ms>     give up waiting for the answer after this (default 120000)
  -h, --help         show this help
`;

const SPEC = {
  name: "apply",
  usage: APPLY_USAGE,
  options: { ...TO_OPTION, timeout: { type: "string" } },
  positionals: ["<bundle>"],
  required: ["to"],
} as const;

type Answer = Readonly<Record<string, unknown>>;

function committed(m: Answer): string {
  return `committed: ${String(m.fromVersion)} → ${String(m.toVersion)}, running ${String(m.version)}; ${String(m.migrated)} objects migrated, ${String(m.pending)} pending, pause ${Number(m.pauseMs).toFixed(2)} ms`;
}

function failure(m: Answer): { code: string; message: string } {
  const error = m.error as { code?: string; message?: string } | undefined;
  const reason = m.reason === undefined ? "" : `: ${String(m.reason)}`;
  return {
    code: error?.code ?? `MM_UPDATE_${String(m.status).toUpperCase().replace(/-/g, "_")}`,
    message: `${String(m.status)}${reason}; still running ${String(m.version)}${error?.message && error.message !== m.reason ? `\n${error.message}` : ""}`,
  };
}

export function apply(args: readonly string[]): Promise<number> {
  return runCommand(SPEC, args, async ({ values, positionals }) => {
    const timeoutMs = milliseconds(values.timeout, "timeout");
    const text = await readFile(positionals[0]!, "utf8");
    const colour = colourAllowed(process.stderr);
    return callService({
      command: "apply",
      to: values.to!,
      json: values.json === true,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      send: (client, onProgress) => client.apply(text, onProgress),
      describeProgress: (message) => describeProgress(message, colour),
      describeResult: committed,
      describeFailure: failure,
    });
  });
}
