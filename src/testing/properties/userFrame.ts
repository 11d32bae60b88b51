/**
 * Where in the user's code something threw: the first stack frame outside
 * metamorph, Node's internals, node_modules and generated code — the
 * migrator, initialiser, validation or call that failed, as
 * `file:line:column`. Stacks go through source maps (tsx, Vitest,
 * `--enable-source-maps`), so the position is the user's source.
 */
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The library's own source folder (src/ here, dist/ when published). */
const LIBRARY = fileURLToPath(new URL("../..", import.meta.url));

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * Frames of code compiled at run time (`new Function`, `eval`): metamorph's
 * generated migration loops, say. Their location is `<anonymous>`, and the
 * `eval at … (file…)` before it names the file that compiled them — never
 * the user's line.
 */
const GENERATED = /\beval at |<anonymous>:\d+:\d+\)?$/;

function fileOf(location: string): string {
  return location.startsWith("file://") ? fileURLToPath(location) : location;
}

function isUserFile(file: string): boolean {
  if (file.startsWith("node:") || file.includes(`${sep}node_modules${sep}`)) return false;
  if (file.startsWith(LIBRARY)) return false;
  return file.includes(sep) || file.includes("/");
}

/**
 * `error`, then what it wraps (a MetamorphError's `details.cause`, or
 * `cause`), a few levels deep.
 */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 4; e = causeOf(e)) chain.push(e);
  return chain;
}

function firstUserFrame(stack: string | undefined): string | undefined {
  for (const line of stack?.split("\n").slice(1) ?? []) {
    if (GENERATED.test(line)) continue;
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = fileOf(m[1]!);
    if (!isUserFile(file)) continue;
    const shown = file.startsWith(process.cwd() + sep) ? relative(process.cwd(), file) : file;
    return `${shown}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/**
 * The first user frame of `error`'s stack, as `file:line:column` (file
 * relative to the working directory when inside it). The innermost cause is
 * read first: a wrapping error (a MigrationError for a throwing initialiser)
 * was made in metamorph, below whatever user code called it, while its cause
 * was thrown at the failing line itself.
 */
export function userLocation(error: unknown): string | undefined {
  for (const e of causeChain(error).reverse()) {
    const at = firstUserFrame(e instanceof Error ? e.stack : undefined);
    if (at !== undefined) return at;
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
