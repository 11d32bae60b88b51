/**
 * What the page gets from the Vite plugin: metamorph's page runtime
 * (./client.ts and the engine it drives) as one minified module, bundled
 * once per dev server by Vite's own bundler. In it, the class-source module
 * is replaced by a stand-in that returns what the dev server parsed (handed
 * over with each class), and acorn by a module that parses nothing, so the
 * page loads no parser; `node:perf_hooks` becomes the page's `performance`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const CLASS_SOURCE_ID = "\0metamorph:class-source";
const NO_PARSER_ID = "\0metamorph:no-parser";
const PERF_HOOKS_ID = "\0metamorph:perf_hooks";

const here = dirname(fileURLToPath(import.meta.url));
/** `.ts` from source, `.js` in the compiled package. */
const extension = fileURLToPath(import.meta.url).slice(-3);
export const clientFile = join(here, `client${extension}`);
/** The module that reads a class's source from its text (its `readClassSource` is what the page needs). */
const classSourceFile = join(dirname(here), `mop/source/parse${extension}`);
const require = createRequire(import.meta.url);

/** The page's stand-in for acorn: the same exports, none of which runs. */
function noParser(): string {
  const real = readFileSync(join(dirname(require.resolve("acorn")), "acorn.mjs"), "utf8");
  const list = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(real)?.[1] ?? "parse";
  const names = list
    .split(",")
    .map(
      (n) =>
        n
          .trim()
          .split(/\s+as\s+/)
          .pop()!,
    )
    .filter(Boolean);
  const body = 'function () { throw new Error("metamorph: no parser in the page"); }';
  return names.map((n) => `export const ${n} = ${body};`).join("\n");
}

/**
 * The page's stand-in for the class-source module: `readClassSource` returns
 * what the server computed for the class (./client.ts puts it in a global
 * table), and every other export of the real module throws.
 */
function classSourceStandIn(): string {
  const real = readFileSync(classSourceFile, "utf8");
  const names = [...real.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)]
    .map((m) => m[1]!)
    .filter((n) => n !== "readClassSource");
  const unavailable = (name: string) =>
    `export function ${name}() { throw new Error("metamorph: ${name} is not available in the page (class sources are read on the dev server)"); }`;
  return [
    `const table = (globalThis[Symbol.for("metamorph.classSources")] ??= new WeakMap());`,
    "export function readClassSource(cls) {",
    "  const parsed = table.get(cls);",
    `  if (parsed === undefined) throw new Error("metamorph: the source of class " + cls.name + " was not handed over by the dev server");`,
    "  return parsed.name === '' && cls.name !== '' ? { ...parsed, name: cls.name } : parsed;",
    "}",
    ...names.map(unavailable),
  ].join("\n");
}

const standIns: Plugin = {
  name: "metamorph:page-stand-ins",
  enforce: "pre",
  async resolveId(id, importer) {
    if (id === "acorn") return NO_PARSER_ID;
    if (id === "node:perf_hooks") return PERF_HOOKS_ID;
    if (id.startsWith(".") && importer) {
      const resolved = await this.resolve(id, importer, { skipSelf: true });
      if (resolved?.id.split("?")[0] === classSourceFile) return CLASS_SOURCE_ID;
    }
    return undefined;
  },
  load(id) {
    if (id === CLASS_SOURCE_ID) return classSourceStandIn();
    if (id === NO_PARSER_ID) return noParser();
    if (id === PERF_HOOKS_ID) return "export const performance = globalThis.performance;\n";
    return undefined;
  },
};

async function bundle(): Promise<string> {
  const { build } = await import("vite");
  const result = await build({
    configFile: false,
    envFile: false,
    logLevel: "silent",
    root: here,
    publicDir: false,
    mode: "production",
    plugins: [standIns],
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      emptyOutDir: false,
      // Not library mode: there Vite leaves the whitespace of ES modules unminified.
      rolldownOptions: {
        input: clientFile,
        preserveEntrySignatures: "strict",
        output: { format: "es", codeSplitting: false },
      },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if (!("output" in output)) continue;
    for (const chunk of output.output) {
      if (chunk.type === "chunk" && chunk.isEntry) return chunk.code;
    }
  }
  throw new Error("metamorph: bundling the page runtime produced no module");
}

let bundled: Promise<string> | undefined;

/** The page runtime as one module (bundled on first use, then kept). */
export function pageRuntime(): Promise<string> {
  bundled ??= bundle();
  return bundled;
}
