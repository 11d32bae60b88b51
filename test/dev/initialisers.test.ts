/**
 * Issue 15, item 2: a field initialiser that reads state the constructor
 * sets later gives migrated and new objects different values; a reload that
 * adds such a field warns, naming the field and its line.
 */
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { parseModule, topLevel } from "../../src/dev/compile.js";
import { initialiserHazards } from "../../src/dev/initialisers.js";
import { CLI, editFile, type Running, run, stopAndRemoveAfter, tempProject } from "./support.js";

function hazardsOf(js: string) {
  const parsed = parseModule(js, "/virtual/shapes.js");
  const [cls] = topLevel(parsed).classes.values();
  return initialiserHazards(cls!.node, parsed.origin).map((h) => [h.field, h.line, h.reads]);
}

describe("initialisers that read what the constructor sets later", () => {
  test("found: constructor writes, parameter properties as tsx emits them, fields declared later", () => {
    expect(
      hazardsOf(`class Monster {
  constructor(name) { this.name = name; }
  name;
  tag = \`\${this.name}-tagged\`;
  size = this.scale * 2;
  scale = 1;
}`),
    ).toEqual([
      ["tag", 4, ["name"]],
      ["size", 5, ["scale"]],
    ]);
  });

  test("not found: fields initialised earlier, methods, deferred functions", () => {
    expect(
      hazardsOf(`class Fine {
  base = 2;
  double = this.base * 2;
  label = this.describe();
  later = () => this.name;
  constructor(name) { this.name = name; }
  describe() { return "fine"; }
}`),
    ).toEqual([]);
  });
});

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

test("a reload that adds such a field warns with the field and its line", async () => {
  dir = tempProject("initialisers", {
    "monster.ts": "export class Monster {\n  constructor(public name: string) {}\n}\n",
    "main.ts":
      'import { Monster } from "./monster.js";\nObject.assign(globalThis, { m0: new Monster("m0") });\nsetInterval(() => {}, 1000);\nconsole.log("ready");\n',
  });
  program = run([...CLI, "dev", "main.ts"], dir);
  await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000 });
  const from = program.stderr.all.length;
  editFile(join(dir, "monster.ts"), (t) =>
    t.replace(
      "export class Monster {\n",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: program source text
      "export class Monster {\n  tag = `${this.name}-tagged`;\n",
    ),
  );
  const warning = await program.stderr.waitFor(/warning: Monster\.tag/, {
    from,
    timeoutMs: 20_000,
  });
  expect(warning).toMatch(
    /^\[metamorph\] monster\.ts: warning: Monster\.tag \(line 2\): its initialiser reads this\.name, which a new object does not have yet/,
  );
}, 60_000);
