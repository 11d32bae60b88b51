/**
 * Acceptance: `metamorph dev` runs examples/dev-counter (a copy in the
 * system's temporary directory), and the test edits its files 22 times —
 * fields added, removed and renamed (with a hint, and after the fact),
 * methods added and changed, a superclass changed, a module-level function
 * changed, a syntax error and its fix, a throwing migrator, a failed
 * validation, a changed initialiser, a field added to a base class in another
 * module. After each edit it checks through the example's HTTP endpoint
 * (127.0.0.1) that every object kept its state and identity and that the new
 * behaviour is live, and through the tool's output that it said what it did.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CLI,
  copyExample,
  editFile,
  type Running,
  removeDir,
  run,
  writeAtomically,
} from "./support.js";

interface View {
  fields: Record<string, unknown>;
  sameObject: boolean;
  isInstance: boolean;
  constructorName: string;
}
interface State {
  counters: Record<string, View>;
  todos: View;
  totalClicks: number;
}

let dir: string;
let program: Running;
let base: string;

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function post<T>(path: string, body = ""): Promise<T> {
  const response = await fetch(`${base}${path}`, { method: "POST", body });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** State, after checking that every object is still the same object and an instance of its class. */
async function state(): Promise<State> {
  const s = await get<State>("/state");
  for (const view of [...Object.values(s.counters), s.todos]) {
    expect(view.sameObject).toBe(true);
    expect(view.isInstance).toBe(true);
  }
  return s;
}

/** Saves a file and waits for the tool's first line about it that matches `expected`. */
async function save(
  file: string,
  text: string | ((before: string) => string),
  expected: RegExp,
): Promise<string> {
  const from = program.stderr.all.length;
  const path = `${dir}/${file}`;
  if (typeof text === "string") writeAtomically(path, text);
  else editFile(path, text);
  return program.stderr.waitFor(expected, {
    from,
    what: `the reaction to saving ${file}: ${expected}`,
  });
}

/** Lines printed since `from` (to check for absent warnings). */
function linesSince(from: number): string {
  return program.stderr.all.slice(from).join("\n");
}

function counter(body: string, options: { base?: string; header?: string } = {}): string {
  return `import { ${options.base ?? "Entity"} } from "./entity.js";
${options.header ?? ""}
/** Module-level state that is not a class instance: kept across reloads. */
let clicksSinceStart = 0;

export class Counter extends ${options.base ?? "Entity"} {
${body}
}

export function totalClicks(): number {
  return clicksSinceStart;
}
`;
}

describe("metamorph dev (Node)", () => {
  beforeAll(async () => {
    dir = copyExample("dev-counter");
    program = run([...CLI, "dev", "server.ts"], dir, { PORT: "0" });
    const listening = await program.stdout.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, {
      timeoutMs: 20_000,
      what: "the example to start listening",
    });
    base = /http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0];
  }, 30_000);

  afterAll(async () => {
    if (process.env.METAMORPH_TEST_VERBOSE) console.log(program?.stderr.all.join("\n"));
    await program?.stop();
    if (dir) removeDir(dir);
  });

  test("22 edits keep every object's state and identity and make the new code live", async () => {
    // Some state first: 4 clicks, 2 todos.
    for (const name of ["a", "a", "a", "b"]) await post(`/counters/${name}/click`);
    await post("/todos", "milk");
    await post("/todos", "eggs");
    let s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, count: 3 });
    expect(s.totalClicks).toBe(4);

    // 1. Add a field (and use it).
    await save(
      "counter.ts",
      counter(`  count = 0;
  step = 2;

  click(): number {
    clicksSinceStart++;
    this.count += this.step;
    return this.count;
  }

  describe(): string {
    return \`\${this.name}: \${this.count}\`;
  }`),
      /counter\.ts: updated Counter \(\+step, ~click\(\)\) \| 2 instances migrated, pause [\d.]+ ms/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, count: 3, step: 2 });
    expect(await post("/counters/a/click")).toBe(5);

    // 2. Change a method's output.
    await save(
      "counter.ts",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
      (t) => t.replace("`${this.name}: ${this.count}`", "`${this.name} has ${this.count}`"),
      /updated Counter \(~describe\(\)\) \| 0 instances migrated/,
    );
    expect(await get("/call/a/describe")).toBe("a has 5");

    // 3. Add a method.
    await save(
      "counter.ts",
      (t) =>
        t.replace(
          "  describe()",
          "  double(): number {\n    return this.count * 2;\n  }\n\n  describe()",
        ),
      /updated Counter \(\+double\(\)\)/,
    );
    expect(await get("/call/a/double")).toBe(10);

    // 4. A rename hint, written before the rename.
    await save(
      "counter.migrations.ts",
      `export const renames = { Counter: { total: "count" } };\n`,
      /counter\.migrations\.ts saved; it applies to the next update of counter\.ts/,
    );

    // 5. Rename a field: the hint carries the value.
    let from = program.stderr.all.length;
    await save(
      "counter.ts",
      (t) => t.replaceAll("count", "total"),
      /updated Counter \(count→total, ~click\(\), ~double\(\), ~describe\(\)\) \| 2 instances migrated/,
    );
    expect(linesSince(from)).not.toMatch(/warning/);
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, total: 5, step: 2 });
    expect(s.counters.b!.fields).toEqual({ name: "b", id: 2, total: 1, step: 2 });
    expect(await get("/call/a/describe")).toBe("a has 5");

    // 6. Remove a field.
    await save(
      "counter.ts",
      (t) => t.replace("  step = 2;\n", "").replace("this.total += this.step", "this.total += 1"),
      /updated Counter \(-step, ~click\(\)\) \| 2 instances migrated/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, total: 5 });
    expect(await post("/counters/a/click")).toBe(6);

    // 7. Change the superclass (a new import, a new inherited field and method).
    await save(
      "counter.ts",
      (t) =>
        t
          .replace(
            'import { Entity } from "./entity.js";',
            'import { Tracked } from "./entity.js";',
          )
          .replace("extends Entity", "extends Tracked")
          .replace(
            // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
            "`${this.name} has ${this.total}`",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
            "`${this.name} has ${this.total} (${this.kind()})`",
          ),
      /updated Counter \(extends Entity→Tracked, ~describe\(\)\) \| 2 instances migrated/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, touched: 0, total: 6 });
    expect(await get("/call/a/describe")).toBe("a has 6 (tracked)");

    // 8. A syntax error: reported with file and line; the program keeps running the old version.
    const error = await save(
      "counter.ts",
      (t) => t.replace("return this.total * 2;", "return this.total * ;"),
      /error/,
    );
    expect(error).toMatch(/^\[metamorph\] counter\.ts:\d+:\d+: error: SyntaxError: /);
    expect(await post("/counters/a/click")).toBe(7);
    expect(await get("/call/a/describe")).toBe("a has 7 (tracked)");

    // 9. Fixed on the next save (with a new behaviour).
    await save(
      "counter.ts",
      (t) => t.replace("return this.total * ;", "return this.total * 3;"),
      /updated Counter \(~double\(\)\) \| 0 instances migrated, pause [\d.]+ ms \| fixed/,
    );
    expect(await get("/call/a/double")).toBe(21);

    // 10. Another module: add a field to the todo list, used by a changed method.
    await save(
      "todo.ts",
      (t) =>
        t
          .replace("  items: Item[] = [];", '  title = "Groceries";\n  items: Item[] = [];')
          // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
          .replace("return this.items.map(", "return `${this.title}: ` + this.items.map(")
          .replace('.join("\\n");', '.join(", ");'),
      /todo\.ts: updated TodoList \(\+title, ~describe\(\)\) \| 1 instance migrated/,
    );
    s = await state();
    expect(s.todos.fields).toEqual({
      title: "Groceries",
      items: [
        { text: "milk", done: false },
        { text: "eggs", done: false },
      ],
    });
    expect(await get("/call/todos/describe")).toBe("Groceries: [ ] milk, [ ] eggs");

    // 11. Add a method to it.
    await save(
      "todo.ts",
      (t) =>
        t.replace(
          "  describe()",
          "  remaining(): number {\n    return this.items.filter((i) => !i.done).length;\n  }\n\n  describe()",
        ),
      /todo\.ts: updated TodoList \(\+remaining\(\)\)/,
    );
    expect(await get("/call/todos/remaining")).toBe(2);

    // 12. A module-level function changes; module-level state (the click count) is kept.
    await save(
      "counter.ts",
      (t) => t.replace("  return clicksSinceStart;", "  return clicksSinceStart * 10;"),
      /counter\.ts: updated function totalClicks/,
    );
    expect((await state()).totalClicks).toBe(70);

    // 13. A migrator that throws, written first…
    await save(
      "counter.migrations.ts",
      `export const renames = { Counter: { total: "count" } };
export const migrate = {
  Counter(old: Record<string, unknown>, counter: Record<string, unknown>) {
    counter.bonus = (old.missing as { value: number }).value;
  },
};
`,
      /counter\.migrations\.ts saved/,
    );

    // 14. …fails the next update, with the migrator's file and line; nothing changed.
    const failure = await save(
      "counter.ts",
      (t) => t.replace("  total = 0;", "  total = 0;\n  bonus = 0;"),
      /error/,
    );
    expect(failure).toMatch(
      /^\[metamorph\] counter\.migrations\.ts:4:\d+: error: MM_MIGRATION_FAILED /,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, touched: 0, total: 7 });

    // 15. Fixing the migrator retries the update.
    await save(
      "counter.migrations.ts",
      (t) => t.replace("(old.missing as { value: number }).value", "Number(old.total) * 10"),
      /counter\.ts: updated Counter \(\+bonus\) \| 2 instances migrated, pause [\d.]+ ms \| fixed/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({ name: "a", id: 1, touched: 0, total: 7, bonus: 70 });
    expect(s.counters.b!.fields).toEqual({ name: "b", id: 2, touched: 0, total: 1, bonus: 10 });

    // 16. A validation…
    await save(
      "counter.migrations.ts",
      (t) =>
        `${t}export const validate = {
  Counter: (counter: Record<string, unknown>) =>
    typeof counter.limit === "number" || "limit must be a number",
};
`,
      /counter\.migrations\.ts saved/,
    );

    // 17. …refuses an update that breaks it; nothing changed.
    const refused = await save(
      "counter.ts",
      (t) => t.replace("  bonus = 0;", '  bonus = 0;\n  limit: unknown = "ten";'),
      /error/,
    );
    expect(refused).toMatch(/counter\.migrations\.ts(:\d+)?: error: MM_VALIDATION_FAILED/);
    expect(linesSince(0)).toMatch(/limit must be a number/);
    s = await state();
    expect(s.counters.a!.fields).not.toHaveProperty("limit");

    // 18. Fixed.
    await save(
      "counter.ts",
      (t) => t.replace('  limit: unknown = "ten";', "  limit = 10;"),
      /updated Counter \(\+limit\) \| 2 instances migrated.*\| fixed/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({
      name: "a",
      id: 1,
      touched: 0,
      total: 7,
      bonus: 70,
      limit: 10,
    });

    // 19. An ambiguous change without a hint: a warning that says how to choose.
    from = program.stderr.all.length;
    await save(
      "counter.ts",
      (t) => t.replace("  bonus = 0;", "  reward = 0;"),
      /updated Counter \(\+reward, -bonus\)/,
    );
    await program.stderr.waitFor(
      /warning: Counter: field bonus disappeared while reward appeared; .*export const renames = \{ Counter: \{ reward: "bonus" \} \}/,
      { from, what: "the ambiguity warning" },
    );
    s = await state();
    expect(s.counters.a!.fields.reward).toBe(0);

    // 20. The hint written after the fact: the update is undone and applied again; nothing lost.
    from = program.stderr.all.length;
    await save(
      "counter.migrations.ts",
      (t) => t.replace('{ total: "count" }', '{ total: "count", reward: "bonus" }'),
      /updated Counter \(bonus→reward\) \| 2 instances migrated/,
    );
    expect(linesSince(from)).toMatch(/undid the last update of counter\.ts/);
    s = await state();
    expect(s.counters.a!.fields).toEqual({
      name: "a",
      id: 1,
      touched: 0,
      total: 7,
      limit: 10,
      reward: 70,
    });

    // 21. A field added to a base class in another module reaches the subclasses' instances.
    await save(
      "entity.ts",
      (t) => t.replace("  id = nextId++;", '  id = nextId++;\n  tag = "dev";'),
      /entity\.ts: updated Entity \(\+tag\) \| 2 instances migrated/,
    );
    s = await state();
    expect(s.counters.a!.fields).toEqual({
      name: "a",
      id: 1,
      tag: "dev",
      touched: 0,
      total: 7,
      limit: 10,
      reward: 70,
    });
    expect(await get("/call/a/describe")).toBe("a has 7 (tracked)");

    // 22. A changed initialiser: existing objects keep their values, with a warning saying how to reset.
    from = program.stderr.all.length;
    await save(
      "counter.ts",
      (t) => t.replace("  limit = 10;", "  limit = 20;"),
      /updated Counter \(limit = …\) \| 0 instances migrated/,
    );
    await program.stderr.waitFor(
      /warning: Counter\.limit: initialiser changed \(10 → 20\); existing objects keep their values/,
      { from, what: "the initialiser warning" },
    );
    s = await state();
    expect(s.counters.a!.fields.limit).toBe(10);
    expect(s.totalClicks).toBe(70);
    expect(program.child.exitCode).toBe(null);
  });
});
