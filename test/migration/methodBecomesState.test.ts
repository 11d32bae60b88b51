/**
 * A release that turns a method into state its constructor sets (prom-client
 * 14 → 15: `inc()` on the prototype becomes `this.inc = this.incWithoutExemplar`,
 * in an if/else). Migrated objects must end with the new version's method
 * in that field, as a fresh object does — never with neither method nor
 * field — and whatever a migrator, an initialiser or a validation sees of
 * the object's methods is the new version's under every policy
 * (copyPrototype.ts).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Policy } from "../../src/index.js";
import { type MetamorphError, Namespace, patch, update, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Counter {
  value: number;
  inc(n?: number): void;
}
type CounterClass = new (cfg?: { exemplars?: boolean }) => Counter;

function releases() {
  class V1 {
    value = 0;
    inc(n = 1): void {
      this.value += n;
    }
  }
  const v2 = new Function(`"use strict";
    class Always { constructor() { this.value = 0; this.inc = this.incPlain; }
      incPlain(n = 1) { this.value += n * 10; } }
    class Sometimes { constructor(cfg = {}) { this.value = 0;
        if (cfg.exemplars) this.inc = this.incWithExemplar; else this.inc = this.incWithoutExemplar; }
      incWithoutExemplar(n = 1) { this.value += n * 100; }
      incWithExemplar(n = 1) { this.value += n * 1000; } }
    return { Always, Sometimes };`)() as { Always: CounterClass; Sometimes: CounterClass };
  return { V1, ...v2 };
}

function world(label: string) {
  const { V1, Always, Sometimes } = releases();
  const ns = new Namespace(`method-becomes-state-${label}`, { instanceFinder: "registry" });
  const C = ns.registerClass(V1, { name: "Counter" }) as unknown as CounterClass;
  const counters = [new C(), new C(), new C()];
  for (const [i, c] of counters.entries()) c.inc(i + 1);
  return { ns, C, counters, Always, Sometimes };
}

const policies: Policy[] = ["eager", "lazy", "progressive"];

describe("a method the new constructor always sets from another method", () => {
  test("eager: live objects get the new method in the field, as fresh ones do; rollback is exact", () => {
    const { ns, counters, Always } = world("always");
    const before = deepSnapshot({ ns, objects: counters });
    const result = updateSync(ns, patch("v2").replaceImplementation("Counter", Always).build());
    for (const c of counters) {
      expect(c.inc).toBe(Always.prototype.incPlain);
      c.inc();
    }
    expect(counters.map((c) => c.value)).toEqual([11, 12, 13]);
    result.rollback();
    expect(counters.map((c) => c.value)).toEqual([11, 12, 13]);
    for (const c of counters) c.value -= 10;
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: counters }))).toBeUndefined();
  });
});

describe("a method the new constructor sets only conditionally", () => {
  test.each(policies)("%s without a migrator: refused before anything changes", (policy) => {
    const { ns, counters, Sometimes } = world(`refused-${policy}`);
    const before = deepSnapshot({ ns, objects: counters });
    let error: unknown;
    try {
      updateSync(ns, patch("v2").replaceImplementation("Counter", Sometimes).build(), { policy });
    } catch (e) {
      error = e;
    }
    expect((error as MetamorphError).code).toBe("MM_INVALID_PATCH");
    expect((error as MetamorphError).details.fields).toEqual(["inc"]);
    expect((error as Error).message).toMatch(
      policy === "eager" ? /migrator that sets it/ : /eagerly/,
    );
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: counters }))).toBeUndefined();
  });

  test("eager with a migrator setting it: accepted (the field is no extra), works, rollback exact", () => {
    const { ns, counters, Sometimes } = world("migrated");
    const before = deepSnapshot({ ns, objects: counters });
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Counter", Sometimes)
        .migrate("Counter", (_old, target) => {
          target.inc = target.incWithoutExemplar;
        })
        .build(),
    );
    for (const c of counters) {
      expect(c.inc).toBe(Sometimes.prototype.incWithoutExemplar);
      c.inc();
    }
    expect(counters.map((c) => c.value)).toEqual([101, 102, 103]);
    result.rollback();
    for (const c of counters) c.value -= 100;
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: counters }))).toBeUndefined();
    counters[0]!.inc();
    expect(counters[0]!.value).toBe(2);
  });
});

/**
 * What the migrator's target, a `this`-reading default and an instance
 * validation see of the object's methods: the new version's, whatever the
 * policy (before, an eager update's saw the running version's).
 */
test("property: migration code sees the new version's methods under every policy", () => {
  fc.assert(
    fc.property(fc.constantFrom(...policies), fc.integer({ min: 1, max: 4 }), (policy, n) => {
      const { V1 } = releases();
      const ns = new Namespace("method-views", { instanceFinder: "registry" });
      const C = ns.registerClass(V1, { name: "Counter" }) as unknown as CounterClass;
      const counters = Array.from({ length: n }, () => new C());
      const V2 = new Function(`"use strict";
        class Counter { constructor() { this.value = 0; this.kind = this.describe(); }
          describe() { return "v2"; } inc(n = 1) { this.value += n; } }
        return Counter;`)() as CounterClass;
      const seen: string[] = [];
      const result = updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Counter", V2)
          .migrate("Counter", (_old, target) => {
            seen.push(`${typeof target.describe}:${target instanceof C}`);
          })
          .validateInstances("sees v2", "Counter", (instance) =>
            typeof (instance as { describe?: unknown }).describe === "function"
              ? true
              : "no describe()",
          )
          .build(),
        { policy },
      );
      result.completeMigration?.();
      for (const c of counters) expect((c as unknown as { kind: string }).kind).toBe("v2");
      // Lazy and progressive run the migrators twice: once for the validations, before the commit.
      expect(seen.length).toBeGreaterThanOrEqual(n);
      expect(new Set(seen)).toEqual(new Set(["function:true"]));
      expect(result.state()).toBe("committed");
    }),
    { seed: 5150, numRuns: 30 },
  );
});

describe("other ways a method becomes state", () => {
  const v2 = (ctorBody: string) =>
    new Function(`"use strict";
      class Counter { constructor(cfg = {}) { this.value = 0; ${ctorBody} }
        incPlain(n = 1) { this.value += n * 100; } incOther(n = 1) { this.value += n * 1000; } }
      return Counter;`)() as CounterClass;

  test("from the constructor's arguments: refused without a migrator", () => {
    const { ns, counters } = world("from-arguments");
    const before = deepSnapshot({ ns, objects: counters });
    const next = v2("this.inc = cfg.other ? this.incOther : this.incPlain;");
    expect(() =>
      updateSync(ns, patch("v2").replaceImplementation("Counter", next).build()),
    ).toThrow(/turns its method inc\(\) into state its constructor computes/);
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: counters }))).toBeUndefined();
  });

  test("a migrator that does not set it: the validation refuses the update", () => {
    const { ns, counters } = world("migrator-forgets");
    const before = deepSnapshot({ ns, objects: counters });
    const next = v2(
      "if (cfg.other) this.inc = this.incOther; if (!cfg.other) this.inc = this.incPlain;",
    );
    let error: unknown;
    try {
      updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Counter", next)
          .migrate("Counter", (_old, target) => {
            target.value = (target.value as number) + 1;
          })
          .build(),
      );
    } catch (e) {
      error = e;
    }
    expect((error as MetamorphError).code).toBe("MM_VALIDATION_FAILED");
    expect((error as Error).message).toMatch(/has no `inc`.*migrator did not set it/);
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: counters }))).toBeUndefined();
  });

  test("set out of the reader's sight (Object.assign): committed with a warning naming the method", () => {
    const { ns, counters } = world("assign");
    const next = v2("Object.assign(this, { inc: this.incPlain });");
    const result = updateSync(ns, patch("v2").replaceImplementation("Counter", next).build());
    const warned = result.warnings.filter((w) => w.note.includes("no longer has the method inc()"));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.message).toMatch(/give the class a migrator that sets them/);
    result.rollback();
    counters[0]!.inc();
    expect(counters[0]!.value).toBe(2);
  });

  test("a method both versions also bind onto the object (zod's parse): lazy is not refused", () => {
    const make = (tag: string) =>
      new Function(`"use strict";
        class S { constructor() { this.n = 1; this.parse = this.parse.bind(this); } parse(x) { return "${tag}:" + x; } }
        return S;`)() as new () => { parse(x: string): string };
    const ns = new Namespace("bound-both", { instanceFinder: "registry" });
    const S = ns.registerClass(make("v1"), { name: "S" });
    const s = new S();
    const result = updateSync(ns, patch("v2").replaceImplementation("S", make("v2")).build(), {
      policy: "lazy",
    });
    expect(result.state()).toBe("committed");
    // Its fields stay: nothing migrates the objects, and each keeps its bound copy.
    expect(result.warnings.map((w) => w.code)).toEqual(["MM_STALE_FUNCTION_FIELD"]);
    expect(s.parse("a")).toBe("v1:a");
  });
});

/**
 * A release that starts putting its own methods on each object — copied
 * (`this.tap = this.tap`, tapable 2's Hook) or bound — keeps them on its
 * prototype too: nothing leaves the prototype. It was refused under every
 * policy as field-shadows-method ("rename one of them", advice no package
 * can follow; review advZ10), and the copy under lazy/progressive as a
 * method becoming a field. Any other value in a field named like a kept
 * method is still a clash.
 */
describe("a release copying or binding its methods onto each object", () => {
  const release = (tag: string, init: string) =>
    new Function(`"use strict";
      class Hook {
        constructor() { this.taps = []; ${init} }
        tap(f) { this.taps.push(f); return "${tag}"; }
        compile() { return "${tag}:" + this.taps.length; }
      }
      return Hook;`)() as new () => { tap(f: unknown): string; compile(): string; taps: unknown[] };

  test("property: committed under every policy, each object's copies are the new methods; rollback exact (seed 88)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("eager", "lazy", "progressive" as const),
        fc.subarray(["tap", "compile"], { minLength: 1 }),
        fc.boolean(),
        async (policy, copied, bound) => {
          const init = copied
            .map((m) => `this.${m} = this.${m}${bound ? ".bind(this)" : ""};`)
            .join(" ");
          const ns = new Namespace("copying", { instanceFinder: "registry" });
          const Hook = ns.registerClass(release("v1", ""), { name: "Hook" });
          const hooks = [new Hook(), new Hook()];
          hooks[0]!.tap(1);
          const before = hooks.map((h) => Object.keys(h));
          const result = await update(
            ns,
            patch("v2").replaceImplementation("Hook", release("v2", init)).build(),
            { policy },
          );
          expect(result.state()).toBe("committed");
          expect(hooks.map((h) => [h.tap(2), h.compile()])).toEqual([
            ["v2", "v2:2"],
            ["v2", "v2:1"],
          ]);
          for (const m of copied)
            expect(Object.hasOwn(hooks[0]!, m), `${m} on a migrated object`).toBe(true);
          await result.rollback();
          expect(hooks.map((h) => Object.keys(h))).toEqual(before);
          expect(hooks[0]!.compile()).toBe("v1:2");
        },
      ),
      { seed: 88, numRuns: 24 },
    );
  });

  test("another value in a field named like a kept method is still refused", () => {
    const ns = new Namespace("clash", { instanceFinder: "registry" });
    ns.registerClass(release("v1", ""), { name: "Hook" });
    expect(() =>
      updateSync(
        ns,
        patch("v2")
          .replaceImplementation("Hook", release("v2", "this.tap = this.compile;"))
          .build(),
      ),
    ).toThrow(/field-shadows-method/);
  });
});
