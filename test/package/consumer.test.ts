/**
 * The package as users get it: `npm pack`, then the tarball installed into
 * fresh projects (offline, from the npm cache) and used with plain `node`
 * (ESM and CommonJS), a strict consumer `tsc`, Vite, and the `metamorph`
 * command. Figures (installed size, page payload, tsc time) are printed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  bytesBelow,
  FIXTURES,
  lockedVersion,
  pack,
  project,
  REPO,
  type Run,
  run,
} from "./support.js";

const MB = 1024 * 1024;
const version = (
  JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }
).version;
const QUICKSTART_OUTPUT = [
  "Hello, Ada Lovelace!",
  '{"given":"Ada","last":"Lovelace","fullName":"Ada Lovelace"}',
  "committed 1 true",
];
const QUICKSTART = readFileSync(join(FIXTURES, "quickstart.mjs"), "utf8");
/** A refusal thrown from inside metamorph, its stack printed. */
const THROWS = `import { Namespace } from "metamorph";
try {
  new Namespace("demo").registerClass(42);
} catch (error) {
  console.log(error.stack);
}
`;
/** A consumer file of the same size that does not import metamorph: the tsc baseline. */
const BASELINE = `import { EventEmitter } from "node:events";

interface Person {
  readonly first: string;
  readonly last: string;
  greet(): string;
}

function person(first: string, last: string): Person {
  return { first, last, greet: () => \`Hi, \${first}\` };
}

const people = new Map<string, Person>([["ada", person("Ada", "Lovelace")]]);
const events = new EventEmitter();
events.on("renamed", (name: string) => console.log(name));
const ada = people.get("ada");
const fields = ada ? Object.keys(ada) : [];
try {
  events.emit("renamed", ada?.greet() ?? "nobody");
} catch (error) {
  if (error instanceof TypeError) console.log(error.message);
}
console.log(fields.length, [...people.keys()].join(","));
`;
const figures: string[] = [];
const dirs: string[] = [];
let tarball = "";

function ok(result: Run, what: string): Run {
  if (result.status !== 0) {
    throw new Error(`${what} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function consumer(...args: Parameters<typeof project>): string {
  const dir = project(...args);
  dirs.push(dir);
  return dir;
}

// Packing builds dist/ (two tsc passes): minutes on a loaded 2-core machine.
beforeAll(() => {
  tarball = pack();
  // The pack's own temporary directory goes with the consumers'.
  dirs.push(dirname(tarball));
}, 360_000);

afterAll(() => {
  if (figures.length > 0) console.log(`package figures:\n  ${figures.join("\n  ")}`);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("plain node", () => {
  let dir = "";
  beforeAll(() => {
    dir = consumer(
      "node",
      { type: "module" },
      {
        "quickstart.mjs": QUICKSTART,
        // The same program loaded with require() from CommonJS.
        "quickstart.cjs": QUICKSTART.replace(
          'import { Namespace, patch, updateSync } from "metamorph";',
          'const { Namespace, patch, updateSync } = require("metamorph");',
        ),
        "throws.mjs": THROWS,
      },
      [tarball],
    );
  }, 120_000);

  test("the README quick start runs from an ES module", () => {
    const result = ok(run("node", ["quickstart.mjs"], dir), "node quickstart.mjs");
    expect(result.stdout.trim().split("\n")).toEqual(QUICKSTART_OUTPUT);
  });

  test("the same through require() from CommonJS", () => {
    const result = ok(run("node", ["quickstart.cjs"], dir), "node quickstart.cjs");
    expect(result.stdout.trim().split("\n")).toEqual(QUICKSTART_OUTPUT);
  });

  test("with --enable-source-maps, a stack through metamorph names our TypeScript files and lines", () => {
    const result = ok(run("node", ["--enable-source-maps", "throws.mjs"], dir), "throws.mjs");
    const frames = [
      ...result.stdout.matchAll(/node_modules\/metamorph\/(src\/[\w/]+\.ts):(\d+):\d+/g),
    ];
    expect(frames.length, result.stdout).toBeGreaterThan(0);
    // The first frame is the line of our source that throws.
    const [, file, line] = frames[0]!;
    const text = readFileSync(join(REPO, file!), "utf8").split("\n")[Number(line) - 1];
    expect(text).toContain("throw new InvalidClassDefinitionError");
    // Without the flag the same frames are in dist/*.js: the maps are what names the sources.
    const plain = ok(run("node", ["throws.mjs"], dir), "throws.mjs").stdout;
    expect(plain).toMatch(/node_modules\/metamorph\/dist\/[\w/]+\.js:\d+/);
    expect(plain).not.toMatch(/\.ts:\d+/);
  });

  test("what users install is small and carries no compiler", () => {
    const installed = bytesBelow(join(dir, "node_modules"));
    const listed = ok(run("npm", ["ls", "--omit=dev", "--all", "--parseable"], dir), "npm ls");
    const packages = listed.stdout
      .split("\n")
      .filter((line) => line.includes("node_modules"))
      .map((line) => line.slice(line.lastIndexOf("node_modules/") + "node_modules/".length));
    figures.push(`installed: ${(installed / MB).toFixed(2)} MB (${packages.sort().join(", ")})`);
    expect(packages).not.toContain("typescript");
    expect(packages).not.toContain("tsx");
    expect(packages).not.toContain("fast-check");
    // 3.68 MB measured (3.0 MB at an earlier count; metamorph's own dist with
    // its maps is most of it, and grows with the engine; the bound was 3.5 MB):
    // the bound is for a compiler coming in (typescript alone is ~20 MB).
    expect(installed).toBeLessThanOrEqual(4 * MB);
  });

  test("npx metamorph --version prints the package's version", () => {
    const result = ok(run("npx", ["--no-install", "metamorph", "--version"], dir), "--version");
    expect(result.stdout.trim()).toBe(version);
  });
});

describe("a strict consumer's tsc", () => {
  const STRICT = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    noEmit: true,
    target: "ES2022",
    types: ["node"],
  };
  const VARIANTS = [
    { resolution: "node16", module: "node16" },
    { resolution: "nodenext", module: "nodenext" },
    { resolution: "bundler", module: "esnext" },
    // TypeScript's node10 resolution reads no `exports`: the subpaths' types come from `typesVersions`.
    { resolution: "node", module: "esnext" },
  ] as const;
  let dir = "";
  beforeAll(() => {
    const files: Record<string, string> = {
      "src/consumer.ts": readFileSync(join(FIXTURES, "consumer.ts"), "utf8"),
      "baseline/plain.ts": BASELINE,
    };
    for (const { resolution, module } of VARIANTS) {
      for (const dom of [true, false]) {
        const compilerOptions = {
          ...STRICT,
          module,
          moduleResolution: resolution,
          lib: dom ? ["ES2023", "DOM"] : ["ES2023"],
        };
        const name = `${resolution}.${dom ? "dom" : "nodom"}`;
        files[`tsconfig.${name}.json`] = JSON.stringify({ compilerOptions, include: ["src"] });
        files[`tsconfig.baseline.${name}.json`] = JSON.stringify({
          compilerOptions,
          include: ["baseline"],
        });
      }
    }
    dir = consumer("types", { type: "module" }, files, [
      tarball,
      `typescript@${lockedVersion("typescript")}`,
      `@types/node@${lockedVersion("@types/node")}`,
    ]);
  }, 180_000);

  for (const { resolution } of VARIANTS) {
    for (const dom of [true, false]) {
      const name = `${resolution}.${dom ? "dom" : "nodom"}`;
      test(`moduleResolution ${resolution}, ${dom ? "with" : "without"} the DOM lib`, () => {
        const tsc = join(dir, "node_modules/typescript/bin/tsc");
        const check = (config: string) => {
          const result = run("node", [tsc, "-p", config, "--extendedDiagnostics"], dir);
          // tsc's own figures ("Files:  212", "Check time:  1.20s"), apart from anything else it says.
          const stats = new Map<string, string>();
          const said = result.stdout.split("\n").filter((line) => {
            const stat = /^([A-Za-z][\w ()/-]*):\s+(\S+)$/.exec(line.trim());
            if (stat) stats.set(stat[1]!, stat[2]!);
            return !stat && line.trim() !== "";
          });
          return { result, said: said.join("\n") + result.stderr, stats };
        };
        // The same tsc on the same project without metamorph, just before: what metamorph adds.
        const baseline = check(`tsconfig.baseline.${name}.json`);
        expect(baseline.said).toBe("");
        const consumer = check(`tsconfig.${name}.json`);
        const stat = (of: typeof consumer, key: string) => Number.parseFloat(of.stats.get(key)!);
        const added = (key: string) => stat(consumer, key) - stat(baseline, key);
        const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
        figures.push(
          `consumer tsc (${name}): ${s(consumer.result.ms)}, without metamorph ${s(baseline.result.ms)} (check time ${consumer.stats.get("Check time")} vs ${baseline.stats.get("Check time")}); metamorph adds ${added("Files")} files, ${added("Lines of Definitions")} lines of declarations to ${stat(baseline, "Lines of Definitions")} + ${stat(baseline, "Lines of Library")} of @types/node and the libs`,
        );
        expect(consumer.said).toBe("");
        expect(consumer.result.status).toBe(0);
        // Two tsc runs; a loaded machine makes each take tens of seconds.
      }, 300_000);
    }
  }
});

/** A child process whose output can be awaited line by line, bounded in time. */
function watch(child: ChildProcess): (pattern: RegExp, timeoutMs?: number) => Promise<string> {
  let text = "";
  const waiters: (() => void)[] = [];
  const take = (chunk: Buffer) => {
    text += chunk.toString();
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  return async (pattern, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pattern.exec(text);
      if (found) return found[0];
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; output:\n${text}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  };
}

const COUNTER_JS = `class Counter {
  constructor() { this.count = 0; }
  tick() { this.count += 1; return this.label(); }
  label() { return "count " + this.count; }
}
const counter = new Counter();
setInterval(() => console.log(counter.tick()), 100);
`;

describe("metamorph dev from the installed package", () => {
  async function devSession(dir: string, entry: string, file: string): Promise<void> {
    const child = spawn("npx", ["--no-install", "metamorph", "dev", entry], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const waitFor = watch(child);
    try {
      await waitFor(/count 3\b/);
      const source = readFileSync(join(dir, file), "utf8");
      writeFileSync(
        join(dir, file),
        source.replace('"count " + this.count', '"total " + this.count'),
      );
      // The same object keeps counting with the new code: no restart, state kept.
      const line = await waitFor(/total (\d+)/);
      expect(Number(line.split(" ")[1])).toBeGreaterThan(3);
    } finally {
      child.kill("SIGTERM");
    }
  }

  test("a .js entry in a CommonJS project", async () => {
    const dir = consumer("dev-cjs", { type: "commonjs" }, { "app.js": COUNTER_JS }, [tarball]);
    await devSession(dir, "app.js", "app.js");
  }, 120_000);

  test("a .ts entry, with tsx installed beside it", async () => {
    const source = COUNTER_JS.replace("class Counter {", "class Counter {\n  count: number;");
    const dir = consumer("dev-ts", { type: "module" }, { "app.ts": source }, [
      tarball,
      `tsx@${lockedVersion("tsx")}`,
    ]);
    await devSession(dir, "app.ts", "app.ts");
  }, 120_000);
});

describe("Vite with metamorph/vite from vite.config.ts", () => {
  const EXAMPLE = join(REPO, "examples/vite-todo");
  let dir = "";
  beforeAll(() => {
    const files: Record<string, string> = {
      "vite.config.ts": `import { defineConfig } from "vite";
import metamorph from "metamorph/vite";

export default defineConfig({ plugins: [metamorph()], server: { host: "127.0.0.1" } });
`,
    };
    // The example's page and modules; its own config imports the plugin from source.
    for (const file of readdirSync(EXAMPLE)) {
      if (/\.(ts|html)$/.test(file) && file !== "vite.config.ts") {
        files[file] = readFileSync(join(EXAMPLE, file), "utf8");
      }
    }
    dir = consumer("vite", { type: "module" }, files, [tarball, `vite@${lockedVersion("vite")}`]);
  }, 180_000);

  test("vite build succeeds", () => {
    ok(run("npx", ["--no-install", "vite", "build", "--logLevel", "error"], dir), "vite build");
    expect(readFileSync(join(dir, "dist/index.html"), "utf8")).toContain("<script");
  }, 120_000);

  let added = Number.NaN;
  let afterEdit = Number.NaN;

  test("the dev page keeps its objects across an edit", async () => {
    const { openPage } = await import("./vitePage.js");
    const vite = (await import(
      pathToFileURL(join(dir, "node_modules/vite/dist/node/index.js")).href
    )) as typeof import("vite");
    const withPlugin = await openPage(vite, dir, {});
    const atLoad = withPlugin.bytes();
    try {
      const page = withPlugin.page;
      for (let i = 0; i < 2; i++) await page.click("#increment");
      await page.evaluate(() => {
        const g = globalThis as Record<string, unknown>;
        g.marker = (g.app as Record<string, unknown>).counter;
      });
      copyFileSync(join(dir, "counter.ts"), join(dir, "counter.ts.orig"));
      const source = readFileSync(join(dir, "counter.ts"), "utf8");
      // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
      const edited = source.replace("`Count: ${this.count}`", "`Clicks: ${this.count}`");
      expect(edited).not.toBe(source);
      writeFileSync(join(dir, "counter.ts"), edited);
      await page.waitForFunction(
        () =>
          ((globalThis as { __metamorph?: { updates: number } }).__metamorph?.updates ?? 0) >= 1,
        null,
        { timeout: 20_000 },
      );
      expect(
        await page.evaluate(() => {
          const g = globalThis as Record<string, unknown>;
          return g.marker === (g.app as Record<string, unknown>).counter;
        }),
      ).toBe(true);
      expect(await page.textContent("#counter")).toBe("Clicks: 2");
    } finally {
      await withPlugin.close();
    }
    copyFileSync(join(dir, "counter.ts.orig"), join(dir, "counter.ts"));
    const without = await openPage(vite, dir, { configFile: false });
    await without.close();
    added = atLoad - without.bytes();
    // The edit re-fetched counter.ts (a few kB) and brought the update engine.
    afterEdit = withPlugin.bytes() - atLoad;
    const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    figures.push(
      `page payload at load: ${kB(atLoad)} with the plugin, ${kB(without.bytes())} without: the plugin adds ${kB(added)}; the first edit loads ${kB(afterEdit)} more (the update engine and the edited module)`,
      `page first load (fresh dev server): ${s(withPlugin.loadMs)} with the plugin, ${s(without.loadMs)} without`,
    );
  }, 120_000);

  // Issue 11, goal 3. The page loads what registers classes and makes their
  // objects (src/dev/vitePageRuntime.ts and its common code, ~64 kB
  // minified, plus ~0.6 kB per instrumented module); planning, migration and
  // validation (src/dev/vitePageEngine.ts, ~176 kB minified) come with the
  // first edit of a class, the lifecycle (~25 kB) with the first edit that
  // waits for calls in flight.
  // No parser (acorn alone would add about 100 kB) nor immer, patch JSON,
  // trust, summaries or composition reach the page at all.
  test("what the plugin adds to a page is at most 115 kB", () => {
    // 110.1 kB measured (a plugin's methods on a class's prototype told from
    // its own at registration, subclasses' new.targets noted by the handle,
    // the call tracker's frames known by position; the bound was 110 kB),
    // 102.8 kB before (custom elements' lifecycle callbacks forwarded to
    // the running version, state kept in modules without classes, statics of
    // unmanaged classes; the bound was 100 kB): the bound catches a parser
    // coming to the page at load (~100 kB more).
    expect(added).toBeLessThanOrEqual(115_000);
    // With the engine, after the first edit: 400.1 kB measured (containers a
    // migrator changed put back, static data written to the registered
    // class, subclasses kept on it, recorded and nested proxies, a lazy
    // look's trap failures, symbol keys kept apart around fixed ones,
    // release warnings through module objects and dictionaries; the bound
    // was 400 kB), 388.1 kB (the second
    // run's guards against locking its target, revoked and field-hiding
    // proxies, warning looks that may throw, statics shared with and
    // written to the registered class, constructors that move their object;
    // the bound was 380 kB), 365.1 kB (lazy guards
    // shaped as their members, migrators holding their target run again on
    // the live object, classes a bundler renamed matched across releases,
    // state other release code wrote and functions in plain objects, warnings
    // of policy-dependent reads and constructors calling new methods; the
    // bound was 360 kB), 341.1 kB (stale-closure
    // warnings for assignments, subclasses, kept methods and rollbacks;
    // old-release values in Maps and Sets, field kinds judged per field,
    // custom elements' callbacks, state kept in modules without classes;
    // the bound was 340 kB), 319.6 kB (the
    // rollback's dry run of locked objects, fields becoming accessors,
    // created classes' closure reads, revoked-proxy argument checks; the
    // class-removal checks are pruned: the page never removes a class; the
    // bound was 320 kB), 304 kB (late names of
    // classes a patch adds, removed-class reads, stranded created
    // subclasses, held completions and rollback guards, the page's
    // unmanaged classes and removed fields; the bound was 300 kB), 284 kB (the
    // checks of code a patch carries, afterCommit hooks' records, proxies at
    // lazy guards and brands at construction, release warnings, the page's
    // top-level guards and moved classes; the bound was 260 kB), 246 kB at
    // an earlier count (Vite's dev server
    // serves modules unminified, comments included; about 7 kB of it the call
    // tracking the page loads to wait for calls in flight; 222 kB at an
    // earlier count, 207 kB before the
    // warnings about new superclasses' fields and function fields, 190 kB before the build
    // ahead's checks of the live classes and the warnings about fields set out
    // of sight; 177 kB before the stacked
    // lazy rollback, the non-configurable member checks, carried attributes
    // and closures capturing `this`; 161 kB before the checks of objects
    // built outside the handles, module symbols and lazy objects built
    // since); the bound catches a parser coming back, ~100 kB (immer's
    // absence is checked in test/dev/vitePageRuntime.test.ts).
    expect(added + afterEdit).toBeLessThanOrEqual(420_000);
  });
});
