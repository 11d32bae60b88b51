/**
 * `metamorph diff` (issue 14, item 3): the patch between two releases'
 * sources, derived as `metamorph dev` derives a reload and written as a patch
 * module a person reviews. In process: the derivation and the module's text
 * (with properties over random class sources). End to end: diff → pack with a
 * key from keygen → apply to the old release running under `metamorph run`.
 * Unix sockets in a private temporary directory; every wait is bounded.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { derivePatch, type MigrationsModule } from "../../src/cli/diff/derive.js";
import type { ModuleSource } from "../../src/cli/diff/inventory.js";
import { hookSources } from "../../src/cli/diff/migrationsSource.js";
import { renderPatchModule } from "../../src/cli/diff/render.js";
import { CLI, REPO, removeDir, run, type Running } from "../dev/support.js";
import { type Workspace, workspace } from "./releaseSupport.js";

const mod = (file: string, js: string): ModuleSource => ({ file, js });

const derive = (
  old: readonly ModuleSource[],
  next: readonly ModuleSource[],
  migrations: readonly MigrationsModule[] = [],
) => derivePatch({ old, new: next, migrations });

describe("derivePatch: what changed, class by class", () => {
  const old = [
    mod("counter.js", "export class Counter {\n  count = 0;\n  label() { return 'v1'; }\n}\n"),
    mod(
      "clock.js",
      "export class Clock {\n  ticks = 0;\n}\nexport function pad(n) { return n; }\n",
    ),
  ];

  test("a field added, a method changed, an unchanged class left out, a changed function listed", () => {
    const next = [
      mod(
        "counter.js",
        "export class Counter {\n  count = 0;\n  step = 5;\n  label() { return 'v2'; }\n}\n",
      ),
      mod(
        "clock.js",
        "export class Clock {\n  ticks = 0;\n}\nexport function pad(n) { return ' ' + n; }\n",
      ),
    ];
    const derived = derive(old, next);
    expect(derived.classes.map((c) => c.name)).toEqual(["Counter"]);
    const [counter] = derived.classes;
    expect(counter!.summary).toMatchObject({ added: ["step"], methodsChanged: ["label()"] });
    expect(counter!.implementation).toMatch(/^class \{/);
    expect(counter!.todos).toEqual([]);
    expect(derived.functions).toEqual([
      {
        name: "pad",
        file: "clock.js",
        line: 4,
        source: "function pad(n) { return ' ' + n; }",
        todos: [],
      },
    ]);
  });

  test("statics with an unchanged initialiser keep the service's running value (keepStatics); an edited one does not", () => {
    const before = [
      mod(
        "store.js",
        "export class Store {\n  static cache = new Map();\n  static limit = 1;\n  n = 0;\n}\n",
      ),
    ];
    const after = [
      mod(
        "store.js",
        "export class Store {\n  static cache = new Map();\n  static limit = 2;\n  n = 0;\n  m = 1;\n}\n",
      ),
    ];
    const derived = derive(before, after);
    expect(derived.classes.map((c) => c.keepStatics)).toEqual([["cache"]]);
    const text = renderPatchModule(derived, {
      oldDir: "/r/1",
      newDir: "/r/2",
      date: new Date(0),
      name: "1 → 2",
      importFrom: "metamorph",
      outFile: "/r/p.mjs",
      language: "javascript",
    });
    expect(text).toContain('.replaceImplementation("Store", Store, { keepStatics: ["cache"] })');
  });

  test("a changed function that uses a name only the new module has is a TODO", () => {
    const before = [mod("f.js", "const a = 1;\nexport function f() { return a; }\n")];
    const after = [
      mod(
        "f.js",
        "import { b } from './b.js';\nconst a = 1;\nexport function f() { const c = 2; return a + b + c; }\n",
      ),
    ];
    const [f] = derive(before, after).functions;
    expect(f!.todos).toEqual([
      "f refers to b, which the new release's module declares or imports and the running one does not: the service compiles the function in the running module, where it is not defined. Rewrite those references, or restart to apply the change",
    ]);
  });

  test("a rename hint that applies is used; a removed field without a migrator is a TODO", () => {
    const next = [
      mod("counter.js", "export class Counter {\n  total = 0;\n  label() { return 'v1'; }\n}\n"),
      old[1]!,
    ];
    const ambiguous = derive(old, next).classes[0]!;
    expect(ambiguous.summary).toMatchObject({ added: ["total"], removed: ["count"] });
    expect(ambiguous.todos.join("\n")).toContain(
      "count disappeared while total appeared: treated as removed + added",
    );
    const hints: MigrationsModule = {
      file: "counter.migrations.ts",
      value: { renames: { Counter: { total: "count", unrelated: "nothing" } } },
      isDefault: false,
    };
    const renamed = derive(old, next, [hints]).classes[0]!;
    expect(renamed.renames).toEqual({ total: "count" });
    expect(renamed.summary.renamed).toEqual([["count", "total"]]);
    expect(renamed.todos).toEqual([]);
    const removedOnly = [mod("counter.js", "export class Counter {\n  label() { return 1; }\n}\n")];
    const removed = derive([old[0]!], removedOnly).classes[0]!;
    expect(removed.todos.join("\n")).toContain(
      "field count is removed and no migrator reads its value",
    );
    const withMigrator = derive([old[0]!], removedOnly, [
      { file: "counter.migrations.js", value: { migrate: { Counter: () => {} } }, isDefault: true },
    ]).classes[0]!;
    expect(withMigrator.todos).toEqual([]);
    expect(withMigrator.migrator).toBe(true);
  });

  test("code a bundle cannot reach, private members and an unmanaged superclass are TODOs", () => {
    const before = [
      mod(
        "a.js",
        "import { helper } from './h.js';\nexport class A { x = 1; }\nexport class P { y = 1; }\n",
      ),
    ];
    const after = [
      mod(
        "a.js",
        "import { helper } from './h.js';\nimport { EventEmitter } from 'node:events';\nexport class A extends EventEmitter { x = 1; run() { return helper(); } }\nexport class P { #y = 1; }\n",
      ),
    ];
    const [a, p] = derive(before, after).classes;
    expect(a!.superclass).toEqual([null, "EventEmitter"]);
    expect(a!.moduleNames).toEqual(["helper", "EventEmitter"]);
    const aTodos = a!.todos.join("\n");
    expect(aTodos).toContain("A now extends EventEmitter, which metamorph does not manage");
    expect(aTodos).toContain("refers to helper, EventEmitter, declared or imported in a.js");
    expect(p!.todos.join("\n")).toContain("P declares private # members");
  });

  test("superclasses come first; subclasses of a class whose fields moved migrate with it", () => {
    const before = [
      mod(
        "shapes.js",
        "export class Shape { x = 0; }\nexport class Circle extends Shape { r = 1; }\n",
      ),
      mod(
        "square.js",
        "import { Shape } from './shapes.js';\nexport class Square extends Shape { side = 1; }\n",
      ),
    ];
    const after = [
      mod(
        "shapes.js",
        "export class Shape { x = 0; y = 0; }\nexport class Circle extends Shape { r = 2; }\n",
      ),
      before[1]!,
    ];
    const derived = derive(before, after);
    expect(derived.classes.map((c) => [c.name, c.reason])).toEqual([
      ["Shape", "changed"],
      ["Circle", "changed"],
      ["Square", "subclass"],
    ]);
    expect(derived.classes[1]!.todos.join("\n")).toContain("Circle.r: initialiser changed (1 → 2)");
  });

  test("a changed initialiser listed in reset is given to existing objects; one not listed is a TODO", () => {
    const before = [mod("c.js", "export class C {\n  step = 1;\n  size = 1;\n}\n")];
    const after = [mod("c.js", "export class C {\n  step = 2;\n  size = 3;\n}\n")];
    const hints = { file: "c.migrations.js", value: { reset: { C: ["step"] } }, isDefault: false };
    const [c] = derive(before, after, [hints]).classes;
    expect(c!.resets).toEqual([["step", "2"]]);
    expect(c!.todos).toEqual([
      'C.size: initialiser changed (1 → 3); existing objects keep their values. To give them the new value, list it in c.migrations.js: export const reset = { C: ["size"] }',
    ]);
    const text = renderPatchModule(derive(before, after, [hints]), {
      oldDir: "/r/1",
      newDir: "/r/2",
      date: new Date(0),
      name: "p",
      importFrom: "metamorph",
      outFile: "/r/p.mjs",
      language: "javascript",
    });
    expect(text).toContain('  .migrate("C", (_old, object) => { object["step"] = 2; })');
  });

  test("a module that only parses as CommonJS is read as a script", () => {
    const legacy = (fields: string) =>
      mod(
        "legacy.js",
        `var yield = 1;\nclass Legacy {\n  ${fields}\n}\nmodule.exports = { Legacy };\n`,
      );
    const derived = derive([legacy("x = 1;")], [legacy("x = 1;\n  y = 2;")]);
    expect(derived.classes.map((c) => [c.name, c.summary.added])).toEqual([["Legacy", ["y"]]]);
  });

  test("what no patch carries is noted: new and removed classes and modules, module state", () => {
    const before = [
      mod("a.js", "export class Gone {}\nexport const limit = 1;\n"),
      mod("old.js", ""),
    ];
    const after = [
      mod("a.js", "export class Fresh {}\nexport const limit = 2;\n"),
      mod("new.js", ""),
    ];
    expect(derive(before, after).notes).toEqual([
      "new.js is a new module: the running service never imported it; restart to load it",
      "old.js was removed: the running service keeps its code until a restart",
      "a.js:1: class Fresh is new: no code of the running service refers to it; restart to use it",
      "a.js: class Gone was removed: its live instances keep the last version; restart to drop it",
      "a.js:2: module-level const limit changed: the service keeps its running value; restart to re-run its initialiser",
    ]);
  });
});

describe("derivePatch: properties over random class sources", () => {
  const ident = fc.constantFrom("alpha", "beta", "gamma", "delta", "count", "total");
  const classSource = fc.record({
    name: fc.constantFrom("A", "B", "C", "D", "E"),
    fields: fc.uniqueArray(ident, { maxLength: 4 }),
    methods: fc.uniqueArray(fc.constantFrom("run", "show", "sum"), { maxLength: 3 }),
    n: fc.integer({ min: 0, max: 99 }),
  });
  const moduleSource = fc
    .uniqueArray(classSource, { selector: (c) => c.name, minLength: 1, maxLength: 4 })
    .map((classes) =>
      classes
        .map(
          ({ name, fields, methods, n }) =>
            `export class ${name} {\n${fields.map((f) => `  ${f} = ${n};\n`).join("")}${methods.map((m) => `  ${m}() { return ${n} + ${JSON.stringify(m)}; }\n`).join("")}}\n`,
        )
        .join("\n"),
    );

  test("derive(old, old) is an empty patch", () => {
    fc.assert(
      fc.property(moduleSource, (js) => {
        const derived = derive([mod("m.js", js)], [mod("m.js", js)]);
        expect(derived).toEqual({ classes: [], functions: [], notes: [] });
      }),
      { seed: 1414, numRuns: 150 },
    );
  });

  test("derive is deterministic, and a field added to one class is exactly that change", () => {
    fc.assert(
      fc.property(moduleSource, fc.nat(), (js, pick) => {
        const names = [...js.matchAll(/class (\w+)/g)].map((m) => m[1]!);
        const target = names[pick % names.length]!;
        const changed = js.replace(`class ${target} {\n`, `class ${target} {\n  added = 1;\n`);
        const once = derive([mod("m.js", js)], [mod("m.js", changed)]);
        expect(derive([mod("m.js", js)], [mod("m.js", changed)])).toEqual(once);
        expect(once.classes.map((c) => c.name)).toEqual([target]);
        expect(once.classes[0]!.summary).toMatchObject({
          added: ["added"],
          removed: [],
          renamed: [],
          methodsChanged: [],
        });
      }),
      { seed: 2027, numRuns: 150 },
    );
  });
});

describe("renderPatchModule: a module a person reads", () => {
  test("header, one section per class, TODOs, the patch", () => {
    const derived = derive(
      [
        mod(
          "counter.js",
          "export class Counter {\n  count = 0;\n}\nexport function f() { return 1; }\n",
        ),
      ],
      [
        mod(
          "counter.js",
          "export class Counter {\n  total = 0;\n}\nexport function f() { return 2; }\n",
        ),
      ],
      [
        {
          file: "counter.migrations.ts",
          value: { migrate: { Counter: () => {} }, validate: { Counter: () => true } },
          isDefault: true,
        },
      ],
    );
    const text = renderPatchModule(derived, {
      oldDir: "/releases/1.0",
      newDir: "/releases/1.1",
      date: new Date("2026-12-04T10:00:00Z"),
      name: "1.0 → 1.1",
      importFrom: "metamorph",
      outFile: "/releases/patch.mjs",
      language: "javascript",
    });
    expect(text).toContain(
      " *   old release: /releases/1.0\n *   new release: /releases/1.1\n *   derived:     2026-12-04T10:00:00.000Z",
    );
    expect(text).toContain('import counterMigrations from "./1.1/counter.migrations.ts";');
    expect(text).toContain(
      "// Counter — counter.js:1\n//   fields added: total = 0\n//   fields removed: count",
    );
    expect(text).toContain("const Counter = implementation(class {\n  total = 0;\n});");
    expect(text).toContain(
      'export default patch("1.0 → 1.1")\n  .replaceImplementation("Counter", Counter)\n  .migrate("Counter", counterMigrations.migrate.Counter)\n  .validateInstances("counter.migrations.ts: validate.Counter", "Counter", counterMigrations.validate.Counter)\n  .build();',
    );
    // The ambiguous rename, TypeScript migrations from JavaScript.
    const todos = text.split("\n").filter((l) => l.startsWith("// TODO:"));
    expect(todos).toHaveLength(2);
    expect(text).toContain(" * 2 TODOs: a person must decide each before packing");
    // The changed function, as the new release has it, exported by module and name.
    expect(text).toContain(
      '// f — counter.js:4\nconst fFunction = function f() { return 2; };\n\nexport const functions = {\n  "counter.js": { f: fFunction },\n};',
    );
    for (const line of text.split("\n")) {
      if (line.startsWith("//")) expect(line.length).toBeLessThanOrEqual(100);
    }
  });

  test("a JavaScript module copies a TypeScript migrations module's hooks instead of importing it", () => {
    const migrationsJs = [
      "export const renames = { Counter: { total: 'count' } };",
      "export const migrate = {",
      "  Counter(old, counter) {",
      "    counter.total = old.count * 10;",
      "  },",
      "};",
      "export default { validate: { Counter: (counter) => counter.total >= 0 || 'negative' } };",
    ].join("\n");
    const sources = hookSources(migrationsJs, "counter.migrations.ts");
    expect(sources).toEqual({
      "migrate.Counter":
        "({ Counter(old, counter) {\n    counter.total = old.count * 10;\n  } }).Counter",
      "validate.Counter": "({ Counter: (counter) => counter.total >= 0 || 'negative' }).Counter",
    });
    const derived = derive(
      [mod("counter.js", "export class Counter {\n  count = 0;\n}\n")],
      [mod("counter.js", "export class Counter {\n  total = 0;\n}\n")],
      [
        {
          file: "counter.migrations.ts",
          value: {
            renames: { Counter: { total: "count" } },
            migrate: { Counter: () => {} },
            validate: { Counter: () => true },
          },
          isDefault: false,
          sources,
        },
      ],
    );
    const options = {
      oldDir: "/r/1",
      newDir: "/r/2",
      date: new Date(0),
      name: "p",
      importFrom: "metamorph",
      outFile: "/r/p.mjs",
    } as const;
    const javascript = renderPatchModule(derived, { ...options, language: "javascript" });
    expect(javascript).not.toContain("import * as");
    expect(javascript).not.toContain("// TODO:");
    expect(javascript).toContain(`const migrateCounter = ${sources["migrate.Counter"]};`);
    expect(javascript).toContain(
      '  .migrate("Counter", migrateCounter)\n  .validateInstances("counter.migrations.ts: validate.Counter", "Counter", validateCounter)',
    );
    const typescript = renderPatchModule(derived, {
      ...options,
      outFile: "/r/p.ts",
      language: "typescript",
    });
    expect(typescript).toContain('import * as counterMigrations from "./2/counter.migrations.ts";');
    expect(typescript).toContain('  .migrate("Counter", counterMigrations.migrate.Counter)');
  });

  // tsx wraps names inside methods in esbuild's __name(…) when it loads a
  // TypeScript patch module for pack; Patch.hydrate gives such sources the
  // helper, so neither language needs a TODO for them.
  test("names inside methods need no TODO in either language", () => {
    const derived = derive(
      [mod("a.js", "export class A {\n  run() { return 1; }\n}\n")],
      [
        mod(
          "a.js",
          "export class A {\n  run() { const twice = (x) => 2 * x; function one() { return 1; } return twice(one()); }\n}\n",
        ),
      ],
    );
    expect(derived.classes[0]!.namedInside).toEqual(["twice", "one"]);
    const options = {
      oldDir: "/r/1",
      newDir: "/r/2",
      date: new Date(0),
      name: "p",
      importFrom: "metamorph",
      outFile: "/r/p.ts",
    };
    const typescript = renderPatchModule(derived, { ...options, language: "typescript" });
    expect(typescript).not.toContain("// TODO:");
    expect(typescript).toContain("const implementation = <C extends Function>(cls: C): C => cls;");
    const javascript = renderPatchModule(derived, { ...options, language: "javascript" });
    expect(javascript).not.toContain("// TODO:");
    expect(javascript).toContain("const implementation = (cls) => cls;");
  });
});

// ---------------------------------------------------------------------------
// End to end

const OLD_TREE: Record<string, string> = {
  "package.json": '{ "type": "module" }\n',
  "counter.ts": `/** Two classes: Counter gets a field, Clock does not change. */
export class Counter {
  count = 0;
  label(): string {
    return \`#\${this.count}\`;
  }
}

export class Clock {
  ticks = 0;
  tick(): number {
    return ++this.ticks;
  }
}
`,
  "account.ts": `export class Account {
  owner: string;
  balance = 0;
  constructor(owner: string) {
    this.owner = owner;
  }
  describe(): string {
    return \`\${this.owner}: \${this.balance}\`;
  }
}
`,
  "greeter.ts": `export class Greeter {
  greeting = "hello";
  greet(name: string): string {
    return this.greeting + ", " + name;
  }
}
`,
  "format.ts": `export function format(n: number): string {
  return "#" + n;
}
`,
  "main.ts": `import { createInterface } from "node:readline";
import { Account } from "./account.js";
import { Clock, Counter } from "./counter.js";
import { format } from "./format.js";
import { Greeter } from "./greeter.js";

const counter = Object.assign(new Counter(), { count: 3 });
const account = Object.assign(new Account("ada"), { balance: 10 });
const greeter = new Greeter();
const clock = new Clock();
clock.tick();
process.stdout.write("started\\n");
createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() !== "show") return;
    const state = {
      counter: { ...counter },
      account: { ...account, describe: account.describe() },
      greeting: greeter.greet("bob"),
      ticks: clock.tick(),
      format: format(7),
    };
    process.stdout.write(\`state \${JSON.stringify(state)}\\n\`);
  })
  .on("close", () => process.exit(0));
`,
};

const NEW_TREE: Record<string, string> = {
  ...OLD_TREE,
  "counter.ts": OLD_TREE["counter.ts"]!.replace("  count = 0;\n", "  count = 0;\n  step = 5;\n"),
  "account.ts": OLD_TREE["account.ts"]!.replaceAll("owner", "holder"),
  "account.migrations.ts": `export default {
  renames: { Account: { holder: "owner" } },
  migrate: {
    Account(old: { owner: unknown }, account: { holder: unknown }) {
      account.holder = String(old.owner).toUpperCase();
    },
  },
  validate: { Account: (account: { holder: unknown }) => typeof account.holder === "string" || "holder must be a string" },
};
`,
  "greeter.ts": OLD_TREE["greeter.ts"]!.replace('", " + name', '", " + name + "!"'),
  "format.ts": OLD_TREE["format.ts"]!.replace('"#" + n', '"No. " + n'),
};

function writeTree(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
}

let space: Workspace;
const metamorph = (args: readonly string[]) => space.metamorph(args);

/** The old tree's `entry` running under `metamorph run`, trusting `key`, once it has started. */
async function serve(
  key: string,
  socket: string,
  release: string,
  entry: string,
): Promise<Running> {
  const service = run(
    [...CLI, "run", "--trust", key, "--control", socket, "--release", release, entry],
    space.dir,
    { XDG_RUNTIME_DIR: space.runtimeDir },
    { stdin: true },
  );
  try {
    await service.stdout.waitFor(/^started/, { timeoutMs: 20_000 });
  } catch (error) {
    await service.stop(); // not handed back, so afterAll could not stop it
    throw error;
  }
  return service;
}

beforeAll(() => {
  space = workspace("mm-cli-diff-");
  writeTree(join(space.dir, "v1"), OLD_TREE);
  writeTree(join(space.dir, "v2"), NEW_TREE);
});

afterAll(() => {
  if (space) removeDir(space.dir);
});

interface State {
  counter: Record<string, unknown>;
  account: Record<string, unknown>;
  greeting: string;
  ticks: number;
  format: string;
}

describe("metamorph diff → pack → apply to the old release under metamorph run", () => {
  let service: Running | undefined;
  let patchText = "";
  let patchTextTs = "";
  let diffOutput = "";
  let applied = -1;
  let before: State;
  let after: State;

  const show = async (): Promise<State> => {
    const from = service!.stdout.all.length;
    service!.send("show");
    const line = await service!.stdout.waitFor(/^state /, { from, timeoutMs: 10_000 });
    return JSON.parse(line.slice("state ".length)) as State;
  };

  beforeAll(async () => {
    const builder = join(REPO, "src/patch/builder.ts");
    const [derived, derivedTs, keys] = await Promise.all([
      metamorph(["diff", "v1", "v2", "-o", "v2.patch.mjs", "--import", builder]),
      metamorph(["diff", "v1", "v2", "-o", "v2.patch.ts", "--import", builder]),
      metamorph(["keygen", "-o", "keys"]),
    ]);
    expect(derived.stderr).toBe("");
    expect([derived.code, derivedTs.code, keys.code]).toEqual([0, 0, 0]);
    diffOutput = derived.stdout;
    patchText = readFileSync(join(space.dir, "v2.patch.mjs"), "utf8");
    patchTextTs = readFileSync(join(space.dir, "v2.patch.ts"), "utf8");
    const pack = (module: string, out: string) =>
      metamorph([
        "pack",
        module,
        "--key",
        "keys/release.key",
        "--from",
        "1.0.0",
        "--to",
        "2.0.0",
        "-o",
        out,
      ]);
    const packed = await Promise.all([
      pack("v2.patch.mjs", "v2.bundle.json"),
      pack("v2.patch.ts", "v2-ts.bundle.json"),
    ]);
    expect(packed.map((p) => p.stderr)).toEqual(["", ""]);
    expect(packed.map((p) => p.code)).toEqual([0, 0]);
    const socket = join(space.dir, "service.sock");
    service = await serve("keys/release.pub", socket, "1.0.0", "v1/main.ts");
    before = await show();
    const result = await metamorph(["apply", "v2.bundle.json", "--to", socket]);
    applied = result.code ?? -1;
    after = await show();
  }, 120_000);

  afterAll(async () => {
    service?.child.stdin?.end();
    await service?.stop();
  });

  test("the module names both releases, a section per changed class and what to decide", () => {
    expect(patchText).toMatch(
      / \* {3}old release: .*\/v1\n \* {3}new release: .*\/v2\n \* {3}derived: {5}\d{4}-/,
    );
    expect(patchText).toContain(
      "// Account — account.ts:1\n//   fields renamed: owner → holder (from account.migrations.ts)\n//   methods changed: describe()\n//   migrator: migrate.Account (from account.migrations.ts)\n//   validation: validate.Account (from account.migrations.ts)",
    );
    expect(patchText).toContain("// Counter — counter.ts:2\n//   fields added: step = 5\n");
    expect(patchText).toContain("// Greeter — greeter.ts:1\n//   methods changed: greet()\n");
    expect(patchText).not.toContain("// Clock");
    expect(patchText).toContain(
      '// format — format.ts:1\nconst formatFunction = function format(n) {\n  return "No. " + n;\n};',
    );
    expect(patchText).toContain(
      'export const functions = {\n  "format.ts": { format: formatFunction },\n};',
    );
    // JavaScript carries a copy of the TypeScript migrations' hooks; TypeScript imports them.
    expect(patchText).not.toContain('account.migrations.ts";');
    expect(patchText).toContain("const migrateAccount = ({ Account(old, account) {");
    expect(patchText).toContain('  .migrate("Account", migrateAccount)');
    expect(patchTextTs).toContain('import accountMigrations from "./v2/account.migrations.ts";');
    expect(patchTextTs).toContain('  .migrate("Account", accountMigrations.migrate.Account)');
    expect(patchText).not.toContain("TODO:");
    expect(diffOutput).toContain(
      "  function format (format.ts): new source, replaced with the classes\n  nothing to decide",
    );
    expect(patchText).toContain(" * Nothing here needs a decision (no TODO).");
  });

  test("applied to the running old release: new fields, renamed state, new methods; state kept", () => {
    expect(before).toEqual({
      counter: { count: 3 },
      account: { owner: "ada", balance: 10, describe: "ada: 10" },
      greeting: "hello, bob",
      ticks: 2,
      format: "#7",
    });
    expect(applied).toBe(0);
    expect(after).toMatchObject({
      counter: { count: 3, step: 5 },
      account: { holder: "ADA", balance: 10, describe: "ADA: 10" },
      greeting: "hello, bob!",
      ticks: 3,
    });
    expect(after.account).not.toHaveProperty("owner");
  });

  // The bundle carries format's new source; the service compiles it in
  // format.ts's scope and assigns the module binding in the same update, so
  // main.ts's live import calls the new function.
  test("a changed top-level function is updated too", () => {
    expect(after.format).toBe("No. 7");
  });

  test("inspect and status list the function; a bundle naming a module the service lacks is refused", async () => {
    const socket = join(space.dir, "service.sock");
    const [inspected, status] = await Promise.all([
      metamorph(["inspect", "v2.bundle.json"]),
      metamorph(["status", "--to", socket]),
    ]);
    expect(inspected.stdout).toContain("    format.ts: format\n      function format(n) {");
    expect(status.stdout).toMatch(/^ {2}2\.0\.0 .*functions format\.ts:format/m);
    writeFileSync(
      join(space.dir, "elsewhere.patch.mjs"),
      `import { patch } from ${JSON.stringify(join(REPO, "src/patch/builder.ts"))};\nexport const functions = { "lib/format.ts": { format: function format(n) { return "?" + n; } } };\nexport default patch("elsewhere").build();\n`,
    );
    const packed = await metamorph([
      "pack",
      "elsewhere.patch.mjs",
      "--key",
      "keys/release.key",
      "--from",
      "2.0.0",
      "--to",
      "3.0.0",
      "-o",
      "elsewhere.bundle.json",
    ]);
    expect(packed.code).toBe(0);
    const refused = await metamorph(["apply", "elsewhere.bundle.json", "--to", socket]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("MM_RELEASE_FUNCTION");
    expect(refused.stderr).toContain(
      "lib/format.ts: function format: the service has not loaded this module",
    );
    expect((await show()).format).toBe("No. 7");
  });

  // tsx prints a TypeScript patch module's functions without their spacing: the same code.
  test("the JavaScript and the TypeScript patch module sign the function's source", () => {
    const functionsOf = (file: string) =>
      (
        JSON.parse(readFileSync(join(space.dir, file), "utf8")) as {
          payload: { functions: { module: string; name: string; source: string }[] };
        }
      ).payload.functions;
    expect(functionsOf("v2.bundle.json")).toEqual([
      {
        module: "format.ts",
        name: "format",
        source: 'function format(n) {\n  return "No. " + n;\n}',
      },
    ]);
    const [ts] = functionsOf("v2-ts.bundle.json");
    expect(ts).toMatchObject({ module: "format.ts", name: "format" });
    expect(ts!.source).toMatch(/^function format\(n\)\s*\{\s*return\s*"No\. "\s*\+\s*n;?\s*\}$/);
  });

  // Last: it returns the service to release 1.0.0.
  test("metamorph rollback puts the old function back with the old classes", async () => {
    const rolled = await metamorph(["rollback", "--to", join(space.dir, "service.sock")]);
    expect(rolled.code).toBe(0);
    const now = await show();
    expect(now).toMatchObject({ format: "#7", greeting: "hello, bob" });
  });
});

describe("metamorph diff: usage and refusals", () => {
  test.each([
    [["diff", "v1"], "missing <new-source-dir>"],
    [["diff", "v1", "v2"], "option --out is required"],
    [["diff", "v1", "v2", "-o", "patch.txt"], "option --out needs a .ts, .mts, .js or .mjs file"],
    [["diff", "nowhere", "v2", "-o", "p.ts"], "<old-source-dir> nowhere is not a directory"],
    [["diff", "v1", "v2", "-o", "p.ts", "--bogus"], "metamorph diff: unknown option --bogus\n"],
    [["diff", "v1", "v2", "v3", "-o", "p.ts"], 'unexpected argument "v3"'],
  ])(
    "metamorph %j exits 2 naming the problem",
    async (args, named) => {
      const result = await metamorph(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(named);
      expect(result.stderr).toContain("usage: metamorph diff");
    },
    30_000,
  );

  test("--help, and metamorph --help lists it", async () => {
    const [own, all] = await Promise.all([metamorph(["diff", "--help"]), metamorph(["--help"])]);
    expect(own.code).toBe(0);
    expect(own.stdout).toContain(
      "usage: metamorph diff <old-source-dir> <new-source-dir> -o <patch-module>",
    );
    expect(all.stdout).toMatch(/^ {2}diff <old> <new>/m);
  }, 30_000);

  test("a source that does not compile is refused (exit 1) naming the file, and nothing is written", async () => {
    writeTree(join(space.dir, "broken"), { "a.ts": "export class A {\n  x = ;\n}\n" });
    const result = await metamorph(["diff", "v1", "broken", "-o", "broken.patch.ts"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("MM_DIFF_SOURCE");
    expect(result.stderr).toContain("a.ts");
    expect(() => readFileSync(join(space.dir, "broken.patch.ts"))).toThrow();
  }, 30_000);
});

describe("a superclass change, derived and applied", () => {
  const OLD: Record<string, string> = {
    "package.json": '{ "type": "module" }\n',
    "base.ts": `export class Base {
  kind(): string {
    return "base";
  }
}

export class Other {
  kind(): string {
    return "other";
  }
}
`,
    "shape.ts": `import { Base, Other } from "./base.js";

export const parents = [Base, Other];

export class Shape extends Base {
  size = 1;
}
`,
    "main.ts": `import { createInterface } from "node:readline";
import { Shape } from "./shape.js";

const shape = Object.assign(new Shape(), { size: 4 });
process.stdout.write("started\\n");
createInterface({ input: process.stdin })
  .on("line", () => process.stdout.write(\`state \${JSON.stringify({ kind: shape.kind(), size: shape.size })}\\n\`))
  .on("close", () => process.exit(0));
`,
  };
  const NEW = { ...OLD, "shape.ts": OLD["shape.ts"]!.replace("extends Base", "extends Other") };

  let service: Running | undefined;
  let patchText = "";
  let applied: Awaited<ReturnType<Workspace["metamorph"]>>;
  let after: { kind: string; size: number };

  beforeAll(async () => {
    writeTree(join(space.dir, "s1"), OLD);
    writeTree(join(space.dir, "s2"), NEW);
    const builder = join(REPO, "src/patch/builder.ts");
    const [derived, keys] = await Promise.all([
      metamorph(["diff", "s1", "s2", "-o", "s2.patch.mjs", "--import", builder]),
      metamorph(["keygen", "-o", "skeys"]),
    ]);
    expect([derived.code, keys.code]).toEqual([0, 0]);
    patchText = readFileSync(join(space.dir, "s2.patch.mjs"), "utf8");
    const packed = await metamorph([
      "pack",
      "s2.patch.mjs",
      "--key",
      "skeys/release.key",
      "--from",
      "1",
      "--to",
      "2",
      "-o",
      "s2.bundle.json",
    ]);
    expect(packed.stderr).toBe("");
    const socket = join(space.dir, "shape.sock");
    service = await serve("skeys/release.pub", socket, "1", "s1/main.ts");
    applied = await metamorph(["apply", "s2.bundle.json", "--to", socket]);
    const from = service.stdout.all.length;
    service.send("show");
    const line = await service.stdout.waitFor(/^state /, { from, timeoutMs: 10_000 });
    after = JSON.parse(line.slice("state ".length)) as typeof after;
  }, 120_000);

  afterAll(async () => {
    service?.child.stdin?.end();
    await service?.stop();
  });

  // Other is a class the service manages: its compile scope has it by that
  // name (release/compileScope.ts), so there is nothing to decide about it.
  test("the module changes the superclass, loads with a stand-in, and needs no decision", () => {
    expect(patchText).toContain("//   superclass: Base → Other");
    expect(patchText).toContain("const Other = class {};");
    expect(patchText).toContain(
      '  .changeSuperclass("Shape", "Other")\n  .replaceImplementation("Shape", Shape)',
    );
    expect(patchText).not.toContain("TODO:");
    expect(patchText).toContain(" * Nothing here needs a decision (no TODO).");
  });

  // A bundle's code is compiled with the service's namespace classes in
  // scope (release/compileScope.ts), so `class extends Other` names the
  // service's own class Other: the superclass change reaches the service,
  // and the objects keep their state.
  test("a superclass change reaches the service through a bundle", () => {
    expect(applied.code).toBe(0);
    expect(after).toEqual({ kind: "other", size: 4 });
  });
});
