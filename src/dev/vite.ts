/**
 * `metamorph/vite`: a Vite plugin that migrates live instances on hot updates.
 *
 *     // vite.config.ts
 *     import { defineConfig } from "vite";
 *     import metamorph from "metamorph/vite";
 *     export default defineConfig({ plugins: [metamorph()] });
 *
 * In the dev server, every module of the app that declares classes (or has
 * top-level state) is rewritten (with a source map; ./viteInstrument.ts): each class binding
 * becomes a class handle, handed to the page with its definition read on the
 * server (the page loads no parser), its other top-level statements are
 * guarded so that a later version runs none it did not change, and the
 * module accepts its own hot updates. When such a module is edited, Vite re-imports
 * it; its new classes become new implementations of the same handles, and
 * every live instance in the page is migrated in place (see ./vitePageRuntime.ts)
 * instead of the page reloading or the objects being left on the old class.
 * A `counter.migrations.ts` next to `counter.ts` gives rename hints,
 * migrators and validations (see ./migrations.ts). Above `progressiveAbove`
 * instances of the edited classes, the page migrates them progressively; an
 * edit of a class with calls in flight waits for them, up to
 * `quiescenceTimeout` (./vitePageUpdate.ts).
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { InvalidOptionError } from "../errors.js";
import { MAX_TIMER_MS } from "../release/readBundle.js";
import { type KeyGuesses, unknownKey } from "../unknownKeys.js";
import { pageModules } from "./viteClient.js";
import { PAGE_OPTIONS_KEY, type PageOptions } from "./vitePageOptions.js";
import { CLIENT_ID, instrumentForVite } from "./viteInstrument.js";

export interface MetamorphViteOptions {
  /** Which modules to manage (default: every module of the app outside node_modules). */
  readonly include?: (id: string) => boolean;
  /**
   * Above this many instances of the edited classes, an edit migrates them
   * progressively (the update commits at once, the objects migrate slice by
   * slice between the page's own tasks) instead of blocking the page for all
   * of them; the same as `metamorph dev --progressive-above`, and the same
   * default (50,000).
   */
  readonly progressiveAbove?: number;
  /**
   * How long an edit of a class waits for its calls in flight (an `async`
   * method suspended at an `await`) before it gives up, nothing changed, in
   * ms; new calls are held meanwhile. The same as `metamorph dev
   * --quiescence-timeout`, and the same default (5000).
   */
  readonly quiescenceTimeout?: number;
}

/** Every key of MetamorphViteOptions, as a record so that an option added there must be added here. */
const KNOWN_RECORD: Readonly<Record<keyof MetamorphViteOptions, true>> = {
  include: true,
  progressiveAbove: true,
  quiescenceTimeout: true,
};
const KNOWN = Object.keys(KNOWN_RECORD);
const GUESSES: KeyGuesses = new Map([
  ["filter", "include"],
  ["test", "include"],
  ["timeout", "quiescenceTimeout"],
  ["timeoutMs", "quiescenceTimeout"],
]);

/**
 * Refuses options that are not an object, or with a key the plugin does not
 * know: in a config built from a variable, `{ progresiveAbove: 1 }` escaped
 * TypeScript and was ignored — every edit migrated in one block.
 */
function checkKeys(options: unknown): void {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError(
      `metamorph/vite: options must be an object, not ${options === null ? "null" : typeof options}`,
      { type: options === null ? "null" : typeof options },
    );
  }
  const unknown = unknownKey(options, KNOWN, "metamorph/vite", GUESSES);
  if (unknown !== undefined) {
    throw new InvalidOptionError(`metamorph/vite: ${unknown.message}`, {
      option: unknown.key,
      known: [...KNOWN],
      ...(unknown.meant === undefined ? {} : { meant: unknown.meant }),
    });
  }
  const { include } = options as MetamorphViteOptions;
  if (include !== undefined && typeof include !== "function") {
    throw new InvalidOptionError(
      `metamorph/vite: include must be a function of a module id, not ${include === null ? "null" : typeof include}`,
      { option: "include" },
    );
  }
}

/** A whole number from 0 to `max`, or a refusal naming the option. */
function wholeNumber(
  option: keyof MetamorphViteOptions,
  value: number | undefined,
  max: number,
  what: string,
): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0 || value > max)) {
    throw new InvalidOptionError(
      `metamorph/vite: ${option} must be a whole number of ${what} from 0 to ${max}, not ${String(value)}`,
      { option, value: String(value) },
    );
  }
  return value;
}

/** The statement that hands the options to the page runtime, checked here: a wrong one is refused at start-up. */
function pageOptions(options: MetamorphViteOptions): string {
  checkKeys(options);
  const above = wholeNumber(
    "progressiveAbove",
    options.progressiveAbove,
    Number.MAX_SAFE_INTEGER,
    "instances",
  );
  const timeout = wholeNumber("quiescenceTimeout", options.quiescenceTimeout, MAX_TIMER_MS, "ms");
  const page: PageOptions = {
    ...(above === undefined ? {} : { progressiveAbove: above }),
    ...(timeout === undefined ? {} : { quiescenceTimeoutMs: timeout }),
  };
  return `globalThis[Symbol.for(${JSON.stringify(PAGE_OPTIONS_KEY)})] = ${JSON.stringify(page)};\n`;
}

const CLIENT_BUNDLE_ID = "\0metamorph:client";
/** The page runtime's other modules (the engine the first edit loads, and common code): `${PAGE_PREFIX}${file}`. */
const PAGE_PREFIX = "virtual:metamorph/page/";
const sourceRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The map of the earlier transforms, for the user's line numbers; none when Vite cannot give it. */
function inputMap(context: { getCombinedSourcemap(): object }): object | undefined {
  try {
    const map = context.getCombinedSourcemap() as { mappings?: string };
    return map.mappings ? map : undefined;
  } catch {
    return undefined;
  }
}

const MANAGED_FILE = /\.(ts|mts|tsx|js|mjs|jsx)$/;

/** The Vite plugin (two parts: resolution runs before Vite's own, the rewrite after its transforms). */
export function metamorph(options: MetamorphViteOptions = {}): Plugin[] {
  const served = pageOptions(options);
  let root = process.cwd();
  // Where Vite keeps the dependencies it pre-bundles: a package's code, even when under the root.
  let cacheDir: string | undefined;
  const includes = (id: string): boolean => {
    const path = id.split("?")[0]!;
    if (id.startsWith("\0") || !MANAGED_FILE.test(path) || path.includes("/node_modules/")) {
      return false;
    }
    if (cacheDir !== undefined && path.startsWith(`${cacheDir}/`)) return false;
    if (/\.migrations\.[^/]+$/.test(path) || path.startsWith(`${sourceRoot}/`)) return false;
    return options.include ? options.include(id) : path.startsWith(root);
  };
  const resolve: Plugin = {
    name: "metamorph:resolve",
    apply: "serve",
    enforce: "pre",
    configResolved(config) {
      root = config.root;
      cacheDir = config.cacheDir;
    },
    configureServer() {
      // Bundled while the server starts, not when the page first asks for it.
      pageModules(CLIENT_ID, PAGE_PREFIX).catch(() => {}); // a failure is reported by load()
    },
    resolveId(id) {
      if (id === CLIENT_ID) return CLIENT_BUNDLE_ID;
      return id.startsWith(PAGE_PREFIX) ? `\0${id}` : undefined;
    },
    async load(id) {
      const specifier = id === CLIENT_BUNDLE_ID ? CLIENT_ID : id.slice(1);
      if (id !== CLIENT_BUNDLE_ID && !specifier.startsWith(PAGE_PREFIX)) return undefined;
      const code = (await pageModules(CLIENT_ID, PAGE_PREFIX)).get(specifier);
      if (code === undefined) return undefined;
      // No source map: the page runtime is library code, and a map would multiply its size.
      // Options first: the runtime reads them when an edit arrives.
      return { code: id === CLIENT_BUNDLE_ID ? served + code : code, map: { mappings: "" } };
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
      const instrumented = instrumentForVite(code, path, specifier, inputMap(this));
      if (!instrumented) return undefined;
      return { code: instrumented.code, map: instrumented.map as never };
    },
  };
  return [resolve, rewrite];
}

export default metamorph;
