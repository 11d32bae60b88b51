/**
 * Finding and loading the migrations module of a source file in Node (the
 * convention itself, shared with the browser, is in ./migrations.ts). Each
 * saved version is imported afresh (a query string per content hash); a
 * broken one is reported with its position instead of failing the reload
 * somewhere else.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { contentHash } from "./compile.js";
import { type DevMigrations, readMigrations } from "./migrations.js";
import type { MigrationsState, ModuleRecord } from "./moduleGraph.js";
import { locateInStack } from "./reporter.js";
import { compileProblem } from "./savedVersion.js";

const requireCache = createRequire(import.meta.url).cache;

const MIGRATIONS_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** The migrations module of a source file, if one exists next to it. */
export function migrationsFileOf(file: string): string | undefined {
  const base = file.replace(/\.[^./\\]+$/, "");
  for (const extension of MIGRATIONS_EXTENSIONS) {
    const candidate = `${base}.migrations${extension}`;
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** An error with the position to print it at. */
function located(error: unknown, file: string, line: number, column?: number): Error {
  return Object.assign(error instanceof Error ? error : new Error(String(error)), {
    location: { file, line, column },
  });
}

/** The current migrations module of `record` (the cached one when its file is unchanged). */
export async function loadMigrations(record: ModuleRecord): Promise<MigrationsState | undefined> {
  const file = migrationsFileOf(record.file);
  if (!file) return undefined;
  const text = readFileSync(file, "utf8");
  const hash = contentHash(text);
  if (record.migrations?.file === file && record.migrations.hash === hash) {
    return record.migrations;
  }
  // In a CommonJS package tsx hands a .ts module to `require`, whose cache is
  // keyed by file name alone: the query above would still find the first
  // version loaded. Dropping the entry makes the import compile the saved one.
  delete requireCache[file];
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(`${pathToFileURL(file).href}?metamorph=${hash}`)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    const problem = compileProblem(error, file);
    if (problem) throw problem;
    const at = locateInStack(error, file);
    throw located(error, file, at?.line ?? 1, at?.column);
  }
  let value: DevMigrations;
  try {
    value = readMigrations(namespace);
  } catch (error) {
    throw located(error, file, 1);
  }
  return { file, hash, value };
}
