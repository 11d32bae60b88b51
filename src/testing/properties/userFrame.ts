/**
 * Where in the user's code something threw: the first stack frame of the
 * error (or of its cause) outside metamorph, Node's internals and
 * node_modules — the migrator, initialiser, validation or call that failed,
 * as `file:line:column`. Stacks go through source maps (tsx, Vitest,
 * `--enable-source-maps`), so the position is the user's source.
 */
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The library's own source folder (src/ here, dist/ when published). */
const LIBRARY = fileURLToPath(new URL("../..", import.meta.url));

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

function fileOf(location: string): string {
  return location.startsWith("file://") ? fileURLToPath(location) : location;
}

function isUserFile(file: string): boolean {
  if (file.startsWith("node:") || file.includes(`${sep}node_modules${sep}`)) return false;
  if (file.startsWith(LIBRARY)) return false;
  return file.includes(sep) || file.includes("/");
}

/** The first user frame of `error`'s stack, as `file:line:column` (file relative to the working directory when inside it). */
export function userLocation(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; depth++) {
    const stack = e instanceof Error ? e.stack : undefined;
    for (const line of stack?.split("\n").slice(1) ?? []) {
      const m = FRAME.exec(line);
      if (!m) continue;
      const file = fileOf(m[1]!);
      if (!isUserFile(file)) continue;
      const shown = file.startsWith(process.cwd() + sep) ? relative(process.cwd(), file) : file;
      return `${shown}:${m[2]}:${m[3]}`;
    }
    e = causeOf(e);
  }
  return undefined;
}

function causeOf(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  const details = (error as { details?: { cause?: unknown } }).details;
  if (details && "cause" in details) return details.cause;
  return (error as { cause?: unknown }).cause;
}

/** `userLocation` as a line to append to a message ("" when there is none). */
export function userFrame(error: unknown): string {
  const at = userLocation(error);
  return at === undefined ? "" : `\n    at ${at}`;
}
