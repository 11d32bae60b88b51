/**
 * MM_STALE_CLOSURE at a rollback (review advZ15): `update(ns, v2, {
 * healthCheck })`, v2 renaming `count` to `placed` and replacing `place()`;
 * a request served by v2 during the health check suspends at an await; the
 * check fails and the update rolls back; the v2 call resumes on the object
 * put back, hands order number 3 to its caller and writes a stray `placed`
 * — and the next v1 order is number 3 again. Nothing was said. The
 * rollback now adds to the result's warnings what the new version's code
 * that outlives it reads or assigns of the objects put back.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, update, updateSync } from "../../src/index.js";

type Warned = readonly { code: string; className?: string; field?: string; note: string }[];
const stale = (warnings: Warned) =>
  warnings.filter((w) => w.code === "MM_STALE_CLOSURE").map((w) => w.note);

/** A gate the test opens: no timer, no timing. */
function gate() {
  let open = () => {};
  const shut = new Promise<void>((resolve) => (open = resolve));
  return { shut, open };
}

type Orders = { count: number; place(): Promise<number> };

/** `shut`: in the class's scope, for the new version's code to await. */
function shop(name: string, shut: Promise<void> = Promise.resolve()) {
  const ns = new Namespace(name);
  const Orders = ns.defineClass<Orders>(
    {
      name: "Orders",
      fields: [{ name: "count", initializer: "0" }],
      methods: {
        place(this: Orders) {
          this.count += 1;
          return Promise.resolve(this.count);
        },
      },
    },
    { scope: { shut } },
  );
  return { ns, Orders };
}

const ASSIGNS =
  "calls of the new version's `place()` suspended at an `await` or `yield` assign `placed` when they resume, whose value the rollback puts back as `count`";

describe("a call of the new version in flight when the update rolls back", () => {
  test("a failed health check: said on what update() returns; the call is what it is about", async () => {
    const { shut, open } = gate();
    const { ns, Orders } = shop("stale-rollback-health", shut);
    const orders = new Orders();
    await orders.place();
    await orders.place();
    const v2 = patch("v2")
      .renameField("Orders", "count", "placed")
      .replaceMethods("Orders", {
        async place(this: { placed: number }) {
          const n = this.placed + 1;
          await shut;
          this.placed = n;
          return n;
        },
      })
      .build();
    let inFlight: Promise<number> | undefined;
    const result = await update(ns, v2, {
      healthCheck: () => {
        inFlight = orders.place(); // a request v2 serves during the check
        return false;
      },
    });
    expect(result.outcome).toBe("rolled-back");
    expect(stale(result.warnings)).toEqual([ASSIGNS]);
    expect(result.warnings[0]!.field).toBe("placed");
    open();
    expect(await inFlight).toBe(3);
    expect({ ...orders }).toEqual({ count: 2, placed: 3 });
    expect(await orders.place()).toBe(3);
  });

  test("result.rollback(): added to the result's warnings by the rollback, not before; a read after the await is said as missing", () => {
    const { ns } = shop("stale-rollback-asked");
    const result = updateSync(
      ns,
      patch("v2")
        .renameField("Orders", "count", "placed")
        .replaceMethods("Orders", {
          async place(this: { placed: number }) {
            await null;
            this.placed += 1;
            return this.placed;
          },
        })
        .build(),
    );
    expect(stale(result.warnings)).toEqual([]);
    result.rollback();
    expect(stale(result.warnings)).toEqual([
      "calls of the new version's `place()` suspended at an `await` or `yield` read `placed` when they resume, which the objects the rollback put back do not have",
    ]);
    expect(result.warnings[0]!.message).toMatch(/roll back when no such call is in flight/);
  });

  test("new code that reads only what the rollback keeps: nothing said", () => {
    const { ns } = shop("stale-rollback-kept");
    const result = updateSync(
      ns,
      patch("v2")
        .addField("Orders", "note", { default: "" })
        .replaceMethods("Orders", {
          async place(this: Orders) {
            await null;
            this.count += 1;
            return this.count;
          },
        })
        .build(),
    );
    result.rollback();
    expect(stale(result.warnings)).toEqual([]);
  });
});
