// A field added, or renamed, onto a name under which a native superclass
// answers for its objects' state itself (an accessor of its prototype such as
// Map's `size` or a typed array's `length`, an own property its constructor
// gives every object such as an array's `length`, an element such as an
// array's index or a typed array's numeric key) is refused when the patch
// meets the namespace, before anything changes, naming the class, the field
// and the native superclass — as EventEmitter's `_events` already was.
// Before: `size` on a Map subclass and `length` on an Array subclass failed
// inside the commit (MM_COMMIT_FAILED, undone); `length` added to a
// Uint8Array subclass COMMITTED (u.length 0 while the buffer held 2 bytes),
// and renaming a field to "0" wrote the field's value into byte 0.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, patch, updateSync } from "../../src/index.js";

interface Native {
  readonly superclass: string;
  readonly make: (C: new (...args: never[]) => object) => object;
  /** What the native class holds for the object, outside its own fields. */
  readonly state: (o: object) => unknown;
  readonly elements?: "index" | "numeric";
}

const typed = (o: object) => {
  const t = o as Uint8Array;
  return [t.length, t.byteLength, Array.from(new Uint8Array(t.buffer))];
};

const NATIVES: readonly (Native & { readonly cls: Function })[] = [
  {
    superclass: "Map",
    cls: Map,
    make: (C) => new (C as unknown as new () => Map<string, number>)().set("k", 1),
    state: (o) => [...(o as Map<unknown, unknown>)],
  },
  {
    superclass: "Set",
    cls: Set,
    make: (C) => new (C as unknown as new () => Set<number>)().add(1),
    state: (o) => [...(o as Set<unknown>)],
  },
  {
    superclass: "Array",
    cls: Array,
    make: (C) => Object.assign(new (C as unknown as new () => number[])(), { 0: 42, 1: 43 }),
    state: (o) => [(o as unknown[]).length, [...(o as unknown[])]],
    elements: "index",
  },
  {
    superclass: "Uint8Array",
    cls: Uint8Array,
    make: (C) =>
      Object.assign(new (C as unknown as new (n: number) => Uint8Array)(2), { 0: 42, 1: 43 }),
    state: typed,
    elements: "numeric",
  },
  {
    superclass: "Float64Array",
    cls: Float64Array,
    make: (C) =>
      Object.assign(new (C as unknown as new (n: number) => Float64Array)(2), { 0: 1.5 }),
    state: typed,
    elements: "numeric",
  },
  {
    superclass: "Error",
    cls: Error,
    make: (C) => new (C as unknown as new (m: string) => Error)("boom"),
    state: (o) => [(o as Error).message, (o as Error).stack],
  },
  {
    superclass: "RegExp",
    cls: RegExp,
    make: (C) => new (C as unknown as new (s: string, f: string) => RegExp)("a", "g"),
    state: (o) => [(o as RegExp).source, (o as RegExp).flags, (o as RegExp).lastIndex],
  },
  {
    superclass: "ArrayBuffer",
    cls: ArrayBuffer,
    make: (C) => new (C as unknown as new (n: number) => ArrayBuffer)(4),
    state: (o) => (o as ArrayBuffer).byteLength,
  },
];

/** The names a native class answers for, read independently of the engine: accessors up its chain and a fresh object's own keys. */
function stateNamesOf(cls: Function): string[] {
  const names = new Set<string>();
  for (
    let p = cls.prototype as object | null;
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const key of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, key)!;
      if (d.get !== undefined || d.set !== undefined) names.add(key);
    }
  }
  const fresh = cls === ArrayBuffer ? new ArrayBuffer(0) : Reflect.construct(cls, []);
  for (const key of Object.getOwnPropertyNames(fresh)) names.add(key);
  return [...names];
}

const elementName = (kind: Native["elements"]): fc.Arbitrary<string> =>
  kind === "index"
    ? fc.nat().map(String)
    : fc.oneof(
        fc.nat().map(String),
        fc.constantFrom("-0", "-1", "1.5", "NaN", "Infinity", "-Infinity", "1e+21"),
        fc.double().map(String),
      );

const stateName = fc.constantFrom(...NATIVES).chain((native) => {
  const named = fc.constantFrom(...stateNamesOf(native.cls));
  return fc.tuple(
    fc.constant(native),
    native.elements ? fc.oneof(named, elementName(native.elements)) : named,
  );
});

function world(native: (typeof NATIVES)[number]) {
  const ns = new Namespace("natives");
  // A registered class of the program's that extends the native class.
  const Sub = ns.registerClass(
    {
      [`My${native.superclass}`]: class extends (native.cls as new (...a: unknown[]) => object) {
        tag = 7;
      },
    }[`My${native.superclass}`]!,
    { name: "Sub" },
  ) as unknown as new (
    ...args: never[]
  ) => object;
  const objects = [native.make(Sub), native.make(Sub)];
  const prototypes = objects.map((o) => Object.getPrototypeOf(o));
  // Prototypes by identity: comparing them as values would call their accessors on non-instances.
  const snapshot = () => ({
    version: ns.version,
    objects: objects.map((o, i) => ({
      prototype: Object.getPrototypeOf(o) === prototypes[i],
      own: Object.entries(o),
      state: native.state(o),
    })),
  });
  return { ns, objects, snapshot };
}

function refusal(run: () => unknown): InvalidPatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidPatchError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("field names a native superclass keeps its objects' state under", () => {
  test("property: adding or renaming a field onto one is refused up front, naming class, field and superclass; nothing changes", () => {
    fc.assert(
      fc.property(stateName, fc.boolean(), ([native, name], rename) => {
        const { ns, snapshot } = world(native);
        const before = snapshot();
        const p = rename
          ? patch("p").renameField("Sub", "tag", name).build()
          : patch("p").addField("Sub", name, { default: 0 }).build();
        const error = refusal(() => updateSync(ns, p));
        expect(error.code).toBe("MM_INVALID_PATCH");
        expect(error.details).toMatchObject({
          className: "Sub",
          field: name,
          superclass: native.superclass,
        });
        expect(error.message).toContain(`its superclass ${native.superclass} keeps its own state`);
        expect(snapshot()).toEqual(before);
      }),
      { seed: 37, numRuns: 300 },
    );
  });

  test("property: other names still commit on the same classes", () => {
    // An update of a registered class derives its new version from source: a few names per update.
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-zA-Z]{2,8}$/), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.constantFrom(...NATIVES), names, (native, fields) => {
        const free = fields.filter(
          (f) => !stateNamesOf(native.cls).includes(f) && f !== "tag" && !(f in Object.prototype),
        );
        fc.pre(free.length > 0);
        const { ns, objects } = world(native);
        const states = objects.map(native.state);
        let p = patch("p");
        for (const f of free) p = p.addField("Sub", f, { default: 5 });
        updateSync(ns, p.build());
        for (const o of objects)
          expect(free.map((f) => (o as Record<string, unknown>)[f])).toEqual(free.map(() => 5));
        expect(objects.map(native.state)).toEqual(states);
      }),
      { seed: 41, numRuns: 16 },
    );
  });

  test("the reviewers' cases: Map size, Array length, Uint8Array length and a rename onto byte 0", () => {
    for (const [superclass, p] of [
      ["Map", patch("p").addField("Sub", "size", { default: 0 }).build()],
      ["Array", patch("p").addField("Sub", "length", { default: 0 }).build()],
      ["Uint8Array", patch("p").addField("Sub", "length", { default: 0 }).build()],
      ["Uint8Array", patch("p").renameField("Sub", "tag", "0").build()],
    ] as const) {
      const native = NATIVES.find((n) => n.superclass === superclass)!;
      const { ns, objects, snapshot } = world(native);
      const before = snapshot();
      const error = refusal(() => updateSync(ns, p));
      expect(error.message).toMatch(/^class Sub: field "(size|length|0)" is where its superclass/);
      expect(snapshot()).toEqual(before);
      if (superclass === "Uint8Array")
        expect(Array.from(objects[0] as Uint8Array)).toEqual([42, 43]);
    }
  });
});
