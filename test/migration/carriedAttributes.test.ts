/**
 * A field carried from the old object (same name, or a rename) keeps the
 * attributes the program gave it. pg's Client hides `password` with
 * `Object.defineProperty(this, "password", { enumerable: false, ... })`;
 * a release adding a field (8.7 → 8.13 adds `_ended`) used to rewrite every
 * live client with `password` enumerable: `JSON.stringify` and
 * `util.inspect` printed it, in every policy, with no warning.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;

interface Client {
  user: string;
  password: string;
  describe(): string;
}

const clientRelease = (tag: "v1" | "v2") =>
  new Function(`"use strict";
  return class Client {
    constructor(config) {
      this.user = config.user;
      Object.defineProperty(this, "password", {
        configurable: true, enumerable: false, writable: true, value: config.password,
      });
      this._ending = false;
      ${tag === "v2" ? "this._ended = false;" : ""}
    }
    describe() { return "${tag} " + this.user; }
  };`)() as new (config: {
    user: string;
    password: string;
  }) => Client;

describe.each(POLICIES)("a hidden field stays hidden (%s)", (policy) => {
  test("pg's Client: after a release that adds a field, the password is still not enumerable; a rollback keeps it so", async () => {
    const ns = new Namespace(`pg-${policy}`);
    const C = ns.registerClass(clientRelease("v1"));
    const live = new C({ user: "app", password: "s3cret" });
    const before = Object.getOwnPropertyDescriptor(live, "password");
    const result = updateSync(
      ns,
      patch("up").replaceImplementation("Client", clientRelease("v2")).build(),
      {
        policy,
      },
    );
    expect(live.describe()).toBe("v2 app");
    if (policy === "progressive") await result.completion;
    expect(Object.keys(live)).toEqual(["user", "_ending", "_ended"]);
    expect(Object.getOwnPropertyDescriptor(live, "password")).toEqual(before);
    expect(JSON.stringify(live)).toBe('{"user":"app","_ending":false,"_ended":false}');
    expect(inspect(live)).not.toContain("s3cret");
    const fresh = new C({ user: "x", password: "p" });
    expect(Object.getOwnPropertyDescriptor(fresh, "password")?.enumerable).toBe(false);
    result.rollback();
    expect(Reflect.ownKeys(live)).toEqual(["user", "password", "_ending"]);
    expect(Object.getOwnPropertyDescriptor(live, "password")).toEqual(before);
  });
});

test("a renamed hidden field keeps its attributes under its new name", () => {
  const ns = new Namespace("pg-rename");
  const C = ns.registerClass(clientRelease("v1"));
  const live = new C({ user: "app", password: "s3cret" });
  updateSync(ns, patch("up").renameField("Client", "password", "secret").build());
  expect(Object.getOwnPropertyDescriptor(live, "secret")).toEqual({
    value: "s3cret",
    enumerable: false,
    writable: true,
    configurable: true,
  });
  expect(Object.hasOwn(live, "password")).toBe(false);
  expect(JSON.stringify(live)).toBe('{"user":"app","_ending":false}');
});

interface Attributes {
  readonly enumerable: boolean;
  readonly writable: boolean;
  readonly configurable: boolean;
  /** An own accessor over a closure's variable (writable then means: has a setter). */
  readonly accessor: boolean;
}

type Change =
  | { readonly kind: "add"; readonly at: number }
  | { readonly kind: "remove"; readonly field: number }
  | { readonly kind: "rename"; readonly field: number };

const plain = (a: Attributes) => a.enumerable && a.writable && a.configurable && !a.accessor;

/** The constructor's statement that gives `this` field `f${i}` with attributes `a`. */
function define(a: Attributes, i: number): string {
  if (plain(a)) return `this.f${i} = ${i};`;
  const attributes = `enumerable: ${a.enumerable}, configurable: ${a.configurable}`;
  if (!a.accessor)
    return `Object.defineProperty(this, "f${i}", { value: ${i}, writable: ${a.writable}, ${attributes} });`;
  const set = a.writable ? `, set(v) { x = v; }` : "";
  return `{ let x = ${i}; Object.defineProperty(this, "f${i}", { get() { return x; }${set}, ${attributes} }); }`;
}

/** A class whose constructor sets `f0…` with `attributes`, plus `extra` (a field name) at `at`. */
function release(attributes: readonly Attributes[], extra?: { name: string; at: number }) {
  const statements = attributes.map(define);
  if (extra) statements.splice(extra.at, 0, `this.${extra.name} = "new";`);
  return new Function(`"use strict";
  return class Thing { constructor() { ${statements.join(" ")} } touch() { return 1; } };`)() as new () => {
    touch(): number;
  };
}

const plainAttributes: Attributes = {
  enumerable: true,
  writable: true,
  configurable: true,
  accessor: false,
};

const attributesArbitrary = fc.record({
  enumerable: fc.boolean(),
  writable: fc.boolean(),
  configurable: fc.boolean(),
  accessor: fc.boolean(),
});

// Fields with any attributes, one of them non-enumerable or not (what hides
// state, as pg does): an object whose fields are all enumerable takes the
// compiled path, which must leave to the general path every object with a
// field it would rewrite as a plain one.
const scenario = fc
  .record({
    attributes: fc.array(attributesArbitrary, { minLength: 2, maxLength: 5 }),
    hidden: fc.option(fc.nat(), { nil: undefined }),
    change: fc.oneof(
      fc.record({ kind: fc.constant("add" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("remove" as const), field: fc.nat() }),
      fc.record({ kind: fc.constant("rename" as const), field: fc.nat() }),
    ),
    policy: fc.constantFrom(...POLICIES),
    count: fc.integer({ min: 1, max: 3 }),
  })
  .map((s) => {
    const n = s.attributes.length;
    const attributes = s.attributes.map((a, i) =>
      s.hidden !== undefined && i === s.hidden % n ? { ...a, enumerable: false } : a,
    );
    const change: Change =
      s.change.kind === "add"
        ? { kind: "add", at: s.change.at % (n + 1) }
        : { kind: s.change.kind, field: s.change.field % n };
    return { ...s, attributes, change };
  });

const ownState = (o: object) =>
  Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)] as const);

test("property: every carried field keeps its value and attributes (eager, lazy, progressive); rollback restores each object exactly", () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const ns = new Namespace("attributes", { instanceFinder: "registry" });
      const T = ns.registerClass(release(s.attributes));
      const objects = Array.from({ length: s.count }, () => new T());
      const before = objects.map(ownState);
      const { change } = s;
      let p = patch("p");
      if (change.kind === "add")
        p = p.replaceImplementation(
          "Thing",
          release(s.attributes, { name: "added", at: change.at }),
        );
      else if (change.kind === "remove") {
        const kept = s.attributes.map((_, i) => i).filter((i) => i !== change.field);
        const next = new Function(`"use strict";
          return class Thing { constructor() { ${kept
            .map((i) => define(s.attributes[i]!, i))
            .join(" ")} } touch() { return 1; } };`)();
        p = p.replaceImplementation("Thing", next);
      } else p = p.renameField("Thing", `f${change.field}`, "renamed");
      let result: ReturnType<typeof updateSync>;
      try {
        result = updateSync(ns, p.policy(s.policy).build());
      } catch (error) {
        // A field set by an accessor is not one the source shows: it cannot be renamed.
        if (change.kind === "rename" && s.attributes[change.field]!.accessor) {
          expect(error).toMatchObject({ code: "MM_INVALID_PATCH" });
          expect(String(error)).toContain(`no field "f${change.field}"`);
          expect(objects.map(ownState)).toEqual(before);
          return;
        }
        // Only a property that cannot be configured, which the rewrite would move or delete, is refused.
        expect(error).toMatchObject({ code: "MM_UNSWAPPABLE_OBJECT" });
        expect(s.attributes.some((a) => !a.configurable)).toBe(true);
        expect(objects.map(ownState)).toEqual(before);
        return;
      }
      for (const o of objects) o.touch();
      if (result.state() === "rolled-back") {
        // Lazy and progressive updates meet such a property at first touch, after their commit.
        expect(s.policy).not.toBe("eager");
        expect(s.attributes.some((a) => !a.configurable)).toBe(true);
        expect(objects.map(ownState)).toEqual(before);
        return;
      }
      result.completeMigration();
      objects.forEach((o, k) => {
        for (const [key, was] of before[k]!) {
          const i = Number(String(key).slice(1));
          if (change.kind === "remove" && i === change.field) {
            // A release that sets a field through an accessor may set any field out of sight: kept, and said.
            const outOfSight = s.attributes.some((a) => a.accessor);
            if (outOfSight && Object.hasOwn(o, key)) {
              expect(result.warnings.map((w) => w.code)).toContain("MM_UNSEEN_STATE");
              expect(Object.getOwnPropertyDescriptor(o, key)).toEqual(was);
            } else expect(Object.hasOwn(o, key)).toBe(false);
            continue;
          }
          const name = change.kind === "rename" && i === change.field ? "renamed" : key;
          expect(Object.getOwnPropertyDescriptor(o, name)).toEqual(was);
        }
      });
      result.rollback();
      expect(objects.map(ownState)).toEqual(before);
    }),
    { seed: 4114, numRuns: 300 },
  );
});

/** Makes `object`'s field f1 an own accessor over a closure's variable, or read-only. */
function redefine(object: object, kind: "accessor" | "read-only"): void {
  let value = 1;
  if (kind === "accessor")
    Object.defineProperty(object, "f1", {
      get: () => value,
      set: (v: number) => {
        value = v;
      },
      enumerable: true,
      configurable: true,
    });
  else Object.defineProperty(object, "f1", { writable: false });
}

// update() looks at the objects it finds before its pause (plainAhead.ts):
// one object among thousands with an accessor or a read-only field must
// still take the general path, whichever finder found it.
test("property: update() keeps an accessor or read-only field on any one object among many", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6000 }),
      fc.nat(),
      fc.constantFrom("accessor", "read-only"),
      fc.constantFrom("registry", "heap"),
      async (n, at, kind, instanceFinder) => {
        const ns = new Namespace("attributes-ahead", { instanceFinder });
        const T = ns.registerClass(release([0, 1].map(() => plainAttributes)));
        const objects = Array.from({ length: n }, () => new T());
        const odd = objects[at % n]!;
        redefine(odd, kind);
        const was = Object.getOwnPropertyDescriptor(odd, "f1");
        await update(ns, patch("p").renameField("Thing", "f0", "renamed").build());
        expect(Object.keys(odd)).toEqual(["renamed", "f1"]);
        expect(Object.getOwnPropertyDescriptor(odd, "f1")).toEqual(was);
        if (n > 1)
          expect(Object.getOwnPropertyDescriptor(objects[(at + 1) % n]!, "f1")).toEqual({
            value: 1,
            writable: true,
            enumerable: true,
            configurable: true,
          });
      },
    ),
    { seed: 2207, numRuns: 12 },
  );
});

test("update(): a field an event listener redefines inside the pause, after the look before it, keeps its attributes", async () => {
  for (const kind of ["accessor", "read-only"] as const) {
    const ns = new Namespace(`attributes-event-${kind}`, { instanceFinder: "registry" });
    const T = ns.registerClass(release([0, 1].map(() => plainAttributes)));
    const objects = Array.from({ length: 50 }, () => new T());
    const odd = objects[7]!;
    let done = false;
    await update(ns, patch("p").renameField("Thing", "f0", "renamed").build(), {
      onEvent: (event) => {
        if (done || event.phase !== "build") return;
        done = true;
        redefine(odd, kind);
      },
    });
    expect(done).toBe(true);
    const d = Object.getOwnPropertyDescriptor(odd, "f1")!;
    if (kind === "accessor") expect(typeof d.get).toBe("function");
    else expect(d).toMatchObject({ value: 1, writable: false });
  }
});
