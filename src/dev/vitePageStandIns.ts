/**
 * The stand-ins that keep the page runtime small (see ./viteClient.ts). The
 * page runtime is internal: its only callers are the modules the plugin
 * rewrites (./viteInstrument.ts), which register classes and apply one patch
 * per edit. So modules that only other paths reach are replaced, in the page
 * bundle alone, by modules with the same exports that throw when called:
 *
 * - the class-source module, whose `readClassSource` instead returns what the
 *   dev server parsed (handed over with each class, see ./vitePageRuntime.ts), and
 *   acorn: the page loads no parser;
 * - patch composition (`Patch#andThen`): the page never combines patches;
 * - the heap instance finder and Node's inspector: the page's namespace uses
 *   the registry finder, the only one a browser can run, and a class's origin
 *   (asked of the inspector on refusal paths) is "unknown" in a page anyway;
 * - the modules of ./vitePageModules.ts (patch JSON, trust, summaries, class
 *   origins) are replaced by their page forms, which do what the real ones
 *   do for everything the page gives them.
 *
 * immer stays immer (about 16 kB minified, loaded with the namespace): a
 * second implementation of its snapshots and patches for the page would be
 * a copy to keep in step with the library the engine relies on.
 *
 * `node:perf_hooks` becomes the page's `performance` (the event-loop delay
 * monitor of `metamorph dev`'s progress lines is not used there);
 * `node:async_hooks`' `AsyncLocalStorage` throws (call tracking uses it only
 * when asked to follow async contexts, which the page never does); and
 * `setImmediate`, which lazy migration's sweep waits on between slices,
 * becomes a task queued through a `MessageChannel` (what browsers have for
 * "run after the pending events", without setTimeout's clamping). The dev page test
 * (test/dev/vite.test.ts, and the consumer check) is what proves that no
 * update reaches a stand-in.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { PAGE_MODULES, throwing } from "./vitePageModules.js";

/** `.ts` from source, `.js` in the compiled package. */
const extension = fileURLToPath(import.meta.url).slice(-3);
const sourceRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/** A module of ours, by its path below src/ (or dist/) without extension. */
const ours = (path: string): string => join(sourceRoot, `${path}${extension}`);

const classSourceFile = ours("mop/source/parse");

/** The modules of ./vitePageModules.ts, by file. */
const pageModules = new Map(
  Object.entries(PAGE_MODULES).map(([path, text]) => [ours(path), () => text(ours)]),
);

/** Our modules the page does without, and why (said by the stand-in when called). */
const UNAVAILABLE: Readonly<Record<string, string>> = {
  [ours("patch/composition/findConflict")]: "composing patches is not part of the page runtime",
  [ours("mop/instances/heapFinder")]:
    "the heap finder needs Node's inspector; the page uses the registry finder",
  // Its callers (the heap finder, class origins on refusal paths) treat a throw as "no inspector here".
  [ours("mop/instances/inspector")]: "Node's inspector is not in the page",
  // Its caller (migration/runningClassFields.ts) reads the text by pattern where it throws.
  [ours("mop/source/thisAssignedNames")]: "class sources are parsed on the dev server",
};

/** The names a module exports (functions, constants, classes), read from its text. */
function exportedNames(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)].map(
    (m) => m[1]!,
  );
}

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
  return names.map((n) => throwing(n, "class sources are parsed on the dev server")).join("\n");
}

/**
 * The page's stand-in for the class-source module: `readClassSource` returns
 * what the server computed for the class (./vitePageRuntime.ts puts it in a
 * global table; ./vitePageClassSource.ts restores what the handed form
 * leaves out), and every other export of the real module throws.
 */
function classSourceStandIn(): string {
  const others = exportedNames(classSourceFile).filter((n) => n !== "readClassSource");
  return [
    `import { pageClassSource } from ${JSON.stringify(ours("dev/vitePageClassSource"))};`,
    `const table = (globalThis[Symbol.for("metamorph.classSources")] ??= new WeakMap());`,
    "const read = new WeakMap();",
    "export function readClassSource(cls) {",
    "  let parsed = read.get(cls);",
    "  if (parsed !== undefined) return parsed;",
    "  const handed = table.get(cls);",
    `  if (handed === undefined) throw new Error("metamorph: the source of class " + cls.name + " was not handed over by the dev server");`,
    "  parsed = pageClassSource(handed, Function.prototype.toString.call(cls), cls.name);",
    "  read.set(cls, parsed);",
    "  return parsed;",
    "}",
    ...others.map((n) => throwing(n, "class sources are read on the dev server")),
  ].join("\n");
}

const PREFIX = "\0metamorph:stand-in:";
const NO_PARSER_ID = `${PREFIX}acorn`;
const PERF_HOOKS_ID = `${PREFIX}perf_hooks`;
const ASYNC_HOOKS_ID = `${PREFIX}async_hooks`;
const CLASS_SOURCE_ID = `${PREFIX}class-source`;
/** The page's `setImmediate`, imported wherever the page runtime names it (see ./viteClient.ts). */
export const PAGE_TIMERS_ID = "metamorph:page-timers";
const TIMERS_ID = `${PREFIX}timers`;

const PAGE_TIMERS = [
  "const channel = new MessageChannel();",
  "const queue = [];",
  "channel.port1.onmessage = () => queue.shift()();",
  "export function setImmediate(run) { queue.push(run); channel.port2.postMessage(0); }",
].join("\n");

/** The bundler plugin that puts the stand-ins in place (for the page bundle only). */
export const pageStandIns: Plugin = {
  name: "metamorph:page-stand-ins",
  enforce: "pre",
  async resolveId(id, importer) {
    if (id === "acorn") return NO_PARSER_ID;
    if (id === "node:perf_hooks") return PERF_HOOKS_ID;
    if (id === "node:async_hooks") return ASYNC_HOOKS_ID;
    if (id === PAGE_TIMERS_ID) return TIMERS_ID;
    if (!id.startsWith(".") || !importer) return undefined;
    const resolved = await this.resolve(id, importer, { skipSelf: true });
    const file = resolved?.id.split("?")[0];
    if (file === classSourceFile) return CLASS_SOURCE_ID;
    if (file !== undefined && (file in UNAVAILABLE || pageModules.has(file))) {
      return `${PREFIX}${file}`;
    }
    return undefined;
  },
  load(id) {
    if (!id.startsWith(PREFIX)) return undefined;
    if (id === CLASS_SOURCE_ID) return classSourceStandIn();
    if (id === NO_PARSER_ID) return noParser();
    if (id === TIMERS_ID) return PAGE_TIMERS;
    if (id === PERF_HOOKS_ID) {
      return [
        "export const performance = globalThis.performance;",
        throwing("monitorEventLoopDelay", "progress on the page is reported without it"),
      ].join("\n");
    }
    if (id === ASYNC_HOOKS_ID) {
      return throwing(
        "AsyncLocalStorage",
        "the page's call tracking does not follow async contexts",
      );
    }
    const file = id.slice(PREFIX.length);
    const pageModule = pageModules.get(file);
    if (pageModule) return pageModule();
    return exportedNames(file)
      .map((n) => throwing(n, UNAVAILABLE[file]!))
      .join("\n");
  },
};
