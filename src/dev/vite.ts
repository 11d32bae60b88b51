/**
 * `metamorph/vite`: a Vite plugin that migrates live instances on hot updates.
 *
 *     // vite.config.ts
 *     import { defineConfig } from "vite";
 *     import metamorph from "metamorph/vite";
 *     export default defineConfig({ plugins: [metamorph()] });
 *
 * In the dev server, every module of the app that declares classes is
 * rewritten (with a source map; ./viteInstrument.ts): each class binding
 * becomes a class handle, handed to the page with its definition read on the
 * server (the page loads no parser), and the module accepts its own hot
 * updates when it exports nothing but classes. When such a module is edited, Vite re-imports
 * it; its new classes become new implementations of the same handles, and
 * every live instance in the page is migrated in place (see ./client.ts)
 * instead of the page reloading or the objects being left on the old class.
 * A `counter.migrations.ts` next to `counter.ts` gives rename hints,
 * migrators and validations (see ./migrations.ts).
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { pageRuntime } from "./viteClient.js";
import { CLIENT_ID, instrumentForVite } from "./viteInstrument.js";

export interface MetamorphViteOptions {
  /** Which modules to manage (default: every module of the app outside node_modules). */
  readonly include?: (id: string) => boolean;
}

const CLIENT_BUNDLE_ID = "\0metamorph:client";
const sourceRoot = dirname(dirname(fileURLToPath(import.meta.url)));

const MANAGED_FILE = /\.(ts|mts|tsx|js|mjs|jsx)$/;

/** The Vite plugin (two parts: resolution runs before Vite's own, the rewrite after its transforms). */
export function metamorph(options: MetamorphViteOptions = {}): Plugin[] {
  let root = process.cwd();
  const includes = (id: string): boolean => {
    const path = id.split("?")[0]!;
    if (id.startsWith("\0") || !MANAGED_FILE.test(path) || path.includes("/node_modules/")) {
      return false;
    }
    if (/\.migrations\.[^/]+$/.test(path) || path.startsWith(`${sourceRoot}/`)) return false;
    return options.include ? options.include(id) : path.startsWith(root);
  };
  const resolve: Plugin = {
    name: "metamorph:resolve",
    apply: "serve",
    enforce: "pre",
    configResolved(config) {
      root = config.root;
    },
    resolveId(id) {
      return id === CLIENT_ID ? CLIENT_BUNDLE_ID : undefined;
    },
    async load(id) {
      if (id !== CLIENT_BUNDLE_ID) return undefined;
      // No source map: the page runtime is library code, and a map would multiply its size.
      return { code: await pageRuntime(), map: { mappings: "" } };
    },
  };
  const rewrite: Plugin = {
    name: "metamorph:rewrite",
    apply: "serve",
    enforce: "post",
    transform(code, id, transformOptions) {
      if (transformOptions?.ssr || !includes(id)) return undefined;
      const path = id.split("?")[0]!;
      const base = path.replace(/\.[^./]+$/, "");
      const migrations = [".ts", ".mts", ".js", ".mjs"]
        .map((e) => `${base}.migrations${e}`)
        .find((f) => existsSync(f));
      const specifier = migrations ? `./${migrations.split("/").pop()}` : undefined;
      const instrumented = instrumentForVite(code, path, specifier);
      if (!instrumented) return undefined;
      return { code: instrumented.code, map: instrumented.map as never };
    },
  };
  return [resolve, rewrite];
}

export default metamorph;
