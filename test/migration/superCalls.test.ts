/**
 * `super` in the methods of registered classes, after field patches give
 * them derived versions (`addField` on a class the program wrote: its
 * methods are the running ones, copied into the version's home). The
 * stable prototype was linked onto that home, so `super.emit()` from
 * `emit` found `emit` again (RangeError: every `class Service extends
 * EventEmitter` overriding `emit`), and `super.x()` from a class that
 * overrides `x` called its own `x`.
 */
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Policy } from "../../src/index.js";

function world(label: string) {
  class Base extends EventEmitter {
    describe(): string {
      return "base";
    }
    x(): string {
      return "base-x";
    }
  }
  class Mid extends Base {
    hits = 0;
    override describe(): string {
      return `mid:${super.describe()}`;
    }
  }
  class Leaf extends Mid {
    heard = 0;
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      this.heard++;
      return super.emit(event, ...args);
    }
    override describe(): string {
      return `leaf:${super.describe()}`;
    }
    override x(): string {
      return "leaf-x";
    }
    superX(): string {
      return super.x();
    }
  }
  const ns = new Namespace(label);
  ns.registerClass(Base);
  ns.registerClass(Mid);
  const L = ns.registerClass(Leaf);
  return { ns, L };
}

type Leafy = InstanceType<ReturnType<typeof world>["L"]>;

/** What each object answers: the same before any update and after every commit and rollback. */
function answers(o: Leafy): unknown {
  let got = 0;
  o.on("ping", () => got++);
  o.emit("ping");
  return [o.describe(), o.superX(), o.x(), got];
}

const EXPECTED = ["leaf:mid:base", "base-x", "leaf-x", 1];

test.each(["eager", "lazy", "progressive"] as const)(
  "an override calling super.emit(), after an addField on the class, on old and new objects (%s)",
  (policy) => {
    const { ns, L } = world(`super-${policy}`);
    const old = new L();
    updateSync(ns, patch("add").addField("Leaf", "extra", { default: 1 }).build(), { policy });
    expect([answers(old), answers(new L())]).toEqual([EXPECTED, EXPECTED]);
    expect(old.heard).toBe(1);
  },
);

const classes = ["Base", "Mid", "Leaf"] as const;

test("property: super calls answer as the classes wrote them through any sequence of field patches on any class of the chain, and through their rollbacks", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cls: fc.constantFrom(...classes),
          policy: fc.constantFrom<Policy>("eager", "lazy"),
          rename: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      (steps) => {
        const { ns, L } = world("super-property");
        const objects: Leafy[] = [new L()];
        const results = steps.map(({ cls, policy, rename }, k) => {
          const field = `f${k}`;
          const p = patch(`p${k}`).addField(cls, field, { default: k });
          const result = updateSync(ns, (rename ? p.renameField(cls, field, `g${k}`) : p).build(), {
            policy,
          });
          objects.push(new L());
          for (const o of objects) expect(answers(o)).toEqual(EXPECTED);
          return result;
        });
        for (const result of results.reverse()) {
          result.rollback();
          for (const o of objects) expect(answers(o)).toEqual(EXPECTED);
        }
      },
    ),
    { seed: 7, numRuns: 10 },
  );
});
