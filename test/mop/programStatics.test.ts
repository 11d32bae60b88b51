/**
 * What the program defines over a class handle's statics with
 * `Object.defineProperty` behaves as on a plain class, and an update treats
 * it as it treats what the program assigns: `Object.defineProperty(Handle,
 * "count", { value: 5 })` is kept by a patch that keeps the static, gives way
 * to a release that re-initialises it, comes back with a rollback, and the
 * static takes assignments again, as the class's own field would; a static
 * the program deleted stays deleted. A handle the program froze refuses an
 * update its statics cannot take (MM_UNSWAPPABLE_OBJECT, rule
 * `non-configurable-static`) and stays as it was; a sealed one takes new
 * static methods. (Decorators: staticDecorators.test.ts.)
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateResult, updateSync } from "../../src/index.js";

type Statics = Record<string, unknown> & (new () => object) & { make(): string };

/** A release of `Factory`: its static method and field, and a static reading them through the class's inner binding. */
function release(version: number): Statics {
  return new Function(`"use strict";
    class Factory {
      static count = ${version * 100};
      static make() { return "v${version}"; }
      static get label() { return "g${version}"; }
      static peek() { return [Factory.count, Factory.make()]; }
    }
    return Factory;`)() as Statics;
}

type Step =
  | { readonly op: "write"; readonly key: "count" | "make"; readonly value: number }
  | { readonly op: "update"; readonly kind: "methods" | "keeps count" | "re-initialises count" }
  | { readonly op: "rollback" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant("write" as const),
    key: fc.constantFrom("count" as const, "make" as const),
    value: fc.integer({ min: 0, max: 99 }),
  }),
  fc.record({
    op: fc.constant("update" as const),
    kind: fc.constantFrom(
      "methods" as const,
      "keeps count" as const,
      "re-initialises count" as const,
    ),
  }),
  fc.record({ op: fc.constant("rollback" as const) }),
);

/** A managed Factory whose program writes its statics one way: by assignment, or by `Object.defineProperty`. */
function world(how: "assign" | "define") {
  const ns = new Namespace(`program-statics-${how}`);
  const Factory = ns.registerClass(release(1), {
    constructedOnlyThroughHandle: true,
  }) as unknown as Statics;
  const updates: UpdateResult[] = [];
  let version = 1;
  const run = (s: Step): unknown[] => {
    if (s.op === "write") {
      const value = s.key === "count" ? s.value : () => `f${s.value}`;
      if (how === "assign") (Factory as Record<string, unknown>)[s.key] = value;
      else Object.defineProperty(Factory, s.key, { value });
      return view(false);
    }
    if (s.op === "rollback") {
      const last = updates.pop();
      last?.rollback();
      return view(last !== undefined);
    }
    version++;
    const p =
      s.kind === "methods"
        ? patch(`v${version}`).addStaticMethods("Factory", {
            [`other${version}`]() {
              return 1;
            },
          })
        : patch(`v${version}`).replaceImplementation("Factory", release(version), {
            keepStatics: s.kind === "keeps count" ? ["count"] : [],
          });
    updates.push(updateSync(ns, p.build()));
    return view(true);
  };
  /** What the program reads; after an update or a rollback, also through the class's inner binding. */
  const view = (inner: boolean): unknown[] => {
    const d = Reflect.getOwnPropertyDescriptor(Factory, "count")!;
    const make = Reflect.getOwnPropertyDescriptor(Factory, "make")!.value as () => string;
    const seen = [
      Factory.count,
      "value" in d ? d.value : d.get!.call(Factory),
      Factory.make(),
      make(),
    ];
    return inner ? [...seen, (Factory.peek as () => unknown[])()] : seen;
  };
  return run;
}

test("property: a value the program defines over a static goes through updates and rollbacks as one it assigns (seed 4242)", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 10 }), (steps) => {
      const [assigned, defined] = [world("assign"), world("define")];
      for (const s of steps) expect([s, defined(s)]).toEqual([s, assigned(s)]);
    }),
    { seed: 4242, numRuns: 150 },
  );
});

test("a value defined over a static field: the class's own after the next update, and assignable again as on a plain class", () => {
  const ns = new Namespace("defined-field");
  const Factory = ns.registerClass(release(1)) as unknown as Statics;
  Object.defineProperty(Factory, "count", { value: 5 });
  expect(Factory.count).toBe(5);
  updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Factory", release(2), { keepStatics: ["count"] })
      .build(),
  );
  expect([Factory.count, (Factory.peek as () => unknown[])()]).toEqual([5, [5, "v2"]]);
  Factory.count = 6;
  expect(Factory.count).toBe(6);
});

test("a static the program deleted stays deleted through a patch that keeps the class's statics, and a release brings it back", () => {
  const ns = new Namespace("deleted-static");
  const Factory = ns.registerClass(release(1)) as unknown as Statics;
  delete Factory.count;
  updateSync(
    ns,
    patch("m")
      .addStaticMethods("Factory", {
        other() {
          return 1;
        },
      })
      .build(),
  );
  expect(["count" in Factory, Factory.make()]).toEqual([false, "v1"]);
  updateSync(ns, patch("v2").replaceImplementation("Factory", release(2)).build());
  expect([Factory.count, Factory.make()]).toEqual([200, "v2"]);
});

test("a value defined over a static getter is the program's until a release brings its own getter", () => {
  const ns = new Namespace("defined-getter");
  const Factory = ns.registerClass(release(1)) as unknown as Statics;
  Object.defineProperty(Factory, "label", { value: "mine" });
  updateSync(
    ns,
    patch("m")
      .addStaticMethods("Factory", {
        other() {
          return 1;
        },
      })
      .build(),
  );
  expect(Factory.label).toBe("mine");
  updateSync(ns, patch("v2").replaceImplementation("Factory", release(2)).build());
  expect(Factory.label).toBe("g2");
});

test("a frozen handle refuses an update that would change its statics, and stays as it was", () => {
  const ns = new Namespace("frozen-handle");
  const Factory = ns.registerClass(release(1)) as unknown as Statics;
  Object.freeze(Factory);
  let error: unknown;
  try {
    updateSync(ns, patch("v2").replaceImplementation("Factory", release(2)).build());
  } catch (e) {
    error = e;
  }
  const cause = (error as { details?: { cause?: { code?: string; details?: unknown } } }).details
    ?.cause;
  expect([(error as { code?: string }).code, cause?.code, cause?.details]).toEqual([
    "MM_COMMIT_FAILED",
    "MM_UNSWAPPABLE_OBJECT",
    { className: "Factory", object: "Factory", property: "make", rule: "non-configurable-static" },
  ]);
  expect([Factory.make(), Factory.count, Object.isFrozen(Factory)]).toEqual(["v1", 100, true]);
});

test("a sealed handle takes a release's static methods and values", () => {
  const ns = new Namespace("sealed-handle");
  const Factory = ns.registerClass(release(1)) as unknown as Statics;
  Object.seal(Factory);
  const result = updateSync(ns, patch("v2").replaceImplementation("Factory", release(2)).build());
  expect([Factory.make(), Factory.count, Object.isSealed(Factory)]).toEqual(["v2", 200, true]);
  result.rollback();
  expect([Factory.make(), Factory.count]).toEqual(["v1", 100]);
});
