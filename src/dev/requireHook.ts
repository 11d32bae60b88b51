/**
 * The dev rewrite for modules that Node's `require` loader compiles. In a
 * CommonJS package (npm's default) tsx compiles TypeScript in its `require`
 * extension and hands the JavaScript to `module._compile`, a path Node 20's
 * module hooks (./hooks.ts, `module.register`) never see: without this, such
 * a program ran with none of its classes managed, and every save was
 * silently ignored. Plain `.js`/`.cjs` CommonJS of the program is rewritten
 * here too, also when it is imported: ./hooks.ts leaves it to this loader,
 * whose `require` is Node's (packages resolving to ES modules included). The
 * rewrite is the loader's (./instrument.ts), applied where the JavaScript
 * meets the compiler, to the same modules (`isProgramModule`); code the
 * loader has already rewritten passes as is.
 *
 * A saved version's JavaScript comes from the same `require` extension, run
 * on a module whose `_compile` only keeps the code: the compiler that
 * produced the running version, and nothing of the program runs.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import { contentHash, MODULE_VAR, SourceProblem } from "./compile.js";
import { isProgramModule } from "./hooks.js";
import { instrumentModule } from "./instrument.js";

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type Extension = (module: { _compile: Compile }, filename: string) => void;

interface ModuleInternals {
  prototype: { _compile: Compile };
  _extensions: Record<string, Extension | undefined>;
}

const internals = Module as unknown as ModuleInternals;

export interface RequireHookOptions {
  /** Directories whose files are never rewritten (file URLs ending in "/"). */
  readonly exclude: readonly string[];
  /** Told the JavaScript of each module rewritten, before the module runs. */
  readonly loaded: (url: string, js: string) => void;
}

/** Rewrites every program module compiled by `require` from now on; returns the undo. */
export function installRequireHook(options: RequireHookOptions): () => void {
  const prototype = internals.prototype;
  const original = prototype._compile;
  prototype._compile = function (content, filename, ...rest) {
    const code = rewritten(content, filename, rest[0], options);
    return original.call(this, code, filename, ...rest);
  };
  return () => {
    if (prototype._compile !== original) prototype._compile = original;
  };
}

/**
 * `format` is Node's third argument to `_compile` (Node ≥ 20.19): "module"
 * for an ES module that `require` loads (`.mjs`, `.js` of a `"type":
 * "module"` package), which Node compiles from this text without the module
 * hooks; none for a `.js` of a package without a type, which Node runs as an
 * ES module when it only parses as one.
 */
function rewritten(
  content: string,
  filename: string,
  format: unknown,
  options: RequireHookOptions,
): string {
  if (typeof content !== "string") return content;
  // The path first: every dependency's code passes here, and need not be scanned.
  const url = pathToFileURL(filename).href;
  if (!isProgramModule(url, options.exclude) || content.includes(MODULE_VAR)) return content;
  let code: string;
  try {
    // Hashed from the file as saved, as the loader does (./hooks.ts).
    const hash = contentHash(readFileSync(filename, "utf8"));
    code = instrumented(content, filename, hash, format);
  } catch (error) {
    if (!(error instanceof SourceProblem)) throw error;
    throw new SyntaxError(`${error.file}:${error.line}:${error.column}: ${error.message}`);
  }
  options.loaded(url, content);
  return code;
}

function instrumented(content: string, filename: string, hash: string, format: unknown): string {
  if (typeof format === "string" && format.startsWith("module")) {
    return instrumentModule(content, filename, hash, "module").code;
  }
  try {
    return instrumentModule(content, filename, hash, "script").code;
  } catch (scriptProblem) {
    if (format !== undefined || !(scriptProblem instanceof SourceProblem)) throw scriptProblem;
    try {
      return instrumentModule(content, filename, hash, "module").code;
    } catch {
      // Neither: the script's error is the one Node would report.
      throw scriptProblem;
    }
  }
}

/**
 * The JavaScript `require` compiles `file` to now (tsx's for TypeScript, the
 * file itself for JavaScript), without running it.
 */
export function requireCompiled(file: string): string {
  const extension = internals._extensions[extname(file)] ?? internals._extensions[".js"]!;
  let js: string | undefined;
  const probe = new Module(file) as unknown as { _compile: Compile; filename: string };
  probe.filename = file;
  probe._compile = (content) => {
    js = content;
  };
  extension(probe, file);
  if (js === undefined) throw new SourceProblem(`${file} could not be compiled again`, file, 1, 1);
  return js;
}
