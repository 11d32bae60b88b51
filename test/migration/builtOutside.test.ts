/**
 * Objects a package's release builds with its own code (`new Version`
 * inside the package, as yup's `string()` or ajv's names are), not through
 * the handle: they sit on that release's prototype. The next update of the
 * class takes them in — migrated like every other instance, onto the stable
 * prototype — and every way back (a rollback, a commit that fails) puts them
 * where they were; a rollback also takes in what the rolled-back release
 * built while it ran, with the old layout.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

type Version = { value: string; label(): string } & Record<string, unknown>;

interface Release {
  readonly Version: new (value: string) => Version;
  readonly make: (value: string) => Version;
  readonly isVersion: (x: unknown) => boolean;
}

/** One evaluation of a package's module; `fields` are the constructor's extra fields after `value`. */
function release(tag: string, fields: Record<string, string> = {}): Release {
  const assignments = Object.entries(fields)
    .map(([name, expression]) => `this.${name} = ${expression};`)
    .join(" ");
  return new Function(
    "tag",
    `"use strict";
    class Version {
      constructor(value) { this.value = value; ${assignments} }
      label() { return tag + ":" + this.value; }
    }
    return { Version, make: (v) => new Version(v), isVersion: (x) => x instanceof Version };`,
  )(tag) as Release;
}

const state = (o: object) => ({ prototype: Object.getPrototypeOf(o), entries: Object.entries(o) });

describe("objects the running release built outside the handle", () => {
  test("are migrated by the next upgrade: new layout, the handle's prototype, fast properties", () => {
    const v1 = release("v1");
    const v2 = release("v2", { major: "Number(value.split('.')[0])" });
    const v3 = release("v3", { major: "Number(value.split('.')[0])", tags: "[]" });
    const ns = new Namespace("outside");
    const Version = ns.registerClass(v1.Version);
    updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
    const built = v2.make("2.1.0");
    expect(built).not.toBeInstanceOf(Version); // until the next update
    updateSync(ns, patch("to v3").replaceImplementation("Version", v3.Version).build());
    expect(Object.getPrototypeOf(built)).toBe(Version.prototype);
    expect(Object.keys(built)).toEqual(["value", "major", "tags"]);
    expect(built.label()).toBe("v3:2.1.0");
    expect([v3.isVersion(built), built instanceof Version]).toEqual([true, true]);
    expect(hasFastProperties(built)).toBe(true);
  });

  test("a rollback of that upgrade puts them back exactly where they were", () => {
    const v1 = release("v1");
    const v2 = release("v2", { major: "1" });
    const v3 = release("v3", { major: "1", tags: "[]" });
    const ns = new Namespace("outside-rollback");
    ns.registerClass(v1.Version);
    updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
    const built = [v2.make("a"), v2.make("b")];
    built[1]!.major = 7;
    const before = built.map(state);
    const result = updateSync(
      ns,
      patch("to v3").replaceImplementation("Version", v3.Version).build(),
    );
    result.rollback();
    expect(built.map(state)).toEqual(before);
    expect(built.map((o) => o.label())).toEqual(["v2:a", "v2:b"]);
  });

  test("a rollback takes in what the rolled-back release built while it ran, on the old layout", () => {
    const v1 = release("v1");
    const v2 = release("v2", { major: "2" });
    const ns = new Namespace("outside-built-since");
    const Version = ns.registerClass(v1.Version);
    const result = updateSync(
      ns,
      patch("to v2").replaceImplementation("Version", v2.Version).build(),
    );
    const since = v2.make("x");
    result.rollback();
    expect(Object.getPrototypeOf(since)).toBe(Version.prototype);
    expect(Object.keys(since)).toEqual(["value"]);
    expect([since.label(), v1.isVersion(since), v2.isVersion(since)]).toEqual([
      "v1:x",
      true,
      false,
    ]);
  });

  test.each(["lazy", "progressive"] as const)(
    "%s: taken in with the old layout, migrated at their first call; rollback exact",
    async (policy) => {
      const v1 = release("v1");
      const v2 = release("v2", { major: "2" });
      const v3 = release("v3", { major: "2", tags: "[]" });
      const ns = new Namespace(`outside-${policy}`);
      const Version = ns.registerClass(v1.Version);
      updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
      const [touched, left] = [v2.make("t"), v2.make("l")];
      const before = [touched, left].map(state);
      const result = updateSync(
        ns,
        patch("to v3").replaceImplementation("Version", v3.Version).build(),
        { policy },
      );
      expect(touched.label()).toBe("v3:t");
      expect(Object.keys(touched)).toEqual(["value", "major", "tags"]);
      expect(left).toBeInstanceOf(Version);
      if (policy === "lazy") result.completeMigration();
      await result.completion;
      expect(Object.keys(left)).toEqual(["value", "major", "tags"]);
      result.rollback();
      expect([touched, left].map(state)).toEqual(before);
    },
  );

  test.each([0, 1, 2])(
    "a commit failing at object %i leaves them exactly as they were, with a coded error",
    (step) => {
      const v1 = release("v1");
      const v2 = release("v2", { major: "2" });
      const v3 = release("v3", { major: "2", tags: "[]" });
      const ns = new Namespace("outside-commit-failure");
      ns.registerClass(v1.Version);
      updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
      const objects = [new v1.Version("through the first release"), v2.make("a"), v2.make("b")];
      const before = objects.map(state);
      expect(() =>
        updateSync(ns, patch("to v3").replaceImplementation("Version", v3.Version).build(), {
          onCommitStep: (at) => {
            if (at === step) throw new Error("injected");
          },
        }),
      ).toThrow(expect.objectContaining({ code: "MM_COMMIT_FAILED" }));
      expect(objects.map(state)).toEqual(before);
      expect(objects.map((o) => o.label())).toEqual([
        "v2:through the first release",
        "v2:a",
        "v2:b",
      ]);
    },
  );

  test("a methods-only upgrade takes them in too", () => {
    const [v1, v2, v3] = [release("v1"), release("v2"), release("v3")];
    const ns = new Namespace("outside-methods");
    const Version = ns.registerClass(v1.Version);
    updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
    const built = v2.make("m");
    const result = updateSync(
      ns,
      patch("to v3").replaceImplementation("Version", v3.Version).build(),
    );
    expect([built instanceof Version, built.label()]).toEqual([true, "v3:m"]);
    result.rollback();
    expect(Object.getPrototypeOf(built)).toBe(v2.Version.prototype);
  });

  test("with the registry finder they are not seen, and stay on the release that built them", () => {
    const [v1, v2, v3] = [release("v1"), release("v2"), release("v3")];
    const ns = new Namespace("outside-registry", { instanceFinder: "registry" });
    ns.registerClass(v1.Version);
    updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
    const built = v2.make("r");
    updateSync(ns, patch("to v3").replaceImplementation("Version", v3.Version).build());
    expect(built.label()).toBe("v2:r");
  });

  test("property: through any run of upgrades, rollbacks and objects each release builds, every object answers as the running release and a final rollback of all restores each exactly (seed 11)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("upgrade", "rollback", "build"), { minLength: 1, maxLength: 8 }),
        (steps) => {
          const first = release("r0");
          const ns = new Namespace("outside-property");
          ns.registerClass(first.Version);
          const objects: Version[] = [new first.Version("o")];
          // Objects made before any update applies, with their state then.
          const pristine = new Map<Version, ReturnType<typeof state>>([
            [objects[0]!, state(objects[0]!)],
          ]);
          const applied: { release: Release; rollback(): void }[] = [];
          let count = 1;
          for (const step of steps) {
            const running = applied.at(-1)?.release ?? first;
            if (step === "build") {
              const made = running.make(`b${objects.length}`);
              objects.push(made);
              if (applied.length === 0) pristine.set(made, state(made));
            } else if (step === "upgrade" || applied.length === 0) {
              // Releases alternate between two layouts, so each upgrade migrates.
              const next = release(`r${count}`, count % 2 === 1 ? { n: String(count) } : {});
              count++;
              const result = updateSync(
                ns,
                patch(`to r${count}`).replaceImplementation("Version", next.Version).build(),
              );
              applied.push({ release: next, rollback: () => result.rollback() });
            } else applied.pop()!.rollback();
            const now = applied.at(-1)?.release ?? first;
            for (const o of objects) {
              expect(now.isVersion(o)).toBe(true);
              expect(o.label()).toBe(new now.Version(o.value).label());
            }
          }
          while (applied.length > 0) applied.pop()!.rollback();
          for (const o of objects) {
            expect(first.isVersion(o)).toBe(true);
            expect([Object.keys(o), o.label()]).toEqual([["value"], `r0:${o.value}`]);
          }
          for (const [o, before] of pristine) expect(state(o)).toEqual(before);
        },
      ),
      { seed: 11, numRuns: 8 },
    );
  });
});

test("a hierarchy upgraded and rolled back: the handles' own prototypes are never taken for objects (domhandler 5.0.0 -> 5.0.3)", () => {
  const release = (tag: string) =>
    new Function(
      "tag",
      `"use strict";
      class Node { constructor() { this.parent = null; } kind() { return tag + ":node"; } }
      class Element extends Node { constructor(name) { super(); this.name = name; } kind() { return tag + ":element"; } }
      return { Node, Element, make: (n) => new Element(n) };`,
    )(tag) as {
      Node: new () => { kind(): string };
      Element: new (name: string) => { kind(): string };
      make: (name: string) => { kind(): string };
    };
  const [v1, v2] = [release("v1"), release("v2")];
  const ns = new Namespace("dom");
  const Node = ns.registerClass(v1.Node);
  const Element = ns.registerClass(v1.Element);
  const element = new v1.Element("div");
  const chain = (o: object) => {
    const found = [];
    for (let p = Object.getPrototypeOf(o); p !== null; p = Object.getPrototypeOf(p)) found.push(p);
    return found;
  };
  const before = [chain(element), chain(Element.prototype), chain(Node.prototype)];
  const version = ns.version;
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Node", v2.Node)
      .replaceImplementation("Element", v2.Element)
      .build(),
  );
  const built = v2.make("span");
  expect([element.kind(), built.kind()]).toEqual(["v2:element", "v2:element"]);
  result.rollback();
  expect([chain(element), chain(Element.prototype), chain(Node.prototype)]).toEqual(before);
  expect([element.kind(), built.kind()]).toEqual(["v1:element", "v1:element"]);
  expect(ns.version).toBe(version);
});

test("a frozen object the release built (a shared sentinel) stays where it is; the upgrade applies", () => {
  const v1 = release("v1");
  const v2 = release("v2", { major: "2" });
  const v3 = release("v3", { major: "2", tags: "[]" });
  const ns = new Namespace("outside-frozen");
  ns.registerClass(v1.Version);
  updateSync(ns, patch("to v2").replaceImplementation("Version", v2.Version).build());
  const sentinel = Object.freeze(v2.make("empty"));
  const built = v2.make("b");
  updateSync(ns, patch("to v3").replaceImplementation("Version", v3.Version).build());
  expect([sentinel.label(), built.label()]).toEqual(["v2:empty", "v3:b"]);
  expect(Object.getPrototypeOf(sentinel)).toBe(v2.Version.prototype);
});

// Another package's copy of the new release, in use before the update: a
// lazy or progressive commit, or an eager one whose objects were found
// before its pause (update()), used to skip the heap query that tells such
// objects apart, and the rollback rewrote them to the old layout.
const CALLS = [
  ["eager", "updateSync"],
  ["eager", "update"],
  ["lazy", "updateSync"],
  ["progressive", "update"],
] as const;

test.each(CALLS)(
  "a rollback leaves alone what the installed release had built before the update (%s, %s)",
  async (policy, call) => {
    const v1 = release("v1");
    const v2 = release("v2", { major: "2", pending: "new Map([[1, 2]])" });
    const ns = new Namespace(`outside-preexisting-${policy}-${call}`);
    const Version = ns.registerClass(v1.Version);
    const mine = new Version("o");
    const already = v2.make("already");
    const before = state(already);
    const p = patch("to v2").replaceImplementation("Version", v2.Version).build();
    const result =
      call === "update" ? await update(ns, p, { policy }) : updateSync(ns, p, { policy });
    expect(mine.label()).toBe("v2:o");
    result.rollback();
    expect(state(already)).toEqual(before);
    expect(already.label()).toBe("v2:already");
    expect(mine.label()).toBe("v1:o");
  },
);

test("objects with a symbol key they cannot delete (yaml's nodes): the migrated ones and those the release built while it ran roll back, the key kept in place", () => {
  const kind = Symbol.for("metamorph.test.kind");
  const make = (tag: string, extra: string) =>
    new Function(
      "kind",
      `"use strict";
      return class Doc {
        constructor(v) { this.v = v; Object.defineProperty(this, kind, { value: "doc" }); ${extra} }
        label() { return "${tag}:" + this.v; }
      };`,
    )(kind) as new (
      v: number,
    ) => { v: number; label(): string };
  const V1 = make("v1", "");
  const V2 = make("v2", "this.w = 2;");
  const ns = new Namespace("outside-fixed");
  const Doc = ns.registerClass(V1);
  const old = new Doc(1);
  const result = updateSync(ns, patch("v2").replaceImplementation("Doc", V2).build());
  expect(Object.keys(old)).toEqual(["v", "w"]);
  const since = new V2(3);
  result.rollback();
  // The migrated object's symbol key, defined first, stays where it is: only `w` goes.
  expect(Reflect.ownKeys(old)).toEqual(["v", kind]);
  expect(old.label()).toBe("v1:1");
  // Made by the release meanwhile: taken in, on the old layout.
  expect([Object.getPrototypeOf(since) === Doc.prototype, since.label()]).toEqual([true, "v1:3"]);
  expect(Reflect.ownKeys(since)).toEqual(["v", kind]);
});

test("what the release built while it ran with a field it cannot delete where the old layout has another stays on that release; the rollback goes through", () => {
  const make = (tag: string, body: string) =>
    new Function(`"use strict";
      return class Item {
        constructor(v) { ${body} }
        label() { return "${tag}:" + this.v; }
      };`)() as new (
      v: number,
    ) => { v: number; label(): string };
  const V1 = make("v1", "this.v = v;");
  const V2 = make(
    "v2",
    'Object.defineProperty(this, "id", { value: 7, enumerable: true }); this.v = v;',
  );
  const ns = new Namespace("outside-fixed-field");
  const Item = ns.registerClass(V1);
  const old = new Item(1);
  const result = updateSync(ns, patch("v2").replaceImplementation("Item", V2).build());
  const since = new V2(3);
  result.rollback();
  expect([old.label(), Object.keys(old)]).toEqual(["v1:1", ["v"]]);
  expect([Object.getPrototypeOf(since) === V2.prototype, since.label()]).toEqual([true, "v2:3"]);
  expect(Object.keys(since)).toEqual(["id", "v"]);
});

test("a migration forward that deletes a field before a fixed symbol key commits, the symbol kept, and its rollback gives the keys back: keeping keys apart is no longer for rollbacks only (review advZ6, advZ27)", () => {
  const kind = Symbol.for("metamorph.test.apart");
  const make = (extra: string) =>
    new Function(
      "kind",
      `"use strict";
      return class Doc {
        constructor(v) {
          this.v = v;
          Object.defineProperty(this, "acc", { get() { return 1; }, enumerable: true, configurable: true });
          Object.defineProperty(this, kind, { value: "doc" });
          ${extra}
        }
      };`,
    )(kind) as new (
      v: number,
    ) => object;
  const ns = new Namespace("apart-forward");
  const Doc = ns.registerClass(make(""));
  const o = new Doc(1);
  const keys = Reflect.ownKeys(o);
  const symbol = Reflect.getOwnPropertyDescriptor(o, kind);
  const result = updateSync(
    ns,
    patch("v2").replaceImplementation("Doc", make("this.w = 2;")).build(),
  );
  expect(Reflect.ownKeys(o).at(-1)).toBe(kind);
  expect(Reflect.getOwnPropertyDescriptor(o, kind)).toEqual(symbol);
  // The cost, measured: the symbol was defined after acc, and deleting acc
  // to put w in front of it drops the object into dictionary mode.
  expect(hasFastProperties(o)).toBe(false);
  result.rollback();
  expect(Reflect.ownKeys(o)).toEqual(keys);
  expect(Reflect.getOwnPropertyDescriptor(o, kind)).toEqual(symbol);
});

describe("a lazy update of the first registered release, with the registry finder (review advW1)", () => {
  test.each(["lazy", "progressive"] as const)(
    "an object the release built itself, migrated at its first call, goes back on rollback (%s)",
    async (policy) => {
      const v1 = release("v1");
      const v2 = release("v2", { extra: "0" });
      const ns = new Namespace("deps-registry-rollback", { instanceFinder: "registry" });
      const Version = ns.registerClass(v1.Version);
      const viaHandle = new Version("1.0.0");
      // The first registered release's prototype is the handle's: the
      // guards reach this object, which the registry never recorded.
      const built = v1.make("2.0.0");
      const before = [viaHandle, built].map(state);
      const result = await update(
        ns,
        patch("upgrade").replaceImplementation("Version", v2.Version).build(),
        { policy },
      );
      expect(built.label()).toBe("v2:2.0.0");
      expect(Object.keys(built)).toEqual(["value", "extra"]);
      result.rollback();
      expect([viaHandle, built].map(state)).toEqual(before);
      expect(built.label()).toBe("v1:2.0.0");
    },
  );
});

describe("two lazy upgrades rolled back in turn (review advW1, luxon 3.4.3 -> 3.4.4 -> 3.5.0)", () => {
  test.each(["lazy", "progressive", "eager"] as const)(
    "what the last release built while it ran ends on the first release's layout (%s)",
    async (policy) => {
      const v1 = release("v1");
      const v2 = release("v2", { extra: "null" });
      // The same layout as v2, from a module of its own: no field changes.
      const v3 = release("v3", { extra: "null" });
      const ns = new Namespace("deps-chain", { instanceFinder: "heap" });
      const Version = ns.registerClass(v1.Version);
      const old = new Version("1.0.0");
      const apply = (name: string, release: Release) =>
        update(ns, patch(name).replaceImplementation("Version", release.Version).build(), {
          policy,
        });
      const r2 = await apply("v2", v2);
      const r3 = await apply("v3", v3);
      const byV3 = v3.make("3.0.0");
      r3.rollback();
      r2.rollback();
      expect([old, byV3].map((o) => Object.keys(o))).toEqual([["value"], ["value"]]);
      expect([old.label(), byV3.label()]).toEqual(["v1:1.0.0", "v1:3.0.0"]);
      expect(Object.getPrototypeOf(byV3)).toBe(Version.prototype);
    },
  );
});

test("what the release builds after a field patch derived a version from it is taken in by the next update (the derived version's home holds members only)", () => {
  const v1 = release("v1");
  const v2 = release("v2");
  const ns = new Namespace("deps-derived", { instanceFinder: "heap" });
  const Version = ns.registerClass(v1.Version);
  updateSync(ns, patch("upgrade").replaceImplementation("Version", v2.Version).build());
  updateSync(ns, patch("note").addField("Version", "note", { default: "" }).build());
  const built = v2.make("3.0.0");
  const result = updateSync(ns, patch("tag").addField("Version", "tag", { default: 0 }).build());
  expect(result.instancesMigrated).toBe(1);
  expect([Object.keys(built), Object.getPrototypeOf(built) === Version.prototype]).toEqual([
    ["value", "note", "tag"],
    true,
  ]);
});

test.each(["registry", "heap"] as const)(
  "a registered subclass of a registered class: field patches on the base and their rollback leave the base's objects the base's (%s finder, review advW4)",
  (instanceFinder) => {
    const ns = new Namespace(`derived-subclass-${instanceFinder}`, { instanceFinder });
    class Base {
      a = 1;
      who(): string {
        return "Base";
      }
    }
    const B = ns.registerClass(Base);
    class Sub extends B {
      s = 2;
      override who(): string {
        return "Sub";
      }
    }
    const S = ns.registerClass(Sub);
    const b = new B();
    const first = updateSync(ns, patch("x").addField("Base", "x", { default: 0 }).build());
    updateSync(ns, patch("y").addField("Base", "y", { default: 0 }).build()).rollback();
    first.rollback();
    // Was: the subclass inherited the base's derived-version static, and every base object became a Sub.
    expect([JSON.stringify(b), b.who(), b instanceof S]).toEqual(['{"a":1}', "Base", false]);
    expect(new S().who()).toBe("Sub");
  },
);
