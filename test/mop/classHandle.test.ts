import { describe, expect, test } from "vitest";
import { UnmanagedClassError } from "../../src/index.js";
import { definitionFromSpec } from "../../src/mop/index.js";
import {
  classHandleOf,
  createClassHandle,
  currentVersion,
  isClassHandle,
  observeConstruction,
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

  test("construction observers: each sees every object built through the handle itself, in order; undo removes only its own", () => {
    const base = counterVersion("base");
    const Counter = createClassHandle(base.ctor, base.definition) as unknown as new () => Counter;
    const sub = counterVersion("sub", Counter as unknown as Function);
    const Sub = createClassHandle(
      sub.ctor,
      { ...sub.definition, name: "Sub", superclass: "Counter" },
      {
        superclass: Counter as never,
      },
    ) as unknown as new () => Counter;
    const seen: string[] = [];
    const undoA = observeConstruction(Counter, (o) => seen.push(`a:${(o as Counter).count}`));
    const undoB = observeConstruction(Counter, (o) => seen.push(`b:${o instanceof Counter}`));
    const first = new Counter();
    new Sub();
    expect(seen).toEqual(["a:0", "b:true"]);
    undoA();
    new Counter();
    expect(seen).toEqual(["a:0", "b:true", "b:true"]);
    undoB();
    new Counter();
    expect(seen).toHaveLength(3);
    expect(first.inc()).toBe(1);
  });

  test("after a new implementation with a prototype of its own, objects built through the handle are on the stable prototype, initialised by it and see its methods in its constructor", () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      sum() {
        return this.x + this.y;
      }
    }
    const definition = definitionFromSpec({
      name: "Point",
      fields: [{ name: "x" }, { name: "y" }],
    });
    const Handle = createClassHandle(Point, definition) as unknown as typeof Point;
    const old = new Handle(1, 2);
    class Point2 {
      w: number;
      seenInConstructor: number;
      constructor(
        public x: number,
        public y: number,
      ) {
        this.w = x * 10;
        this.seenInConstructor = this.sum();
      }
      sum() {
        return this.x + this.y + 100;
      }
    }
    const undo = installVersion(Handle, {
      ctor: Point2,
      definition: definitionFromSpec({
        name: "Point",
        fields: [{ name: "x" }, { name: "y" }, { name: "w" }],
      }),
    });
    const fresh = new Handle(3, 4) as unknown as Point2;
    expect(Object.getPrototypeOf(fresh)).toBe(stablePrototype(Handle));
    expect(fresh).toBeInstanceOf(Handle);
    expect({ ...fresh }).toEqual({ x: 3, y: 4, w: 30, seenInConstructor: 107 });
    expect(fresh.sum()).toBe(107);
    expect(old.sum()).toBe(103);
    undo();
    const again = new Handle(5, 6);
    expect({ ...again }).toEqual({ x: 5, y: 6 });
    expect(again.sum()).toBe(11);
  });

  test("after a new implementation whose constructor returns another object, that object keeps its own prototype", () => {
    class Point {
      constructor(public x: number) {}
    }
    const Handle = createClassHandle(
      Point,
      definitionFromSpec({ name: "Point", fields: [{ name: "x" }] }),
    ) as unknown as typeof Point;
    const cached = Object.freeze({ cached: true });
    const proxied = new Proxy({}, {});
    const returned = [cached, proxied];
    class Point2 {
      constructor(public x: number) {
        // biome-ignore lint/correctness/noConstructorReturn: what the test is about
        if (x < returned.length) return returned[x] as Point2;
      }
    }
    const undo = installVersion(Handle, {
      ctor: Point2,
      definition: definitionFromSpec({ name: "Point", fields: [{ name: "x" }] }),
    });
    expect(new Handle(0)).toBe(cached);
    expect(Object.getPrototypeOf(cached)).toBe(Object.prototype);
    expect(new Handle(1)).toBe(proxied);
    expect(Object.getPrototypeOf(proxied)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(new Handle(5))).toBe(stablePrototype(Handle));
    undo();
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
