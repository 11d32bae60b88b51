/**
 * What `metamorph dev` checks before it starts a program, in both the
 * supervisor and the program's process: the entry exists, and tsx can be
 * found when the entry is TypeScript. Kept apart from ./runProgram.ts so that
 * the supervisor loads none of the dev runtime.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PREFIX } from "../dev/prefix.js";

/** `.ts` here, `.js` in the compiled package. */
export const OWN_EXTENSION = extname(fileURLToPath(import.meta.url));
export const TYPESCRIPT_ENTRY = /\.(ts|mts|cts|tsx)$/;

export interface TsxApi {
  readonly esm: { register(): unknown };
  readonly cjs: { register(): unknown };
}

/** The file a package's `exports` map gives for `subpath` under the `import` condition. */
function importTarget(packageJson: string, subpath: string): string {
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as {
    exports?: Record<string, { import?: { default?: string } | string }>;
  };
  const entry = manifest.exports?.[subpath]?.import;
  const target = typeof entry === "string" ? entry : entry?.default;
  if (!target) throw new Error(`${packageJson} exports no ${subpath} for import`);
  return join(dirname(packageJson), target);
}

/**
 * tsx's registration APIs, from the first of `bases` (module URLs) that can
 * resolve tsx. `require.resolve` would pick the CommonJS build of
 * `tsx/esm/api`, whose `register` cannot load its ES half: the ES build is
 * taken from tsx's `exports` map.
 */
export async function findTsx(bases: readonly string[]): Promise<TsxApi | undefined> {
  const packageJson = tsxPackage(bases);
  if (packageJson === undefined) return undefined;
  const require = createRequire(packageJson);
  const esmFile = importTarget(packageJson, "./esm/api");
  const esm = (await import(pathToFileURL(esmFile).href)) as TsxApi["esm"];
  return { esm, cjs: require("tsx/cjs/api") as TsxApi["cjs"] };
}

/** tsx's package.json, from the first of `bases` (module URLs) that can resolve it (nothing loaded). */
function tsxPackage(bases: readonly string[]): string | undefined {
  for (const base of bases) {
    try {
      return createRequire(base).resolve("tsx/package.json");
    } catch {
      // not resolvable from there: try the next place
    }
  }
  return undefined;
}

/**
 * What no restart can fix: a missing entry file, a TypeScript entry without
 * tsx. One line, or undefined when the program can be started.
 */
export async function cannotStart(entry: string): Promise<string | undefined> {
  const entryFile = resolve(entry);
  if (!existsSync(entryFile)) return `${PREFIX} dev: ${entry}: no such file`;
  if (!TYPESCRIPT_ENTRY.test(entryFile) || OWN_EXTENSION === ".ts") return undefined;
  if (tsxPackage([import.meta.url, pathToFileURL(entryFile).href])) return undefined;
  return `${PREFIX} dev: ${entry} is TypeScript, which needs tsx: npm install -D tsx`;
}
