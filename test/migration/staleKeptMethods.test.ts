/**
 * MM_STALE_CLOSURE for a method the update keeps as it is that reads a
 * field the update renames (review advZ15): `renameField("C", "count",
 * "total")` keeping `inc() { this.count += 1; return this.count; }`
 * committed with no word, and every later `inc()` answered NaN and wrote a
 * stray `count`. Said only where the method is sure to miss: not where it
 * names the new name too, not where the new version has a member under the
 * old name, not for a method the patch replaces.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Warned = readonly { code: string; className?: string; field?: string; note: string }[];
const stale = (warnings: Warned) =>
  warnings.filter((w) => w.code === "MM_STALE_CLOSURE").map((w) => [w.field, w.note]);

type C = { count: number; inc(): number };

function counter(name: string, methods: Record<string, (this: C) => unknown>) {
  const ns = new Namespace(name);
  const C = ns.defineClass<C>({
    name: "C",
    fields: [{ name: "count", initializer: "0" }],
    methods,
  });
  return { ns, C };
}

const INC_NOTE =
  "the running version's `inc()`, which the new version keeps as it is, reads `count`, whose value the new version keeps as `total`";

describe("a kept method that reads a renamed field", () => {
  test("defineClass: said, naming the method, the field and its new name; the next call is what it is about", () => {
    const { ns, C } = counter("kept-read", {
      inc(this: C) {
        this.count += 1;
        return this.count;
      },
    });
    const c = new C();
    c.inc();
    const result = updateSync(ns, patch("rn").renameField("C", "count", "total").build());
    expect(stale(result.warnings)).toEqual([["count", INC_NOTE]]);
    expect(result.warnings[0]!.message).toMatch(/every call from now on.*replaceMethods/);
    expect(c.inc()).toBeNaN();
  });

  test("a registered class whose field patch keeps its methods: said the same", () => {
    class Counter {
      count = 0;
      inc() {
        this.count += 1;
        return this.count;
      }
    }
    const ns = new Namespace("kept-read-registered");
    ns.registerClass(Counter, { constructedOnlyThroughHandle: true });
    const result = updateSync(ns, patch("rn").renameField("Counter", "count", "total").build());
    expect(stale(result.warnings)).toEqual([["count", INC_NOTE]]);
  });

  test("not said: a method replaced, one that reads the new name too, or an accessor of the new version under the old name", () => {
    const methods = {
      inc(this: C) {
        this.count += 1;
        return this.count;
      },
      value(this: C & { total?: number }) {
        return this.total ?? this.count;
      },
    };
    const replaced = updateSync(
      counter("kept-replaced", methods).ns,
      patch("rn")
        .renameField("C", "count", "total")
        .replaceMethods("C", {
          inc(this: { total: number }) {
            this.total += 1;
            return this.total;
          },
        })
        .build(),
    );
    expect(stale(replaced.warnings)).toEqual([]);
    const { ns, C } = counter("kept-accessor", methods);
    const withAccessor = updateSync(
      ns,
      patch("rn")
        .renameField("C", "count", "total")
        .addMethods("C", {
          get count() {
            return (this as unknown as { total: number }).total;
          },
          set count(v: number) {
            (this as unknown as { total: number }).total = v;
          },
        })
        .build(),
    );
    expect(stale(withAccessor.warnings)).toEqual([]);
    expect(new C().inc()).toBe(1);
  });
});

describe("a kept method that only assigns a renamed field", () => {
  test("said, as a write: every call writes a stray property, and the field it meant keeps its value", () => {
    const { ns, C } = counter("kept-write", {
      reset(this: C) {
        this.count = 0;
      },
    });
    const c = new C();
    c.count = 5;
    const result = updateSync(ns, patch("rn").renameField("C", "count", "total").build());
    expect(stale(result.warnings)).toEqual([
      [
        "count",
        "the running version's `reset()`, which the new version keeps as it is, writes `count`, whose value the new version keeps as `total`",
      ],
    ]);
    // What it is about: the reset is lost.
    (c as C & { reset(): void }).reset();
    expect((c as unknown as { total: number }).total).toBe(5);
  });

  test("a method reading one renamed field and another assigning another: both named, as reads or writes", () => {
    type P = { a: number; b: number };
    const ns = new Namespace("kept-read-write");
    ns.defineClass<P>({
      name: "P",
      fields: [
        { name: "a", initializer: "1" },
        { name: "b", initializer: "2" },
      ],
      methods: {
        getA(this: P) {
          return this.a;
        },
        setB(this: P) {
          this.b = 3;
        },
      },
    });
    const result = updateSync(
      ns,
      patch("rn").renameField("P", "a", "x").renameField("P", "b", "y").build(),
    );
    expect(stale(result.warnings)).toEqual([
      [
        undefined,
        "the running version's `getA()`, `setB()`, which the new version keeps as they are, read or write `a`, `b`, whose values the new version keeps as `x`, `y`",
      ],
    ]);
  });
});
