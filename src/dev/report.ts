/**
 * What `metamorph dev` prints: one line per update, warnings that say how to
 * choose, and errors with file and line.
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { MetamorphError } from "../errors.js";
import { SourceProblem } from "./compile.js";

export {
  type ClassChangeSummary,
  describeClassChange,
  summariseClassChange,
} from "./common.js";

export const PREFIX = "[metamorph]";

export function displayPath(file: string, root: string): string {
  const rel = relative(root, file);
  return rel.startsWith("..") || rel === "" ? file : rel;
}

/** `file:line:column` of the first stack frame in `file`, from an error or its causes. */
export function locateInStack(
  error: unknown,
  file: string,
): { line: number; column: number } | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`${escaped}(?:\\?[^:)\\s]*)?:(\\d+):(\\d+)`);
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const stack = (e as { stack?: unknown }).stack;
    if (typeof stack === "string") {
      const normalised = stack.replace(/file:\/\/[^\s)]+/g, (url) => {
        try {
          const [path, rest] = splitUrl(url);
          return fileURLToPath(path) + rest;
        } catch {
          return url;
        }
      });
      const match = pattern.exec(normalised);
      if (match) return { line: Number(match[1]), column: Number(match[2]) };
    }
    e =
      (e as { cause?: unknown }).cause ??
      ((e as MetamorphError).details as { cause?: unknown } | undefined)?.cause;
  }
  return undefined;
}

function splitUrl(url: string): [string, string] {
  // file:///a/b.ts?v=1:10:5 → ["file:///a/b.ts", "?v=1:10:5"]
  const match = /^(file:\/\/[^?:]*(?::(?!\d)[^?:]*)*)(.*)$/.exec(url);
  return match ? [match[1]!, match[2]!] : [url, ""];
}

/** The message of an error, with its code when it is a metamorph error, on as few lines as it takes. */
export function errorText(error: unknown): string {
  if (error instanceof SourceProblem) return error.message;
  if (error instanceof MetamorphError) {
    const cause = (error.details as { cause?: unknown }).cause;
    const because =
      cause instanceof Error && !error.message.includes(cause.message)
        ? ` (${cause.name}: ${cause.message})`
        : "";
    return `${error.code} ${error.message}${because}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
