import { describe, expect, test } from "vitest";
import { UnmanagedClassError } from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import {
  classHandleOf,
  createClassHandle,
  currentVersion,
  isClassHandle,
  stablePrototype,
} from "../../src/mop/classHandle.js";
import { installVersion, reparent } from "../../src/mop/classVersions.js";
import { createClass } from "../../src/index.js";

type Counter = { count: number; inc(): number; label(): string };

function counterVersion(label: string, superclass: Function | null = null, fields = ["count"]) {
  const definition = definitionFromSpec({
    name: "Counter",
    fields: fields.map((name) => ({ name, initializer: "0" })),
    methods: [
      { key: "inc", kind: "method", static: false, source: "inc() { return ++this.count; }" },
      {
        key: "label",
        kind: "method",
        static: false,
        source: `label() { return ${JSON.stringify(label)}; }`,
      },
    ],
    statics: {
      make() {
        return "made";
      },
    },
    staticFields: [{ name: "created", initializer: "0" }],
  });
  const ctor = createClass<Counter>(definition, { superclass: superclass as never });
  return { ctor, definition };
}

describe("class handles", () => {
  test("a handle constructs, passes instanceof and forwards statics to the current version", () => {
    const v1 = counterVersion("v1");
    const Counter = createClassHandle(v1.ctor, v1.definition) as unknown as new () => Counter;
    const c = new Counter();
    expect(isClassHandle(Counter)).toBe(true);
    expect(c).toBeInstanceOf(Counter);
    expect(c.inc()).toBe(1);
    expect(c.constructor).toBe(Counter);
    expect((Counter as unknown as { make(): string }).make()).toBe("made");
    expect(classHandleOf(c)).toBe(Counter);
    expect(() => (Counter as unknown as () => void)()).toThrow(TypeError);
  });

  test("installing a version switches construction, methods and statics on the stable prototype; undo restores exactly", () => {
    const v1 = counterVersion("v1");
    const Counter = createClassHandle(v1.ctor, v1.definition) as unknown as new () => Counter;
    (Counter as unknown as { created: number }).created = 7;
    const old = new Counter();
    const proto = Object.getPrototypeOf(old);
    const v2 = counterVersion("v2", null, ["count", "extra"]);
    const undo = installVersion(Counter, v2);
    const fresh = new Counter();
    expect(fresh.label()).toBe("v2");
    expect(Object.keys(fresh)).toEqual(["count", "extra"]);
    expect(old.label()).toBe("v2"); // same prototype object, new methods
    expect(Object.getPrototypeOf(old)).toBe(proto);
    expect(Object.getPrototypeOf(fresh)).toBe(proto);
    expect(stablePrototype(Counter)).toBe(proto);
    expect((Counter as unknown as { created: number }).created).toBe(7); // static state carried
    expect(currentVersion(Counter).ctor).toBe(v2.ctor);
    undo();
    expect(currentVersion(Counter).ctor).toBe(v1.ctor);
    expect(old.label()).toBe("v1");
    expect(new Counter().label()).toBe("v1");
    expect(Object.keys(new Counter())).toEqual(["count"]);
  });

  test("subclasses reach the superclass's current version through super() and follow reparenting", () => {
    const base1 = counterVersion("base1");
    const Base = createClassHandle(base1.ctor, base1.definition);
    const subDef = definitionFromSpec({
      name: "Sub",
      superclass: "Counter",
      fields: [{ name: "own", initializer: "1" }],
    });
    const Sub = createClassHandle(createClass(subDef, { superclass: Base }), subDef, {
      superclass: Base,
    }) as unknown as new () => Counter & { own: number };
    expect(Object.keys(new Sub())).toEqual(["count", "own"]);
    const base2 = counterVersion("base2", null, ["count", "total"]);
    installVersion(Base, base2);
    const s = new Sub();
    expect(Object.keys(s)).toEqual(["count", "total", "own"]);
    expect(s.label()).toBe("base2");
    expect(s).toBeInstanceOf(Base);
    // A new root class takes Sub's prototype chain with it, and back.
    const otherDef = definitionFromSpec({ name: "Other", fields: ["o"] });
    const Other = createClassHandle(createClass(otherDef), otherDef);
    const undoReparent = reparent(Sub, Other);
    expect(s).toBeInstanceOf(Other);
    expect(s).not.toBeInstanceOf(Base);
    expect(Object.keys(new Sub())).toEqual(["o", "own"]);
    undoReparent();
    expect(s).toBeInstanceOf(Base);
    expect(Object.getPrototypeOf(Sub.prototype)).toBe(Base.prototype);
  });

  test("a class that does not extend its declared superclass is refused", () => {
    const base = counterVersion("base");
    const Base = createClassHandle(base.ctor, base.definition);
    class Stray {}
    expect(() =>
      createClassHandle(Stray, definitionFromSpec({ name: "Stray", superclass: "Counter" }), {
        superclass: Base,
      }),
    ).toThrow(UnmanagedClassError);
  });
});
