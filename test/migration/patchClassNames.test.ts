/**
 * The code a patch carries sees the classes of the world it will run in:
 * those the same patch adds (whatever the order of its operations, two new
 * classes naming each other included) and the names it gives. Such a patch
 * was refused (`Invoice` unbound: the code was compiled against the running
 * namespace, where the class did not exist yet); a name the patch takes away
 * (a class it removes, the old name of one it renames) is refused, saying so.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  InvalidPatchError,
  Namespace,
  Patch,
  type Policy,
  patch,
  update,
  updateSync,
} from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

interface Orders {
  count: number;
  place(item: string): string;
}
interface Invoice {
  line: Line | null;
  show(): string;
}
interface Line {
  item: string;
  invoice(): Invoice;
}
// What the patch's code names; bound where it runs, not here.
declare const Invoice: new (init?: Partial<Invoice>) => Invoice;
declare const Line: new (init?: Partial<Line>) => Line;
declare const Order: new () => Orders;
declare const Orders: new () => Orders;

function world() {
  const ns = new Namespace("patch-class-names");
  const Orders = ns.defineClass<Orders>({
    name: "Orders",
    fields: [{ name: "count", initializer: "0" }],
    methods: {
      place(this: Orders, item: string) {
        return `${++this.count}: ${item}`;
      },
    },
  });
  return { ns, Orders, orders: [new Orders(), new Orders()] };
}

const untyped = (name: string) => patch(name);
type Builder = ReturnType<typeof untyped>;

const addLine = (p: Builder) =>
  p.addClass({
    name: "Line",
    fields: [{ name: "item", initializer: '""' }],
    methods: {
      invoice(this: Line) {
        return new Invoice({ line: this });
      },
    },
  });
const addInvoice = (p: Builder) =>
  p.addClass({
    name: "Invoice",
    fields: [{ name: "line", initializer: "null" }],
    methods: {
      show(this: Invoice) {
        return `${this.line instanceof Line ? this.line.item : "?"}`;
      },
    },
  });
const useBoth = (p: Builder) =>
  p.addField("Orders", "last", { defaultSource: "new Invoice()" }).replaceMethods("Orders", {
    place(this: Orders & { last: Invoice }, item: string) {
      this.last = new Line({ item }).invoice();
      return `${++this.count}: ${this.last.show()}`;
    },
  });

describe("classes a patch adds, named by its own code", () => {
  test("property: in any order of the operations and under every policy, the new code builds managed objects of the added classes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([addLine, addInvoice, useBoth], { minLength: 3, maxLength: 3 }),
        fc.constantFrom<Policy>("eager", "lazy", "progressive"),
        fc.boolean(),
        async (steps, policy, viaJson) => {
          const { ns, Orders, orders } = world();
          let built = steps
            .reduce((p, step) => step(p), patch("v2"))
            .policy(policy)
            .build();
          if (viaJson)
            built = Patch.fromJSON(JSON.parse(JSON.stringify(built.toJSON())), {
              trust: "in-process",
            }).hydrate();
          const result = await update(ns, built);
          const InvoiceHandle = ns.classNamed("Invoice");
          const LineHandle = ns.classNamed("Line");
          const last = (o: Orders) => (o as Orders & { last: Invoice }).last;
          expect(orders[0]!.place("tea")).toBe("1: tea");
          expect(last(orders[0]!)).toBeInstanceOf(InvoiceHandle);
          expect(last(orders[0]!).line).toBeInstanceOf(LineHandle);
          expect(ns.allInstances(InvoiceHandle)).toContain(last(orders[0]!));
          // The field's initialiser ran for the live objects and runs for new ones.
          if (policy !== "eager") result.completeMigration();
          expect(last(orders[1]!)).toBeInstanceOf(InvoiceHandle);
          expect(last(orders[1]!).line).toBeNull();
          expect(last(new Orders())).toBeInstanceOf(InvoiceHandle);
        },
      ),
      { seed: 2718, numRuns: 24 },
    );
  });

  test("rolled back, the added classes are gone and the old code runs", () => {
    const { ns, orders } = world();
    const result = updateSync(ns, useBoth(addInvoice(addLine(patch("v2")))).build());
    expect(orders[0]!.place("a")).toBe("1: a");
    result.rollback();
    expect(ns.has("Invoice")).toBe(false);
    expect(orders[0]!.place("b")).toBe("2: b");
  });
});

describe("names a patch gives and takes away", () => {
  test("a renamed class is read by its new name; its old name is refused, saying the patch renames it", () => {
    const { ns, Orders: Handle, orders } = world();
    updateSync(
      ns,
      patch("rename")
        .renameClass("Orders", "Order")
        .replaceMethods("Order", {
          place(this: Orders, item: string) {
            return `${new Order() instanceof Order && this instanceof Order} ${item}`;
          },
        })
        .build(),
    );
    expect(orders[0]!.place("x")).toBe("true x");
    expect(ns.classNamed("Order")).toBe(Handle);

    const again = world();
    const before = deepSnapshot({ ns: again.ns, objects: again.orders });
    let error: unknown;
    try {
      updateSync(
        again.ns,
        patch("old name")
          .renameClass("Orders", "Order")
          .replaceMethods("Order", {
            place(item: string) {
              return `${new Orders().count} ${item}`;
            },
          })
          .build(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPatchError);
    expect(String(error)).toContain("`Orders` (a class this patch renames to Order)");
    expect(snapshotDifference(before, deepSnapshot({ ns: again.ns, objects: again.orders }))).toBe(
      undefined,
    );
  });

  test("new code reading a class the same patch removes is refused before anything changes", () => {
    const { ns, orders } = world();
    updateSync(ns, addInvoice(addLine(patch("v2"))).build());
    const before = deepSnapshot({ ns, objects: orders });
    const removing = patch("v3")
      .removeClass("Line")
      .replaceMethods("Invoice", {
        show() {
          return String(new Line());
        },
      })
      .build();
    expect(() => updateSync(ns, removing)).toThrow(/`Line` \(a class this patch removes\)/);
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: orders }))).toBeUndefined();
  });

  test("a surviving class whose code reads a class the patch removes is refused (removed-class-reference); changing that code in the same patch commits", () => {
    const { ns, orders } = world();
    updateSync(ns, useBoth(addInvoice(addLine(patch("v2")))).build());
    const before = deepSnapshot({ ns, objects: orders });
    let error: unknown;
    try {
      updateSync(ns, patch("drop").removeClass("Line").build());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "MM_VALIDATION_FAILED" });
    expect(String(error)).toContain(
      "[removed-class-reference] Invoice: class Invoice, method show, reads removed class Line",
    );
    expect(String(error)).toContain("class Orders, method place, reads removed class Line");
    expect(snapshotDifference(before, deepSnapshot({ ns, objects: orders }))).toBeUndefined();
    updateSync(
      ns,
      patch("drop with code")
        .removeClass("Line")
        .replaceMethods("Invoice", {
          show() {
            return "no line";
          },
        })
        .replaceMethods("Orders", {
          place(this: Orders, item: string) {
            return `${++this.count}: ${item}`;
          },
        })
        .build(),
    );
    expect(ns.has("Line")).toBe(false);
    expect(orders[0]!.place("x")).toBe("1: x");
  });
});
