/**
 * Construction where a class is wide or has taken many updates, each next
 * to the same class written by hand, in the same run (review advZ3):
 * - a class of 50 fields made by `defineClass`: the handle's objects had
 *   room for about ten fields in-object, the rest went out of object;
 * - a registered class after 40 field patches (add, then remove, a field):
 *   each derived version was built by the one before, so every `new` ran 40
 *   nested constructors.
 */
import { Namespace, patch, updateSync } from "../src/index.js";
import { type Figure, versus } from "./harness.js";
import { measureConstructionPair } from "./loops.js";

const RATIO = "ratio = baseline / value: higher is better, 1 = as fast as the baseline";
const WIDE = 50;

function wideClasses(): [Function, Function] {
  const fields = Array.from({ length: WIDE }, (_, i) => ({
    name: `f${i}`,
    initializer: String(i),
  }));
  const Handle = new Namespace("bench-wide", { instanceFinder: "heap" }).defineClass({
    name: "Wide",
    fields,
  });
  const Plain = new Function(
    `return class Wide { ${fields.map((f) => `${f.name} = ${f.initializer};`).join(" ")} };`,
  )() as Function;
  return [Handle, Plain];
}

function patchedClasses(updates: number): [Function, Function] {
  const ns = new Namespace("bench-patched", { instanceFinder: "heap" });
  const Handle = ns.registerClass(
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    },
  );
  for (let i = 1; i <= updates; i++) {
    const p = patch(`v${i}`);
    updateSync(
      ns,
      (i % 2 === 1
        ? p.addField("Point", "c", { default: 0 })
        : p.removeField("Point", "c")
      ).build(),
    ).makePermanent();
  }
  class Point {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  return [Handle, Point];
}

export async function longLivedFigures(): Promise<Figure[]> {
  const [wide, plainWide] = wideClasses();
  const [wideNew, plainWideNew] = await measureConstructionPair("", wide, plainWide);
  const [patched, plainPatched] = patchedClasses(40);
  const [patchedNew, plainPatchedNew] = await measureConstructionPair(
    "i, 1",
    patched,
    plainPatched,
  );
  return [
    versus(
      "mop.createClass.construction.wide50.vsNativeClass",
      wideNew,
      plainWideNew,
      "ns/op",
      `new through the handle of a defineClass class of ${WIDE} fields (heap finder); baseline: the same class written by hand with class fields; ${RATIO}`,
    ),
    versus(
      "mop.registered.construction.after40FieldPatches.vsNativeClass",
      patchedNew,
      plainPatchedNew,
      "ns/op",
      `new through the handle of a registered class after 40 field patches made permanent (add a field, remove it, 20 times: the class is back to its first shape); baseline: the class written by hand; ${RATIO}`,
    ),
  ];
}
