/**
 * The parsed class the page reads back from what the dev server hands it
 * (src/dev/vitePageClassSource.ts) is the server's parse for everything the
 * page reads: the same fields, methods, statics, constructor, private state
 * and notes, and the same private members; only the spans of the other
 * members are left out.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { handedClassSource, pageClassSource } from "../../src/dev/vitePageClassSource.js";
import { parseClassSource } from "../../src/mop/source/parse.js";
import type { ParsedClass } from "../../src/mop/source/parsedClass.js";

/** Everything but the spans, with only the private members. */
function whatThePageReads(parsed: ParsedClass) {
  const { start: _s, end: _e, members, ...rest } = parsed;
  return { ...rest, members: members.filter((m) => m.private) };
}

const MEMBERS = [
  "count = 0;",
  "label;",
  'static unit = "px";',
  "static #secret = 1;",
  "#hidden = 2;",
  "get double() { return this.count * 2; }",
  "set double(v) { this.count = v / 2; }",
  "static create() { return new this(); }",
  "constructor(x) { this.x = x; this.y = [x]; }",
  "[Symbol.iterator]() { return [].values(); }",
  "async load() { await null; }",
  "*items() { yield 1; }",
  "#step() { return 1; }",
  "static { this.ready = true; }",
];

test("the page's parsed class is the server's, for everything the page reads", () => {
  fc.assert(
    fc.property(
      fc.subarray(MEMBERS),
      fc.constantFrom("", "Counter"),
      fc.constantFrom("", " extends Base"),
      (members, name, heritage) => {
        const text = `class ${name}${heritage} {\n  ${members.join("\n  ")}\n}`;
        const parsed = parseClassSource(text);
        const handed = JSON.parse(JSON.stringify(handedClassSource(parsed)));
        const read = pageClassSource(handed, text, name);
        expect(whatThePageReads(read)).toEqual(whatThePageReads(parsed));
        expect([read.start, read.end]).toEqual([0, text.length]);
      },
    ),
    { seed: 2026, numRuns: 200 },
  );
});

test("an anonymous class takes the name the engine gave it; the handed form is smaller", () => {
  const text = "class {\n  items = [];\n  add(text) {\n    this.items.push(text);\n  }\n}";
  const parsed = parseClassSource(text);
  expect(pageClassSource(handedClassSource(parsed), text, "TodoList").name).toBe("TodoList");
  const handed = JSON.stringify(handedClassSource(parsed)).length;
  expect(handed).toBeLessThan(JSON.stringify(parsed).length * 0.7);
});
