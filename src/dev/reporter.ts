/**
 * What `metamorph dev` prints: one line per update, warnings that say how to
 * choose, and errors with file and line.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { MetamorphError, MigrationError } from "../errors.js";
import { ValidationError } from "../validation/report.js";
import {
  type ClassChangeSummary,
  codedMessage,
  contentHash,
  describeClassChange,
} from "./common.js";
import { SourceProblem } from "./conventions.js";
import { PREFIX } from "./prefix.js";
import { afterTimeout } from "./tracking.js";

export { PREFIX } from "./prefix.js";

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
  return codedMessage(error);
}

function lineOfWord(file: string, word: string): number | undefined {
  try {
    const text = readFileSync(file, "utf8");
    const index = text.indexOf(word);
    return index < 0 ? undefined : text.slice(0, index).split("\n").length;
  } catch {
    return undefined;
  }
}

function heapMegabytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

/**
 * A migration that failed in the migrations module's code: not one that
 * failed computing a field's initial value (the source's initialiser threw),
 * which used to be blamed on the migrations module's `migrate` line.
 */
function ranMigrator(error: unknown): boolean {
  return error instanceof MigrationError && typeof error.details.field !== "string";
}

/** Where an error was located by the step that threw it. */
interface Located {
  readonly location?: { readonly file: string; readonly line: number; readonly column?: number };
}

/** What one committed reload changed, for its line. */
export interface UpdateLine {
  readonly file: string;
  readonly summaries: readonly ClassChangeSummary[];
  readonly functions: readonly string[];
  /** Unmanaged classes whose methods were replaced (a warning says what was not done). */
  readonly unmanaged?: readonly string[];
  readonly committed: boolean;
  readonly instancesMigrated: number;
  readonly pauseMs: number;
  /** Committed progressively: the instances (estimated) that migrate after this line. */
  readonly progressive?: number;
  /**
   * Functions and variables the version declares for the first time
   * (`function speedOf`, `LIMIT`): a save that only added one printed "no
   * class or function changed" (review M1).
   */
  readonly declared?: readonly string[];
  /** The previous attempt had failed. */
  readonly fixed: boolean;
  /** The saved version is the running one (a failed save undone). */
  readonly back?: boolean;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** Prints `metamorph dev`'s lines, paths relative to the project root. */
export class Reporter {
  #updates = 0;
  /** By file, the last text said to have no runtime effect. */
  readonly #withoutEffect = new Map<string, string>();

  constructor(
    readonly root: string,
    private readonly write: (line: string) => void,
    /** Add the heap size to every n-th update line (0: never). */
    private readonly memory: number,
  ) {}

  print(line: string): void {
    this.write(`${PREFIX} ${line}`);
  }

  rel(file: string): string {
    return displayPath(file, this.root);
  }

  warning(file: string, message: string): void {
    this.print(`${this.rel(file)}: warning: ${message}`);
  }

  note(file: string, message: string): void {
    this.print(`${this.rel(file)}: note: ${message}`);
  }

  /**
   * A save whose JavaScript is the running version's (an interface or a
   * type alias edited, a comment): it printed nothing, as if the save had
   * not been seen (review advZ26 L6). Said once per text, so that a second
   * change event of the same save says nothing more.
   */
  noRuntimeEffect(file: string, text: string): void {
    const hash = contentHash(text);
    if (this.#withoutEffect.get(file) === hash) return;
    this.#withoutEffect.set(file, hash);
    this.print(
      `${this.rel(file)}: no runtime effect (the compiled JavaScript is unchanged: types or comments only)`,
    );
  }

  /** A failed reload: where, what, and that the running version stays. */
  failed(file: string, migrationsFile: string | undefined, error: unknown, advice?: string): void {
    this.print(`${this.where(file, migrationsFile, error)}: error: ${errorText(error)}`);
    const then =
      advice ??
      afterTimeout(error, "restart the program (rs and Enter)") ??
      "the running version is kept; save again to retry";
    this.print(`${this.rel(file)}: ${then}`);
  }

  updated(u: UpdateLine): void {
    this.#updates++;
    const rel = this.rel(u.file);
    const parts = [
      ...u.summaries.map(describeClassChange),
      ...u.functions.map((f) => `function ${f}`),
      ...(u.declared ?? []).map((d) => `${d} (new)`),
      ...(u.unmanaged ?? []).map((c) => `methods of ${c}`),
    ];
    const changed = parts.length > 0 || u.committed;
    const migrated =
      u.progressive === undefined
        ? `${u.instancesMigrated} instance${u.instancesMigrated === 1 ? "" : "s"} migrated`
        : `migrating ${u.progressive} instances progressively`;
    let line = changed
      ? `${rel}: updated ${parts.join("; ")} | ${migrated}, pause ${u.pauseMs.toFixed(2)} ms`
      : `${rel}: no class or function changed${u.fixed && u.back ? " (back to the running version)" : ""}`;
    if (this.memory > 0 && this.#updates % this.memory === 0) {
      line += ` | heap ${heapMegabytes().toFixed(1)} MB`;
    }
    if (u.fixed && (changed || !u.back)) line += " | fixed";
    this.print(line);
    for (const w of u.warnings) this.warning(u.file, w);
    for (const n of u.notes) this.note(u.file, n);
  }

  /** `file:line:column` for an error: the source, the migrations module, or the stack. */
  where(file: string, migrationsFile: string | undefined, error: unknown): string {
    if (error instanceof SourceProblem) {
      return `${this.rel(error.file)}:${error.line}:${error.column}`;
    }
    const location = (error as Located).location;
    if (location) {
      return `${this.rel(location.file)}:${location.line}${location.column ? `:${location.column}` : ""}`;
    }
    if (migrationsFile && (ranMigrator(error) || error instanceof ValidationError)) {
      const at = locateInStack(error, migrationsFile);
      if (at) return `${this.rel(migrationsFile)}:${at.line}:${at.column}`;
      const word = error instanceof ValidationError ? "validate" : "migrate";
      const line = lineOfWord(migrationsFile, word);
      return `${this.rel(migrationsFile)}${line ? `:${line}` : ""}`;
    }
    for (const candidate of [file, ...(migrationsFile ? [migrationsFile] : [])]) {
      const at = locateInStack(error, candidate);
      if (at) return `${this.rel(candidate)}:${at.line}:${at.column}`;
    }
    const className = (error instanceof MetamorphError ? error.details.className : undefined) as
      | string
      | undefined;
    const line = className ? lineOfWord(file, `class ${className}`) : undefined;
    return `${this.rel(file)}${line ? `:${line}` : ""}`;
  }
}
