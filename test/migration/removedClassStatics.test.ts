/**
 * A removed class held in a static of a surviving class
 * (src/migration/removedClassStatics.ts): the validation of the new world
 * reads bindings and surviving instances only, and `static defaultKind =
 * Neg` or a static Map keyed by Neg survived the removal without a word.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync, ValidationError } from "../../src/index.js";
import { refusalOf } from "../support/refusal.js";

// biome-ignore lint/suspicious/noExplicitAny: the programs under test are untyped, as the review wrote them
type Any = Record<string, any>;

const refusal = (run: () => unknown) => refusalOf(run, ValidationError);

describe("statics of the surviving classes", () => {
  function kinds() {
    const ns = new Namespace("kinds", { instanceFinder: "registry" });
    const Node: Any = ns.defineClass<Any>({
      name: "Node",
      staticFields: [
        { name: "defaultKind", initializer: "null" },
        { name: "byKind", initializer: "new Map()" },
      ],
    });
    const Neg = ns.defineClass<Any>({ name: "Neg", superclass: "Node" });
    return { ns, Node, Neg };
  }

  test("the class itself, a Map keyed by it: refused, naming the static and where in it", () => {
    const { ns, Node, Neg } = kinds();
    Node.defaultKind = Neg;
    Node.byKind.set(Neg, "neg");
    const error = refusal(() => updateSync(ns, patch("rm").removeClass("Neg").build()));
    expect(error.report.failures.map((f) => [f.className, f.field])).toEqual([
      ["Node", "defaultKind"],
      ["Node", "byKind.keys()[0]"],
    ]);
    expect(error.report.failures[0]!.message).toBe(
      'static field "defaultKind" of class Node still refers to removed class Neg: its value is the class itself',
    );
  });

  test("one of its objects in a static Map: named at its place in the Map", () => {
    const { ns, Node, Neg } = kinds();
    Node.byKind.set("n", new Neg());
    const error = refusal(() => updateSync(ns, patch("rm").removeClass("Neg").build()));
    const node = error.report.failures.find((f) => f.className === "Node");
    expect(node?.field).toBe('byKind.get("n")');
    expect(node?.message).toContain('`byKind.get("n")` is an instance of Neg');
  });

  test("a static the same patch re-initialises or removes no longer holds it: the removal commits", () => {
    const { ns, Node, Neg } = kinds();
    Node.defaultKind = Neg;
    Node.byKind.set(Neg, "neg");
    const p = patch("rm")
      .reinitialiseStaticField("Node", "byKind")
      .removeStaticField("Node", "defaultKind")
      .removeClass("Neg")
      .build();
    expect(updateSync(ns, p).outcome).toBe("committed");
    expect(Node.byKind.size).toBe(0);
  });

  test("a renamed static is read under its running name", () => {
    const { ns, Node, Neg } = kinds();
    Node.defaultKind = Neg;
    const p = patch("rm")
      .renameStaticField("Node", "defaultKind", "kind")
      .removeClass("Neg")
      .build();
    const error = refusal(() => updateSync(ns, p));
    expect(error.report.failures.map((f) => [f.className, f.field])).toEqual([["Node", "kind"]]);
  });
});
