/**
 * `metamorph/vite`: a Vite plugin that migrates live instances on hot updates.
 *
 *     // vite.config.ts
 *     import { defineConfig } from "vite";
 *     import metamorph from "metamorph/vite";
 *     export default defineConfig({ plugins: [metamorph()] });
 *
 * In the dev server, every module of the app that declares classes is
 * rewritten (line for line, so source maps stay right): each class binding
 * becomes a class handle, and the module accepts its own hot updates when it
 * exports nothing but classes. When such a module is edited, Vite re-imports
 * it; its new classes become new implementations of the same handles, and
 * every live instance in the page is migrated in place (see ./client.ts)
 * instead of the page reloading or the objects being left on the old class.
 * A `counter.migrations.ts` next to `counter.ts` gives rename hints,
 * migrators and validations (see ./migrations.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { parseSource, syntaxProblem, topLevel, typescript } from "./compile.js";

export interface MetamorphViteOptions {
  /** Which modules to manage (default: every module of the app outside node_modules). */
  readonly include?: (id: string) => boolean;
}

const CLIENT_ID = "virtual:metamorph/client";
const PERF_HOOKS_ID = "\0metamorph:perf_hooks";
const TYPESCRIPT_URL = "/@metamorph/typescript.js";
const CLIENT = "__metamorph$client";
const MODULE = "__metamorph$module";
const MIGRATIONS = "__metamorph$migrations";

const here = dirname(fileURLToPath(import.meta.url));
const clientFile = join(here, "client.ts");
const sourceRoot = dirname(here);
const require = createRequire(import.meta.url);

function packageDirectory(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

export interface ViteInstrumented {
  readonly code: string;
  readonly classes: readonly string[];
  readonly selfAccepting: boolean;
}

/**
 * Rewrites a module (JavaScript, as Vite's own transforms left it) for the
 * client runtime, or returns undefined when it declares no class to manage.
 */
export function instrumentForVite(
  code: string,
  id: string,
  migrationsSpecifier: string | undefined,
): ViteInstrumented | undefined {
  const t = typescript();
  const file = parseSource(code, id.replace(/\.[^./]+$/, ".js"));
  if (syntaxProblem(file)) return undefined;
  const inventory = topLevel(file);
  const managed = [...inventory.classes.values()].filter((c) => c.managed).map((c) => c.name);
  if (managed.length === 0) return undefined;
  const edits: { at: number; end: number; text: string }[] = [];
  let selfAccepting = true;
  const isManaged = (name: string) => managed.includes(name);
  for (const statement of file.statements) {
    const modifiers = t.canHaveModifiers(statement) ? (t.getModifiers(statement) ?? []) : [];
    const exported = modifiers.some((m) => m.kind === t.SyntaxKind.ExportKeyword);
    const isDefault = modifiers.some((m) => m.kind === t.SyntaxKind.DefaultKeyword);
    if (t.isClassDeclaration(statement) && statement.name && isManaged(statement.name.text)) {
      const name = statement.name.text;
      edits.push({
        at: statement.getStart(file),
        end: statement.name.end,
        text: `${exported && !isDefault ? "export " : ""}let ${name} = class`,
      });
      edits.push({
        at: statement.end,
        end: statement.end,
        text: `;${name} = ${MODULE}.manage(${JSON.stringify(name)}, ${name});${
          isDefault ? `export { ${name} as default };` : ""
        }`,
      });
      continue;
    }
    if (t.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const clause = statement.exportClause;
      if (statement.moduleSpecifier || !clause || !t.isNamedExports(clause)) selfAccepting = false;
      else if (
        !clause.elements.every((e) => e.isTypeOnly || isManaged((e.propertyName ?? e.name).text))
      ) {
        selfAccepting = false;
      }
      continue;
    }
    if (t.isExportAssignment(statement)) {
      if (!(t.isIdentifier(statement.expression) && isManaged(statement.expression.text))) {
        selfAccepting = false;
      }
      continue;
    }
    if (exported) selfAccepting = false;
  }
  let out = code;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    out = out.slice(0, edit.at) + edit.text + out.slice(edit.end);
  }
  const header =
    `import * as ${CLIENT} from ${JSON.stringify(CLIENT_ID)};` +
    (migrationsSpecifier
      ? `import * as ${MIGRATIONS} from ${JSON.stringify(migrationsSpecifier)};`
      : "") +
    `const ${MODULE} = ${CLIENT}.module(import.meta.url);`;
  // The header shares the first line, so no line moves.
  out = header + out;
  const sourceMapAt = out.search(/\n\/\/# sourceMappingURL=[^\n]*\s*$/);
  const footer = `\n${MODULE}.commit(${migrationsSpecifier ? MIGRATIONS : "undefined"});${
    selfAccepting ? "\nif (import.meta.hot) import.meta.hot.accept();" : ""
  }`;
  out =
    sourceMapAt < 0 ? out + footer : out.slice(0, sourceMapAt) + footer + out.slice(sourceMapAt);
  return { code: out, classes: managed, selfAccepting };
}

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
    async config(config) {
      const { searchForWorkspaceRoot } = await import("vite");
      const projectRoot = config.root ?? process.cwd();
      const allow = [
        searchForWorkspaceRoot(projectRoot),
        dirname(sourceRoot),
        ...(["immer", "typescript"].map(packageDirectory).filter(Boolean) as string[]),
      ];
      return {
        server: { fs: { allow } },
        // Served as ES modules from node_modules, never pre-bundled: a dependency
        // discovered late would make Vite reload the page.
        optimizeDeps: { exclude: ["immer"] },
      };
    },
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      const typescriptFile = require.resolve("typescript");
      server.middlewares.use(TYPESCRIPT_URL, (_request, response) => {
        response.setHeader("content-type", "text/javascript");
        response.setHeader("cache-control", "max-age=3600");
        response.end(readFileSync(typescriptFile));
      });
    },
    transformIndexHtml() {
      return [{ tag: "script", attrs: { src: TYPESCRIPT_URL }, injectTo: "head-prepend" }];
    },
    resolveId(id, importer, resolveOptions) {
      if (id === CLIENT_ID) return clientFile;
      if (
        id === "node:perf_hooks" &&
        !resolveOptions?.ssr &&
        importer?.startsWith(`${sourceRoot}/`)
      ) {
        return PERF_HOOKS_ID;
      }
      return undefined;
    },
    load(id) {
      if (id === PERF_HOOKS_ID) return "export const performance = globalThis.performance;\n";
      return undefined;
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
      return { code: instrumented.code, map: null };
    },
  };
  return [resolve, rewrite];
}

export default metamorph;
