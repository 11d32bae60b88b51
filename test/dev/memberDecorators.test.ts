/**
 * Member decorators (TypeScript's experimentalDecorators) of a managed
 * class through `metamorph dev` edits: the decorator calls after the class
 * (`__decorateClass(…)` from tsx, `__decorate(…)` from tsc) run again over
 * the methods each update installs, a changed one is applied, a removed one
 * is gone, and a field's changed decorator asks for a restart (review
 * advZ20 2: the first edit of any method dropped the decorator's wrapper).
 */
import { join } from "node:path";
import ts from "typescript";
import { afterEach, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  type Running,
  run,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
  tempProject,
  writeAtomically,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;
stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const DECORATORS = `export const calls: string[] = [];
export const seen: string[] = [];
export function logged(target: any, key: string, desc: PropertyDescriptor) {
  const orig = desc.value;
  desc.value = function (this: any, ...args: any[]) {
    calls.push(key);
    return orig.apply(this, args);
  };
}
export function field(tag: string) {
  return (target: any, key: string) => { seen.push(tag + ":" + key); };
}
`;

const LOGGER = `import { field, logged } from "./decorators.js";
export class Logger {
  @field("a") level = 1;
  @logged
  log(m: string): string { return "L1:" + m; }
  other(): string { return "o1"; }
  static make(): string { return "m1"; }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Logger } from "./logger.js";
import { calls, seen } from "./decorators.js";
const made = new Logger();
Object.assign(globalThis, { Logger, made, calls, seen });
${ANSWER_STDIN}
console.log("ready");
`;

const PROBE = `[made.log("x"), made.other(), Logger.make(), calls.splice(0), seen]`;

describe("metamorph dev: member decorators of a managed class", () => {
  test("tsx: kept through edits of any method, changed and removed ones applied, a field's asks for a restart", async () => {
    ({ dir, program } = await startDev("member-decorators", {
      "tsconfig.json": '{ "compilerOptions": { "experimentalDecorators": true } }',
      "decorators.ts": DECORATORS,
      "logger.ts": LOGGER,
      "main.ts": MAIN,
    }));
    const file = join(dir, "logger.ts");
    expect(await ask(program, PROBE)).toEqual(["L1:x", "o1", "m1", ["log"], ["a:level"]]);

    let lines = await saveAndWait(
      program,
      file,
      (s) => s.replace('"o1"', '"o2"'),
      /updated Logger/,
    );
    expect(lines.join("\n")).toContain("updated Logger (~other())");
    expect(lines.join("\n")).not.toMatch(/MM_PROGRAM_METHOD_REPLACED|warning/);
    expect(await ask(program, PROBE)).toEqual(["L1:x", "o2", "m1", ["log"], ["a:level"]]);

    lines = await saveAndWait(program, file, (s) => s.replace('"L1:"', '"L2:"'), /updated Logger/);
    expect(lines.join("\n")).toContain("updated Logger (~log())");
    expect(await ask(program, PROBE)).toEqual(["L2:x", "o2", "m1", ["log"], ["a:level"]]);

    // Only the decorator calls after the class change: the class is installed again, then decorated.
    lines = await saveAndWait(
      program,
      file,
      (s) => s.replace("  other()", "  @logged\n  other()"),
      /applied over its new version/,
    );
    expect(lines.join("\n")).toContain("updated Logger (~other())");
    expect(lines.join("\n")).toMatch(
      /note: line \d+: the decorators of Logger\.other\(\) changed: applied over its new version/,
    );
    expect(await ask(program, PROBE)).toEqual(["L2:x", "o2", "m1", ["log", "other"], ["a:level"]]);

    lines = await saveAndWait(
      program,
      file,
      (s) => s.replace("  @logged\n  log(", "  log("),
      /updated Logger/,
    );
    expect(lines.join("\n")).toContain("updated Logger (~log())");
    expect(await ask(program, PROBE)).toEqual(["L2:x", "o2", "m1", ["other"], ["a:level"]]);

    lines = await saveAndWait(
      program,
      file,
      (s) => s.replace('@field("a")', '@field("b")'),
      /Logger\.level changed/,
    );
    expect(lines.join("\n")).toMatch(
      /note: line 3: the decorators of field Logger\.level changed: .*restart to apply them/,
    );
    expect(await ask(program, "seen")).toEqual(["a:level"]);
  }, 90_000);
});

const tsc = (source: string) =>
  ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  }).outputText;

describe("metamorph dev: member decorators compiled by tsc (`__decorate`)", () => {
  test("an edit of another method, then of the decorated one, keeps the decorator", async () => {
    dir = tempProject("member-decorators-tsc", {
      "decorators.js": tsc(DECORATORS),
      "logger.js": tsc(LOGGER),
      "main.js": tsc(MAIN),
    });
    expect(tsc(LOGGER)).toMatch(/__decorate\(\[\s*logged[\s\S]*Logger\.prototype, "log", null\)/);
    program = run([...CLI, "dev", "--no-restart", "main.js"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    const file = join(dir, "logger.js");
    expect(await ask(program, PROBE)).toEqual(["L1:x", "o1", "m1", ["log"], ["a:level"]]);
    let from = program.stderr.all.length;
    writeAtomically(file, tsc(LOGGER.replace('"o1"', '"o2"')));
    await program.stderr.waitFor(/updated Logger \(~other\(\)\)/, { from });
    expect(await ask(program, PROBE)).toEqual(["L1:x", "o2", "m1", ["log"], ["a:level"]]);
    from = program.stderr.all.length;
    writeAtomically(file, tsc(LOGGER.replace('"o1"', '"o2"').replace('"L1:"', '"L2:"')));
    await program.stderr.waitFor(/updated Logger \(~log\(\)\)/, { from });
    expect(await ask(program, PROBE)).toEqual(["L2:x", "o2", "m1", ["log"], ["a:level"]]);
    expect(program.stderr.all.join("\n")).not.toMatch(/warning|restart/);
  }, 60_000);
});

describe("metamorph dev: a decorated subclass in another module", () => {
  test("migrating with its superclass (a field added to it) keeps its decorators", async () => {
    ({ dir, program } = await startDev("member-decorators-subclass", {
      "tsconfig.json": '{ "compilerOptions": { "experimentalDecorators": true } }',
      "decorators.ts": DECORATORS,
      "base.ts": "export class Base {\n  a = 1;\n}\n",
      "child.ts": `import { Base } from "./base.js";
import { logged } from "./decorators.js";
export class Child extends Base {
  @logged
  hi(): string { return "hi"; }
}
`,
      "main.ts": `import { createInterface } from "node:readline";
import { Child } from "./child.js";
import { calls } from "./decorators.js";
const child = new Child();
Object.assign(globalThis, { child, calls });
${ANSWER_STDIN}
console.log("ready");
`,
    }));
    const probe = "[child.hi(), child.b, calls.splice(0)]";
    expect(await ask(program, probe)).toEqual(["hi", null, ["hi"]]);
    const lines = await saveAndWait(
      program,
      join(dir, "base.ts"),
      (s) => s.replace("a = 1;", "a = 1;\n  b = 2;"),
      /updated Base/,
    );
    expect(lines.join("\n")).toContain("updated Base (+b)");
    expect(await ask(program, probe)).toEqual(["hi", 2, ["hi"]]);
    // Reloaded once, the subclass's running version is the saved one: installed again by the next.
    await saveAndWait(program, join(dir, "child.ts"), (s) => s.replace('"hi"', '"ho"'), /~hi/);
    expect(await ask(program, probe)).toEqual(["ho", 2, ["hi"]]);
    await saveAndWait(
      program,
      join(dir, "base.ts"),
      (s) => s.replace("b = 2;", "b = 2;\n  c = 3;"),
      /updated Base/,
    );
    expect(await ask(program, "[child.hi(), child.c, calls.splice(0)]")).toEqual(["ho", 3, ["hi"]]);
  }, 60_000);
});
