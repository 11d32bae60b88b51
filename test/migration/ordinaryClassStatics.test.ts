/**
 * Static field operations on an ordinary class (a registered one, every
 * class under `metamorph run`): add, remove, rename and re-initialise were
 * listed by the patch, applied by the commit — and did nothing: the derived
 * version carried the running statics as they were, and an initialiser that
 * throws was never even evaluated (review advY4). Now they take effect, a
 * rollback puts the statics back, and a throwing initialiser refuses the
 * update before anything changes.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { InvalidClassDefinitionError, Namespace, patch, updateSync } from "../../src/index.js";

type Statics = Record<string, unknown>;

function world() {
  class Config {
    value = 1;
    static LIMIT = 5;
    static count = 0;
    static label = "a";
    static make() {
      return new Config();
    }
  }
  const ns = new Namespace("ordinary-statics");
  const Handle = ns.registerClass(Config) as unknown as Statics & (new () => Config);
  return { ns, Handle };
}

const statics = (h: Statics) =>
  Object.fromEntries(
    ["LIMIT", "count", "label", "total", "added"].flatMap((k) => (k in h ? [[k, h[k]]] : [])),
  );

test("property: static fields added, removed, renamed and re-initialised take effect, and a rollback puts every static back", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.integer(),
      (add, remove, rename, reinitialise, written) => {
        const { ns, Handle } = world();
        Handle.count = written;
        const before = statics(Handle);
        let p = patch("statics");
        if (add) p = p.addStaticField("Config", "added", { defaultSource: "40 + 2" });
        if (remove) p = p.removeStaticField("Config", "LIMIT");
        if (rename) p = p.renameStaticField("Config", "count", "total");
        if (reinitialise)
          p = p.reinitialiseStaticField("Config", "label", { defaultSource: '"b"' });
        const result = updateSync(ns, p.build());
        const expected: Statics = { ...before };
        if (add) expected.added = 42;
        if (remove) delete expected.LIMIT;
        if (rename) {
          expected.total = expected.count;
          delete expected.count;
        }
        if (reinitialise) expected.label = "b";
        expect(statics(Handle)).toEqual(expected);
        expect(typeof Handle.make).toBe("function");
        result.rollback();
        expect(statics(Handle)).toEqual(before);
      },
    ),
    { seed: 909, numRuns: 32 },
  );
});

test("a static initialiser that throws refuses the update before anything changes", () => {
  const { ns, Handle } = world();
  const before = statics(Handle);
  const version = ns.version;
  expect(() =>
    updateSync(
      ns,
      patch("bad")
        .addStaticField("Config", "bad", { defaultSource: '(() => { throw new Error("no") })()' })
        .build(),
    ),
  ).toThrow(InvalidClassDefinitionError);
  expect([statics(Handle), ns.version, "bad" in Handle]).toEqual([before, version, false]);
});
