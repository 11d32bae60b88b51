/**
 * Code a patch carries as source runs away from the module it was written
 * in. A method reading a name of that module (a helper, an import) was
 * compiled anyway, the update committed, and its first call threw a
 * ReferenceError in the running program (lru-cache's `isPosInt` in a
 * release's class text, a `metamorph diff` method reading a module function:
 * reviews advY1, advY4). Such a patch is refused before anything changes,
 * naming the names; and the code sees what it should: globals, the
 * namespace's classes, the class's scope and the patch's hydrate scope.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, Patch, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Orders {
  count: number;
  place(item: string): string;
}

function world(scope: Record<string, unknown> = {}) {
  const ns = new Namespace("unbound-code");
  const Orders = ns.defineClass<Orders>(
    {
      name: "Orders",
      fields: [{ name: "count", initializer: "0" }],
      methods: {
        place(this: Orders, item: string) {
          return `${++this.count}: ${item}`;
        },
      },
    },
    { scope },
  );
  ns.defineClass<{ items: string[] }>({
    name: "Cart",
    fields: [{ name: "items", initializer: "[]" }],
  });
  return { ns, Orders, orders: [new Orders(), new Orders()] };
}

/** A patch whose new method reads `name` (its source, as a patch carries it). */
function reading(name: string, probe = false): Patch {
  const body = probe ? `typeof ${name} === "undefined" ? "none" : "some"` : `String(${name})`;
  const method = new Function(`return { place(item) { return (${body}) + item; } }`)() as Record<
    string,
    (this: Orders, item: string) => string
  >;
  return patch("reads").replaceMethods("Orders", method).build();
}

/** Names no global has and no world binds: a module's helpers, as a patch would name them. */
const helperName = fc
  .stringMatching(/^[a-z][A-Za-z]{2,8}$/)
  .filter((n) => !(n in globalThis) && !["Orders", "Cart", "item", "arguments"].includes(n));

describe("a method reading a name bound nowhere it runs", () => {
  test("property: refused before anything changes, naming the name; `typeof name` alone is no read", () => {
    fc.assert(
      fc.property(helperName, fc.boolean(), (name, probe) => {
        const { ns, orders } = world();
        const before = deepSnapshot({ ns, objects: orders });
        if (probe) {
          updateSync(ns, reading(name, true));
          expect(orders[0]!.place("x")).toBe("nonex");
          return;
        }
        let error: unknown;
        try {
          updateSync(ns, reading(name));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InvalidPatchError);
        expect(error).toMatchObject({
          code: "MM_INVALID_PATCH",
          details: { className: "Orders", names: [name] },
        });
        expect(String(error)).toContain(`\`${name}\``);
        expect(snapshotDifference(before, deepSnapshot({ ns, objects: orders }))).toBeUndefined();
      }),
      { seed: 5150, numRuns: 40 },
    );
  });

  test("a name the class's scope, the namespace or the patch's hydrate scope binds is accepted, and the method sees it", () => {
    const db = { ping: () => "pong" };
    const scoped = world({ db });
    updateSync(scoped.ns, reading("db.ping()"));
    expect(scoped.orders[0]!.place("!")).toBe("pong!");

    const { ns, orders } = world();
    updateSync(ns, reading("JSON.stringify(new Cart())"));
    expect(orders[0]!.place("!")).toBe('{"items":[]}!');

    const other = world();
    const hydrated = Patch.fromJSON(JSON.parse(JSON.stringify(reading("db.ping()").toJSON())), {
      trust: "in-process",
    }).hydrate({ db });
    updateSync(other.ns, hydrated);
    expect(other.orders[1]!.place("?")).toBe("pong?");
  });
});

test("a class handed in as text (a hydrated release) reading its module's helpers is refused; given in the hydrate scope, it is not", () => {
  class Counter {
    n = 0;
    inc() {
      return ++this.n;
    }
  }
  class Counter2 {
    n = 0;
    inc() {
      // @ts-expect-error a helper of the release's module
      return clamp(++this.n);
    }
  }
  const json = () =>
    JSON.parse(
      JSON.stringify(patch("r2").replaceImplementation("Counter", Counter2).build().toJSON()),
    );
  const ns = new Namespace("unbound-release");
  const Handle = ns.registerClass(Counter);
  const live = new Handle();
  live.inc();
  const before = deepSnapshot({ ns, objects: [live] });
  // Refused by hydrate itself, before the class text is evaluated.
  expect(() => Patch.fromJSON(json(), { trust: "in-process" }).hydrate()).toThrow(
    /its implementation function reads `clamp`/,
  );
  expect(snapshotDifference(before, deepSnapshot({ ns, objects: [live] }))).toBeUndefined();
  const scoped = Patch.fromJSON(json(), { trust: "in-process" }).hydrate({
    clamp: (n: number) => Math.min(n, 10),
  });
  updateSync(ns, scoped);
  expect([live.inc(), live.inc()]).toEqual([2, 3]);
});
