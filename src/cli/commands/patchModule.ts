/**
 * Loading the patches of a patch module for `metamorph pack`. A patch module
 * is an ES module (JavaScript, or TypeScript with tsx installed) that exports
 * its patches as
 *
 *     export default patch("v2")…build();          // one Patch
 *     export default [first, second];               // or several, applied as one update
 *     export const patches = [first, second];       // or a named `patches` array
 *
 * (`default` wins when both are present). Importing it runs the module: it is
 * the release author's own code, run by the author on their machine, so it is
 * trusted here; what the services receive is only its JSON form, signed.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MetamorphError } from "../../errors.js";
import { Patch } from "../../patch/patch.js";
import { findTsx } from "../runProgram.js";
import { CommandUsageError } from "./command.js";

/** Refused patch module: not found, not loadable, or exporting no patches. */
export class PatchModuleError extends MetamorphError {
  readonly code = "MM_PATCH_MODULE";
}

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

/**
 * The module's patches, each read back through `Patch.fromJSON` (what the
 * bundle carries; a Patch from another copy of metamorph works too).
 */
export async function loadPatches(modulePath: string): Promise<Patch[]> {
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
  const exports = (await import(pathToFileURL(file).href)) as {
    default?: unknown;
    patches?: unknown;
  };
  const exported = exports.default ?? exports.patches;
  const list = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
  if (list.length === 0) {
    throw new PatchModuleError(
      `${modulePath} exports no patches: export default a Patch (or an array of them), or export const patches = […]`,
      { module: modulePath },
    );
  }
  return list.map((value, i) => {
    if (!isPatchLike(value)) {
      throw new PatchModuleError(
        `${modulePath}: export ${Array.isArray(exported) ? `[${i}] ` : ""}is not a Patch (build it with patch(name)…build())`,
        { module: modulePath, index: i },
      );
    }
    return Patch.fromJSON(value.toJSON());
  });
}
