/**
 * What `obj.constructor` answers for a registered class. A package's own
 * code compares it with its classes (chevrotain's visitors:
 * `switch (node.constructor) { case Rule: … }`) and builds with
 * `new obj.constructor()`: registering the classes made every visit throw
 * "non exhaustive match", before any update. It is the running
 * implementation — the new release's class after an upgrade, whose code
 * then visits the old objects too — and the handle only where the program
 * promises to construct through it (`constructedOnlyThroughHandle`, as
 * `metamorph dev` does, whose modules name the handle).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

interface Release {
  readonly Rule: new (name: string) => { name: string };
  readonly Terminal: new (name: string) => { name: string };
  readonly visit: (node: object) => string;
}

function release(tag: string): Release {
  return new Function(
    "tag",
    `"use strict";
    class Rule { constructor(name) { this.name = name; } }
    class Terminal { constructor(name) { this.name = name; } }
    function visit(node) {
      switch (node.constructor) {
        case Rule: return tag + " rule " + node.name;
        case Terminal: return tag + " terminal " + node.name;
        default: throw new Error("non exhaustive match");
      }
    }
    return { Rule, Terminal, visit };`,
  )(tag) as Release;
}

test("the package's own dispatch on obj.constructor works after registration, after an upgrade and after its rollback", () => {
  const [v1, v2] = [release("v1"), release("v2")];
  const ns = new Namespace("grammar");
  const Rule = ns.registerClass(v1.Rule);
  ns.registerClass(v1.Terminal);
  const rule = new v1.Rule("expr");
  const terminal = new v1.Terminal("NUM");
  expect([
    v1.visit(rule),
    v1.visit(terminal),
    v1.visit(new Rule("made through the handle")),
  ]).toEqual(["v1 rule expr", "v1 terminal NUM", "v1 rule made through the handle"]);
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Rule", v2.Rule)
      .replaceImplementation("Terminal", v2.Terminal)
      .build(),
  );
  expect([v2.visit(rule), v2.visit(terminal)]).toEqual(["v2 rule expr", "v2 terminal NUM"]);
  const copy = new (rule.constructor as new (name: string) => { name: string })("copy");
  expect(v2.visit(copy)).toBe("v2 rule copy");
  expect(copy).toBeInstanceOf(v2.Rule);
  result.rollback();
  expect([v1.visit(rule), v1.visit(terminal)]).toEqual(["v1 rule expr", "v1 terminal NUM"]);
  expect(rule.constructor).toBe(v1.Rule);
});

test("a class constructed only through its handle answers the handle", () => {
  const v1 = release("v1");
  const ns = new Namespace("through-handle");
  const Rule = ns.registerClass(v1.Rule, { constructedOnlyThroughHandle: true });
  expect(new Rule("r").constructor).toBe(Rule);
});
