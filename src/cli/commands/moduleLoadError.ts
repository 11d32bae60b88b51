/**
 * A patch module that fails while it is imported (a syntax error, a throw at
 * its top level, a missing import, CommonJS where an ES module is needed),
 * as a typed refusal naming the module, where it failed when the error
 * says, and — for a module-format problem — what to change. Node's own
 * stack would otherwise be all the author sees.
 */
import { MetamorphError } from "../../errors.js";

/** Refused patch module: not found, not loadable, or exporting no patches. */
export class PatchModuleError extends MetamorphError {
  readonly code = "MM_PATCH_MODULE";
}

/** Errors that mean the module was read as CommonJS (or required) where ESM was meant. */
const FORMAT_PROBLEM =
  /Cannot use import statement outside a module|Unexpected token 'export'|require is not defined in ES module scope|exports is not defined in ES module scope|ERR_REQUIRE_(CYCLE_MODULE|ESM|ASYNC_MODULE)/;

export function moduleLoadError(modulePath: string, error: unknown): PatchModuleError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  const name = typeof e?.name === "string" ? e.name : "Error";
  const message = typeof e?.message === "string" ? e.message : String(error);
  const code = typeof e?.code === "string" ? e.code : undefined;
  // The first place in the author's files the stack names (not a loader's), when there is one.
  const where =
    typeof e?.stack === "string"
      ? [...e.stack.matchAll(/(?:^|[\s(])((?:file:\/\/)?\/[^\s():]+:\d+(?::\d+)?)/gm)]
          .map((m) => m[1]!)
          .find((at) => !at.includes("/node_modules/"))
      : undefined;
  const hint = FORMAT_PROBLEM.test(`${message} ${code ?? ""}`)
    ? '; a patch module is an ES module: name it .mjs (.mts for TypeScript), or set "type": "module" in its package.json'
    : "";
  return new PatchModuleError(
    `${modulePath} failed to load: ${name}${code ? ` [${code}]` : ""}: ${message.split("\n")[0]}${where ? ` (at ${where})` : ""}${hint}`,
    { module: modulePath, ...(code ? { cause: code } : {}) },
  );
}
