/**
 * Loading the patches of a patch module for `metamorph pack`. A patch module
 * is an ES module (JavaScript, or TypeScript with tsx installed) that exports
 * its patches as
 *
 *     export default patch("v2")…build();          // one Patch
 *     export default [first, second];               // or several, applied as one update
 *     export const patches = [first, second];       // or a named `patches` array
 *
 * (`default` wins when both are present), and the top-level functions the
 * update replaces, by module (its path relative to the service's root) and
 * name, as `metamorph diff` writes them:
 *
 *     export const functions = { "src/format.ts": { format: function format(n) { … } } };
 *
 * Each travels as its source text (`Function.prototype.toString`), so it must
 * not rely on this module's closure: the service compiles it in the scope of
 * the module it replaces a function of. Importing it runs the module: it is
 * the release author's own code, run by the author on their machine, so it is
 * trusted here; what the services receive is only its JSON form, signed.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Patch } from "../../patch/patch.js";
import type { BundleFunction } from "../../release/index.js";
import { findTsx } from "../runProgram.js";
import { CommandUsageError } from "./command.js";
import { moduleLoadError, PatchModuleError } from "./moduleLoadError.js";

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
/** Run from source, this process already runs under tsx. */
const UNDER_TSX = extname(fileURLToPath(import.meta.url)) === ".ts";

function isPatchLike(value: unknown): value is Pick<Patch, "name" | "toJSON"> {
  return (
    value instanceof Patch ||
    (typeof value === "object" &&
      value !== null &&
      typeof (value as { name?: unknown }).name === "string" &&
      typeof (value as { toJSON?: unknown }).toJSON === "function")
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The module's `functions` export as the bundle carries it (sources), in the module's order. */
function functionsOf(modulePath: string, exported: unknown): BundleFunction[] {
  if (exported === undefined) return [];
  const refuse = (what: string) =>
    new PatchModuleError(
      `${modulePath}: export functions ${what} (expected { "<module path>": { name: function name(…) { … } } })`,
      { module: modulePath },
    );
  if (!isRecord(exported)) throw refuse("is not an object");
  const out: BundleFunction[] = [];
  for (const [module, byName] of Object.entries(exported)) {
    if (!isRecord(byName)) throw refuse(`["${module}"] is not an object`);
    for (const [name, fn] of Object.entries(byName)) {
      if (typeof fn !== "function") throw refuse(`["${module}"].${name} is not a function`);
      out.push({ module, name, source: Function.prototype.toString.call(fn) });
    }
  }
  return out;
}

/** A patch module's patches and top-level functions. */
export interface PatchModule {
  readonly patches: Patch[];
  readonly functions: BundleFunction[];
}

/**
 * The module's patches, each read back through `Patch.fromJSON` (what the
 * bundle carries; a Patch from another copy of metamorph works too).
 */
export async function loadPatchModule(modulePath: string): Promise<PatchModule> {
  const file = resolve(modulePath);
  if (!existsSync(file)) throw new CommandUsageError(`${modulePath}: no such patch module`);
  if (TYPESCRIPT.test(file) && !UNDER_TSX) {
    const tsx = await findTsx([import.meta.url, pathToFileURL(file).href]);
    if (!tsx) {
      throw new PatchModuleError(
        `${modulePath} is TypeScript, which needs tsx: npm install -D tsx`,
        {
          module: modulePath,
        },
      );
    }
    tsx.esm.register();
  }
  let exports: { default?: unknown; patches?: unknown; functions?: unknown };
  try {
    exports = (await import(pathToFileURL(file).href)) as typeof exports;
  } catch (error) {
    throw moduleLoadError(modulePath, error);
  }
  const exported = exports.default ?? exports.patches;
  const list = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
  if (list.length === 0) {
    throw new PatchModuleError(
      `${modulePath} exports no patches: export default a Patch (or an array of them), or export const patches = […]`,
      { module: modulePath },
    );
  }
  const patches = list.map((value, i) => {
    if (!isPatchLike(value)) {
      throw new PatchModuleError(
        `${modulePath}: export ${Array.isArray(exported) ? `[${i}] ` : ""}is not a Patch (build it with patch(name)…build())`,
        { module: modulePath, index: i },
      );
    }
    return Patch.fromJSON(value.toJSON());
  });
  return { patches, functions: functionsOf(modulePath, exports.functions) };
}
