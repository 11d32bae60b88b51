/**
 * Reading a release's source tree for `metamorph diff`: its program modules
 * (every JavaScript or TypeScript file outside node_modules and dot
 * directories, declaration files and `*.migrations.*` modules apart) as
 * JavaScript — a JavaScript file as it is, a TypeScript file with its types
 * stripped by esbuild (tsx's own compiler, so wherever tsx runs the service
 * this works; not minified, so that the implementations a person reviews read
 * like the source), with the release's tsconfig.json — and the migrations
 * modules next to them, which are imported (the release author's own code,
 * as `metamorph pack` imports a patch module). Nothing else is run.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MetamorphError } from "../../errors.js";
import type { SourceType } from "../../dev/compile.js";
import { type DevMigrations, isMigrationsFile, readMigrations } from "../../dev/migrations.js";
import { migrationsFileOf } from "../../dev/migrationsLoader.js";
import { findTsx } from "../runProgram.js";
import type { MigrationsModule } from "./derive.js";
import type { ModuleSource } from "./inventory.js";
import { hookSources } from "./migrationsSource.js";

/** A release's source that cannot be read: TypeScript without tsx, a syntax error, a broken migrations module. */
export class DiffSourceError extends MetamorphError {
  readonly code = "MM_DIFF_SOURCE";
}

const PROGRAM_MODULE = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;
const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
/** `.ts` from source (already under tsx), `.js` in the package. */
const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));

/** The program modules under `dir`, relative, sorted (so a derivation does not depend on the file system's order). */
export async function programModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && PROGRAM_MODULE.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter(
      (file) => !file.split(sep).some((part) => part === "node_modules" || part.startsWith(".")),
    )
    .filter((file) => !isMigrationsFile(file))
    .map((file) => file.split(sep).join("/"))
    .sort();
}

interface Esbuild {
  transform(code: string, options: Record<string, unknown>): Promise<{ code: string }>;
}

/** esbuild, as tsx depends on it: from metamorph's dependencies, or the release's. */
function findEsbuild(near: string): Esbuild | undefined {
  for (const base of [import.meta.url, pathToFileURL(join(near, "package.json")).href]) {
    try {
      const tsx = createRequire(base).resolve("tsx/package.json");
      return createRequire(tsx)("esbuild") as Esbuild;
    } catch {
      // not resolvable from there: try the next place
    }
  }
  return undefined;
}

/** By the extension when it says; otherwise decided when the module is parsed (inventory.ts). */
function sourceTypeOf(file: string): SourceType | undefined {
  if (/\.c[jt]s$/.test(file)) return "script";
  return /\.m[jt]s$/.test(file) ? "module" : undefined;
}

async function javaScriptOf(
  dir: string,
  file: string,
  esbuild: Esbuild | undefined,
  tsconfig: string | undefined,
): Promise<string> {
  const text = await readFile(join(dir, file), "utf8");
  if (!TYPESCRIPT.test(file)) return text;
  if (!esbuild) {
    throw new DiffSourceError(
      `${join(dir, file)} is TypeScript, which needs tsx: npm install -D tsx`,
      { file: join(dir, file) },
    );
  }
  try {
    const out = await esbuild.transform(text, {
      loader: file.endsWith(".tsx") ? "tsx" : "ts",
      target: "esnext",
      sourcefile: file,
      sourcemap: "inline",
      ...(tsconfig !== undefined ? { tsconfigRaw: tsconfig } : {}),
    });
    return out.code;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DiffSourceError(`${join(dir, file)} does not compile: ${reason}`, {
      file: join(dir, file),
    });
  }
}

async function tsconfigOf(dir: string): Promise<string | undefined> {
  const file = join(dir, "tsconfig.json");
  return existsSync(file) ? readFile(file, "utf8") : undefined;
}

/** The JavaScript of every program module under `dir`. */
export async function readModules(dir: string): Promise<ModuleSource[]> {
  const files = await programModules(dir);
  const esbuild = files.some((f) => TYPESCRIPT.test(f)) ? findEsbuild(dir) : undefined;
  const tsconfig = await tsconfigOf(dir);
  return Promise.all(
    files.map(async (file): Promise<ModuleSource> => {
      const js = await javaScriptOf(dir, file, esbuild, tsconfig);
      const sourceType = sourceTypeOf(file);
      return sourceType === undefined ? { file, js } : { file, js, sourceType };
    }),
  );
}

let tsxRegistered = false;

/** Importing a TypeScript migrations module needs tsx, unless this process already runs under it. */
async function registerTsx(near: string): Promise<void> {
  if (tsxRegistered || OWN_EXTENSION === ".ts") return;
  const tsx = await findTsx([import.meta.url, pathToFileURL(near).href]);
  if (!tsx) {
    throw new DiffSourceError(`${near} is TypeScript, which needs tsx: npm install -D tsx`, {
      file: near,
    });
  }
  tsx.esm.register();
  tsxRegistered = true;
}

/**
 * A migrations module's `classRenames` (new class name → old name), which
 * only diff reads (./classRenames.ts): `metamorph dev` reloads a file, it
 * never renames a class of the running program.
 */
function classRenamesOf(hints: unknown, found: string): Record<string, string> | undefined {
  const value = (hints as Record<string, unknown>).classRenames;
  if (value === undefined) return undefined;
  const entries = typeof value === "object" && value !== null ? Object.entries(value) : undefined;
  if (entries === undefined || entries.some(([, from]) => typeof from !== "string")) {
    throw new DiffSourceError(
      `${found}: "classRenames" must map each new class name to its old name, e.g. { Round: "Circle" }`,
      { file: found },
    );
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

async function readMigrationsModule(dir: string, found: string): Promise<MigrationsModule> {
  const file = relative(dir, found).split(sep).join("/");
  const typescript = TYPESCRIPT.test(found);
  if (typescript) await registerTsx(found);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(found).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DiffSourceError(`${found} could not be loaded: ${reason}`, { file: found });
  }
  const isDefault = typeof namespace.default === "object" && namespace.default !== null;
  let value: DevMigrations;
  try {
    value = readMigrations(namespace);
  } catch (error) {
    throw new DiffSourceError(`${found}: ${(error as Error).message}`, { file: found });
  }
  const renames = classRenamesOf(isDefault ? namespace.default : namespace, found);
  const base = { file, value, isDefault, ...(renames ? { classRenames: renames } : {}) };
  if (!typescript) return base;
  const esbuild = findEsbuild(dir);
  const js = await javaScriptOf(dir, file, esbuild, await tsconfigOf(dir));
  return { ...base, sources: hookSources(js, file) };
}

/** The migrations modules next to the program modules of `dir`, imported. */
export async function readMigrationsModules(
  dir: string,
  modules: readonly ModuleSource[],
): Promise<MigrationsModule[]> {
  const out: MigrationsModule[] = [];
  for (const { file } of modules) {
    const found = migrationsFileOf(join(dir, file));
    if (found) out.push(await readMigrationsModule(dir, found));
  }
  return out;
}
