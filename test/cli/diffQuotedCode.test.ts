/**
 * Code `metamorph diff` quotes in its TODOs is on one line and short: a
 * changed initialiser spanning lines (fast-xml-parser's entity tables)
 * ended the comment at its first line break, and the written module did
 * not parse (review advZ18); a new field set from the constructor's
 * arguments was quoted as `entityDecoder = undefined` (htmlparser2 9).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { derivePatch } from "../../src/cli/diff/derive.js";
import type { ModuleSource } from "../../src/cli/diff/inventory.js";
import { renderPatchModule } from "../../src/cli/diff/render.js";
import { parseJavaScript } from "../../src/mop/source/parser.js";

const mod = (file: string, js: string): ModuleSource => ({ file, js });

function render(before: string, after: string): { text: string; todos: readonly string[] } {
  const derived = derivePatch({
    old: [mod("parser.js", before)],
    new: [mod("parser.js", after)],
    migrations: [],
  });
  const text = renderPatchModule(derived, {
    oldDir: "/r/1",
    newDir: "/r/2",
    date: new Date(0),
    name: "p",
    importFrom: "metamorph",
    outFile: "/r/p.mjs",
    language: "javascript",
  });
  return { text, todos: derived.classes.flatMap((c) => c.todos) };
}

test("a changed initialiser spanning lines: the written module parses, the TODO quotes it on one line", () => {
  const entries = fc.array(
    fc.tuple(
      fc.constantFrom("amp", "lt", "gt", "quot", "apos", "nbsp"),
      fc.string({ maxLength: 12 }),
    ),
    { minLength: 1, maxLength: 8 },
  );
  fc.assert(
    fc.property(entries, entries, fc.constantFrom("\n", "\r\n", "\n\n  "), (a, b, br) => {
      const table = (e: [string, string][]) =>
        `{${br}${e.map(([k, v]) => `    ${k}: ${JSON.stringify(v)},`).join(br)}${br}  }`;
      const cls = (e: [string, string][]) =>
        `export class XMLParser {\n  constructor() {\n    this.entities = ${table(e)};\n  }\n}\n`;
      fc.pre(table(a) !== table(b));
      const { text, todos } = render(cls(a), cls(b));
      expect(parseJavaScript(text, "module").ok).toBe(true);
      const todo = todos.find((t) => t.startsWith("XMLParser.entities: initialiser changed"));
      expect(todo).toBeDefined();
      expect(todo).not.toMatch(/[\r\n]/);
    }),
    { seed: 1812, numRuns: 40 },
  );
});

test("a new field set from the constructor's arguments is named without a made-up value", () => {
  const before = "export class Tokenizer {\n  constructor(cbs) {\n    this.cbs = cbs;\n  }\n}\n";
  const after =
    "import { EntityDecoder } from 'entities';\nexport class Tokenizer {\n  constructor(cbs, xml) {\n    this.cbs = cbs;\n    this.entityDecoder = new EntityDecoder(xml ? 1 : 2, (cp) => this.emit(cp));\n  }\n  emit() {}\n}\n";
  const { todos } = render(before, after);
  expect(todos.join("\n")).not.toMatch(/undefined/);
});
