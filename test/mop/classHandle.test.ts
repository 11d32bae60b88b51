import { describe, expect, test } from "vitest";
import { UnmanagedClassError } from "../../src/errors.js";
import { definitionFromSpec } from "../../src/mop/classDefinition.js";
import {
  classHandleOf,
  createClassHandle,
  currentVersion,
  installVersion,
  isClassHandle,
  patchMethodsInPlace,
  reparent,
  retainPrototype,
} from "../../src/mop/classHandle.js";
import { createClass } from "../../src/mop/createClass.js";

type Counter = { count: number; inc(): number; label(): string };

function counterVersion(label: string, superclass: Function | null = null, fields = ["count"]) {
  const definition = definitionFromSpec({
    name: "Counter",
    fields: fields.map((name) => ({ name, initializer: "0" })),
    methods: [
      { key: "inc", kind: "method", static: false, source: "inc() { return ++this.count; }" },
      { key: "label", kind: "method", static: false, source: `label() { return ${JSON.stringify(label)}; }` },
    ],
    statics: { make() { return "made"; } },
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

  test("installing a version switches new instances, statics and prototype; undo restores exactly", () => {
    const v1 = counterVersion("v1");
    const Counter = createClassHandle(v1.ctor, v1.definition) as unknown as new () => Counter;
    (Counter as unknown as { created: number }).created = 7;
    const old = new Counter();
    const v2 = counterVersion("v2", null, ["count", "extra"]);
    const undo = installVersion(Counter, v2);
    const fresh = new Counter();
    expect(fresh.label()).toBe("v2");
    expect(Object.keys(fresh)).toEqual(["count", "extra"]);
    expect(old.label()).toBe("v1"); // not migrated: still on the old prototype
    expect((Counter as unknown as { created: number }).created).toBe(7); // static state carried
    expect(Counter.prototype).toBe(v2.ctor.prototype);
    expect(currentVersion(Counter).ctor).toBe(v2.ctor);
    undo();
    expect(currentVersion(Counter).ctor).toBe(v1.ctor);
    expect(new Counter().label()).toBe("v1");
    expect(Object.keys(new Counter())).toEqual(["count"]);
  });

  test("patching methods in place changes behaviour of existing instances without touching them", () => {
    const v1 = counterVersion("v1");
    const Counter = createClassHandle(v1.ctor, v1.definition) as unknown as new () => Counter;
    const c = new Counter();
    const proto = Object.getPrototypeOf(c);
    const undo = patchMethodsInPlace(Counter, counterVersion("v2"));
    expect(c.label()).toBe("v2");
    expect(Object.getPrototypeOf(c)).toBe(proto);
    undo();
    expect(c.label()).toBe("v1");
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
    const undoReparent = reparent(Sub, Base);
    const s = new Sub();
    expect(Object.keys(s)).toEqual(["count", "total", "own"]);
    expect(s.label()).toBe("base2");
    expect(s).toBeInstanceOf(Base);
    undoReparent();
    expect(Object.getPrototypeOf(Sub.prototype)).toBe(base1.ctor.prototype);
  });

  test("retained prototypes keep old instances instanceof the handle, only while retained", () => {
    const v1 = counterVersion("v1");
    const Counter = createClassHandle(v1.ctor, v1.definition) as unknown as new () => Counter;
    const old = new Counter();
    installVersion(Counter, counterVersion("v2"));
    expect(old instanceof Counter).toBe(false);
    const release = retainPrototype(Counter, v1.ctor.prototype);
    expect(old instanceof Counter).toBe(true);
    expect(new Counter() instanceof Counter).toBe(true);
    expect({} instanceof Counter).toBe(false);
    release();
    expect(old instanceof Counter).toBe(false);
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
