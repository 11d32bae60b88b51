/**
 * MM_STALE_CLOSURE for a subclass's code that reads (or assigns) a field
 * it inherits, which the update renames in the superclass (review advZ15):
 * `Express.place()` — `await gate; this.count += 1` — suspended across a
 * rename of `Orders.count` to `placed` resumed on the new layout, returned
 * NaN and left `{ placed: 0, count: null }`, with no warning. The check
 * counted only the members a class owns; and a registered subclass the
 * patch leaves alone was read from the constructor derived for it, which
 * shows none of its methods.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Warned = readonly { code: string; className?: string; field?: string; note: string }[];
const stale = (warnings: Warned) =>
  warnings.filter((w) => w.code === "MM_STALE_CLOSURE").map((w) => [w.className, w.note]);

/** A gate the test opens: no timer, no timing. */
function gate() {
  let open = () => {};
  const shut = new Promise<void>((resolve) => (open = resolve));
  return { shut, open };
}

const EXPRESS_READS =
  "calls of the running version's `place()` suspended at an `await` or `yield` read `count` when they resume, which the new version no longer has";

type Orders = { count: number; place(): Promise<number> };

describe("a subclass's call suspended across a rename of the field it inherits", () => {
  test("defineClass: the subclass is warned of, and the call in flight is what the warning is about", async () => {
    const { shut, open } = gate();
    const ns = new Namespace("stale-inherited-created");
    ns.defineClass({ name: "Orders", fields: [{ name: "count", initializer: "0" }] });
    const Express = ns.defineClass<Orders>(
      {
        name: "Express",
        superclass: "Orders",
        methods: {
          async place(this: Orders) {
            await shut;
            this.count += 1;
            return this.count;
          },
        },
      },
      { scope: { shut } },
    );
    const e = new Express();
    const pending = e.place();
    const placed = {
      async place(this: { placed: number }) {
        this.placed += 1;
        return this.placed;
      },
    };
    const result = updateSync(
      ns,
      patch("v2")
        .renameField("Orders", "count", "placed")
        .replaceMethods("Express", placed)
        .build(),
    );
    expect(stale(result.warnings)).toEqual([["Express", EXPRESS_READS]]);
    open();
    expect(await pending).toBeNaN();
  });

  test("registered classes, the subclass left alone by the patch: warned of the same", async () => {
    const { shut, open } = gate();
    class Orders {
      count = 0;
      async place() {
        this.count += 1;
        return this.count;
      }
    }
    class Express extends Orders {
      override async place() {
        await shut;
        this.count += 1;
        return this.count;
      }
    }
    const ns = new Namespace("stale-inherited-registered");
    ns.registerClass(Orders, { constructedOnlyThroughHandle: true });
    const ExpressHandle = ns.registerClass(Express, { constructedOnlyThroughHandle: true });
    const e = new ExpressHandle();
    const pending = e.place();
    class Orders2 {
      placed = 0;
      async place() {
        this.placed += 1;
        return this.placed;
      }
    }
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Orders", Orders2, { renames: { placed: "count" } })
        .build(),
    );
    expect(stale(result.warnings)).toEqual([["Express", EXPRESS_READS]]);
    open();
    expect(await pending).toBeNaN();
  });

  test("a subclass's closure that only assigns the inherited field: named with its new name; and silence where the superclass keeps it", () => {
    const build = (name: string) => {
      const ns = new Namespace(name);
      ns.defineClass({ name: "Base", fields: [{ name: "seen", initializer: "0" }] });
      ns.defineClass({
        name: "Probe",
        superclass: "Base",
        methods: {
          start(this: { seen: number }) {
            queueMicrotask(() => {
              this.seen = 1;
            });
          },
        },
      });
      return ns;
    };
    const renamed = updateSync(
      build("stale-inherited-write"),
      patch("rn").renameField("Base", "seen", "seenAt").build(),
    );
    expect(stale(renamed.warnings)).toEqual([
      [
        "Probe",
        "closures the running version made (arrow functions given to timers or listeners) assign `seen`, whose value the new version keeps as `seenAt`",
      ],
    ]);
    const added = updateSync(
      build("stale-inherited-kept"),
      patch("add").addField("Base", "extra", { default: 0 }).build(),
    );
    expect(stale(added.warnings)).toEqual([]);
  });
});
