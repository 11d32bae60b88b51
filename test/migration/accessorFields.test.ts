/**
 * Fields whose name an accessor up the prototype chain has. A migration
 * assigned new fields: an external superclass's setter (a package's base
 * class; `HTMLElement`'s `title`) or one on Object.prototype ran inside the
 * commit, the objects got no field and the update said committed (review
 * advZ2). And an ordinary class whose constructor defines a field over its
 * own getter (event-target-shim's `Event.isTrusted`) made every later update
 * of the namespace refused as a duplicate field (review advZ1): only a
 * constructor metamorph generates assigns fields.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, type Policy, patch, update, updateSync } from "../../src/index.js";

describe("a new field named like an accessor up the chain is defined, not assigned", () => {
  test("property: every policy, plain objects and objects with extra state, an external superclass's or Object.prototype's accessor: the objects own the field, no setter runs, rollback takes it away", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Policy>("eager", "lazy", "progressive"),
        fc.constantFrom("superclass", "Object.prototype"),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
        async (policy, where, extras) => {
          const setterRan: unknown[] = [];
          const accessor = {
            get: () => "inherited",
            set: (v: unknown) => void setterRan.push(v),
            configurable: true,
          };
          class Base {}
          if (where === "superclass") Object.defineProperty(Base.prototype, "label", accessor);
          else Object.defineProperty(Object.prototype, "label", accessor);
          try {
            const ns = new Namespace("accessor-fields");
            const Widget = ns.registerClass(
              class Widget extends Base {
                x = 1;
              },
              { externalSuperclass: true },
            );
            const widgets = extras.map((extra, i) => {
              const w = new Widget() as InstanceType<typeof Widget> & Record<string, unknown>;
              w.x = i;
              if (extra) w.note = "extra"; // off the compiled path
              return w;
            });
            const result = await update(
              ns,
              patch("label")
                .addField("Widget", "label", { initial: (o) => `widget ${String(o.x)}` })
                .policy(policy)
                .build(),
            );
            if (policy !== "eager") result.completeMigration();
            widgets.forEach((w, i) => {
              expect(Object.hasOwn(w, "label")).toBe(true);
              expect(w.label).toBe(`widget ${i}`);
            });
            expect(setterRan).toEqual([]);
            result.rollback();
            for (const w of widgets) expect(Object.hasOwn(w, "label")).toBe(false);
            expect(setterRan).toEqual([]);
          } finally {
            if (where === "Object.prototype")
              delete (Object.prototype as Record<string, unknown>).label;
          }
        },
      ),
      { seed: 4242, numRuns: 8 },
    );
  });

  test("a created class's field named like an accessor of Object.prototype is its objects' own", () => {
    const setterRan: unknown[] = [];
    Object.defineProperty(Object.prototype, "audit", {
      get: () => "inherited",
      set: (v: unknown) => void setterRan.push(v),
      configurable: true,
    });
    try {
      const ns = new Namespace("created-accessor");
      const P = ns.defineClass<{ x: number; audit: string }>({
        name: "P",
        fields: [
          { name: "x", initializer: "0" },
          { name: "audit", initializer: '"own"' },
        ],
      });
      const made = [new P(), new P({ audit: "given" })];
      expect(made.map((p) => [Object.hasOwn(p, "audit"), p.audit])).toEqual([
        [true, "own"],
        [true, "given"],
      ]);
      expect(setterRan).toEqual([]);
    } finally {
      delete (Object.prototype as Record<string, unknown>).audit;
    }
  });
});

test("an ordinary class whose constructor defines a field over its own getter can be updated, and does not block updates of other classes", () => {
  const release = (suffix: string) =>
    class Event {
      type: string;
      constructor(type: string) {
        Object.defineProperty(this, "isTrusted", { value: false, enumerable: true });
        this.type = type;
      }
      get isTrusted(): boolean {
        return true;
      }
      describe() {
        return `${this.type}${suffix}`;
      }
    };
  const ns = new Namespace("defined-over-getter");
  const Event = ns.registerClass(release(""));
  const Counter = ns.defineClass<{ n: number; get(): number }>({
    name: "Counter",
    fields: [{ name: "n", initializer: "1" }],
    methods: {
      get(this: { n: number }) {
        return this.n;
      },
    },
  });
  const event = new Event("click");
  const counter = new Counter();
  updateSync(
    ns,
    patch("other")
      .replaceMethods("Counter", {
        get(this: { n: number }) {
          return this.n + 1;
        },
      })
      .build(),
  );
  expect(counter.get()).toBe(2);
  updateSync(ns, patch("v2").replaceImplementation("Event", release("!")).build());
  expect(event.describe()).toBe("click!");
  expect(Object.getOwnPropertyDescriptor(event, "isTrusted")).toMatchObject({
    value: false,
    writable: false,
  });
});
