/**
 * The side-effect witness on the compiled path: an eager update whose only
 * user code is field initialisers (no migrator, no validation) takes the
 * compiled path, where the witness compares each instance against the old
 * values its migration log saved before any user code ran. A write by that
 * code to another live instance — a changed, added or deleted field, on an
 * object of either path — is undone exactly and refuses the update.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  MigrationError,
  MigrationSideEffectError,
  Namespace,
  patch,
  updateSync,
} from "../../src/index.js";
import { pictures, type Rec } from "../support/pictures.js";

const state = (list: readonly Rec[]) =>
  list.map((o) => Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)!.value]));

type Write = "set" | "add" | "delete";

function write(target: Rec, kind: Write): void {
  if (kind === "set") target.name = "touched";
  else if (kind === "add") target.intruder = 1;
  else delete target.path;
}

/** Renames `path`, drops `size`, adds a field whose initialiser writes to `list[target]` when it runs for `list[at]`. */
function writingPatch(list: readonly Rec[], at: number, target: number, kind: Write) {
  let seen = 0;
  return patch("writes")
    .renameField("Picture", "path", "basepath")
    .removeField("Picture", "size")
    .addField("Picture", "big", {
      initial: (old) => {
        if (seen++ === at) write(list[target]!, kind);
        return (old.size as number) > 1;
      },
    })
    .build();
}

describe("side-effect witness, compiled path", () => {
  test("an initialiser that writes to another instance is refused and its write undone", () => {
    const { ns, list } = pictures(5, "witness");
    const before = state(list);
    const error = (() => {
      try {
        updateSync(ns, writingPatch(list, 0, 3, "set"));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MigrationSideEffectError);
    expect((error as MigrationSideEffectError).code).toBe("MM_MIGRATION_SIDE_EFFECT");
    expect((error as Error).message).toContain('"name"');
    expect(state(list)).toEqual(before);
    expect(ns.version).toBe(1);
  });

  test("a refusal for another reason undoes the write too", () => {
    const { ns, list } = pictures(4, "witness");
    const before = state(list);
    let seen = 0;
    const p = patch("throws")
      .addField("Picture", "big", {
        initial: () => {
          if (seen === 0) list[2]!.name = "touched";
          if (seen++ === 3) throw new Error("no");
          return true;
        },
      })
      .build();
    expect(() => updateSync(ns, p)).toThrow(MigrationError);
    expect(state(list)).toEqual(before);
  });

  test("property: any write to any instance, on either path, is refused and undone exactly", () => {
    fc.assert(
      fc.property(
        fc.nat(5),
        fc.nat(5),
        fc.constantFrom<Write>("set", "add", "delete"),
        fc.option(fc.nat(5), { nil: undefined }),
        (at, target, kind, general) => {
          const { ns, list } = pictures(6, "witness");
          // An object with an extra own property takes the general path.
          if (general !== undefined) list[general]!.extra = "own";
          const before = state(list);
          expect(() => updateSync(ns, writingPatch(list, at, target, kind))).toThrow(
            MigrationSideEffectError,
          );
          expect(state(list)).toEqual(before);
        },
      ),
      { seed: 2026, numRuns: 60 },
    );
  });
});

describe("the check left to the rewrite (no event listener, no commit-step callback)", () => {
  /** Two classes migrated by one patch, whose initialiser for `from` writes to an instance of `to`. */
  function twoClasses(from: "A" | "B", to: "A" | "B") {
    const ns = new Namespace("two");
    const A = ns.defineClass({ name: "A", fields: ["x", "y"] });
    const B = ns.defineClass({ name: "B", fields: ["u", "v"] });
    const lists = {
      A: Array.from({ length: 4 }, (_, i) => new A({ x: i, y: `a${i}` }) as Rec),
      B: Array.from({ length: 4 }, (_, i) => new B({ u: i, v: `b${i}` }) as Rec),
    };
    let calls = 0;
    const initial = (name: "A" | "B") => (old: Readonly<Rec>) => {
      if (name === from && calls++ === 1) lists[to][2]![to === "A" ? "y" : "v"] = "written";
      return Object.keys(old).length;
    };
    const p = patch("both")
      .removeField("A", "x")
      .addField("A", "n", { initial: initial("A") })
      .removeField("B", "u")
      .addField("B", "n", { initial: initial("B") })
      .build();
    return { ns, lists, p };
  }

  test.each([
    ["A", "A"],
    ["A", "B"],
    ["B", "A"],
    ["B", "B"],
  ] as const)(
    "a write by %s's initialiser to an instance of %s: whatever was rewritten is undone, the write too, and the update refused",
    (from, to) => {
      const { ns, lists, p } = twoClasses(from, to);
      const before = { A: state(lists.A), B: state(lists.B), version: ns.version };
      expect(() => updateSync(ns, p)).toThrow(/wrote to a (A|B) instance \(property "(y|v)"\)/);
      expect({ A: state(lists.A), B: state(lists.B), version: ns.version }).toEqual(before);
    },
  );

  test("with an event listener the witness compares before the commit, with the same outcome", () => {
    const { ns, lists, p } = twoClasses("A", "B");
    const before = { A: state(lists.A), B: state(lists.B) };
    const failed: string[] = [];
    expect(() =>
      updateSync(ns, p, {
        onEvent: (event) => {
          if (event.status === "failed") failed.push(event.phase);
        },
      }),
    ).toThrow(MigrationSideEffectError);
    expect(failed).toEqual(["validate"]);
    expect({ A: state(lists.A), B: state(lists.B) }).toEqual(before);
  });
});

describe("what an initialiser reads on the compiled path", () => {
  test("the object itself, as it is before the commit: its fields, and the old version's methods", () => {
    const { ns, list } = pictures(3, "view");
    const seen: unknown[] = [];
    const result = updateSync(
      ns,
      patch("reads")
        .removeField("Picture", "size")
        .addField("Picture", "twice", {
          initial: (old) => {
            seen.push(old);
            return (old.size as number) * 2;
          },
        })
        .build(),
    );
    expect(seen).toEqual(list.map(() => expect.anything()));
    for (const [i, old] of seen.entries()) expect(old).toBe(list[i]);
    expect(list.map((o) => o.twice)).toEqual([0, 2, 4]);
    result.rollback();
    expect(list.map((o) => Object.entries(o))).toEqual(
      list.map((_, i) => [
        ["path", `/p${i}`],
        ["name", `n${i}`],
        ["size", i],
      ]),
    );
  });

  test.each<Write>(["set", "add", "delete"])(
    "a write to the object it reads (%s) is undone and refuses the update",
    (kind) => {
      const { ns, list } = pictures(4, "view");
      const before = state(list);
      const p = patch("writes-old")
        .removeField("Picture", "size")
        .addField("Picture", "big", {
          initial: (old) => {
            write(old as Rec, kind);
            return true;
          },
        })
        .build();
      expect(() => updateSync(ns, p)).toThrow(MigrationSideEffectError);
      expect(state(list)).toEqual(before);
      expect(ns.version).toBe(1);
    },
  );

  test("the same in an update where some objects take the general path, which read a frozen copy", () => {
    const { ns, list } = pictures(3, "view");
    list[1]!.extra = "own";
    const views: { live: boolean; frozen: boolean }[] = [];
    updateSync(
      ns,
      patch("copies")
        .addField("Picture", "big", {
          initial: (old) => {
            views.push({ live: list.includes(old as Rec), frozen: Object.isFrozen(old) });
            return (old.size as number) > 0;
          },
        })
        .build(),
    );
    expect(views).toEqual([
      { live: true, frozen: false },
      { live: false, frozen: true },
      { live: true, frozen: false },
    ]);
    expect(list.map((o) => o.big)).toEqual([false, true, true]);
  });
});

describe("layout checks when the prototype chain has enumerable keys", () => {
  test("objects still take the compiled path's result, and rollback and the witness work", () => {
    const { ns, list } = pictures(4, "witness");
    const prototype = Object.getPrototypeOf(list[0]) as object;
    Object.defineProperty(prototype, "tag", {
      value: "inherited",
      enumerable: true,
      writable: true,
      configurable: true,
    });
    try {
      const before = state(list);
      expect(() => updateSync(ns, writingPatch(list, 1, 2, "add"))).toThrow(
        MigrationSideEffectError,
      );
      expect(state(list)).toEqual(before);
      const result = updateSync(ns, writingPatch(list, -1, 0, "set"));
      expect(list.map((o) => Object.keys(o))).toEqual(list.map(() => ["basepath", "name", "big"]));
      expect(list.map((o) => o.big)).toEqual([false, false, true, true]);
      result.rollback();
      expect(state(list)).toEqual(before);
    } finally {
      Reflect.deleteProperty(prototype, "tag");
    }
  });
});

test("an own accessor that answers a new object at each read is no write; a migrator that redefines it on a live object is refused, the accessor put back without calling its setter", () => {
  for (const writes of [false, true]) {
    const ns = new Namespace(`accessor-witness-${writes}`, { instanceFinder: "registry" });
    const Thing = ns.registerClass(
      class Thing {
        n = 1;
        pos: unknown = null;
      },
    );
    const things = [new Thing(), new Thing()];
    const setterCalls: unknown[] = [];
    let x = 3;
    const get = () => ({ x });
    const set = (v: { x: number }) => {
      setterCalls.push(v);
      x = v.x;
    };
    Object.defineProperty(things[0]!, "pos", { get, set, enumerable: true, configurable: true });
    const p = patch("p")
      .addField("Thing", "double", {
        initial: (old) => {
          if (writes)
            Object.defineProperty(things[0]!, "pos", {
              value: "written",
              enumerable: true,
              configurable: true,
              writable: true,
            });
          return (old.n as number) * 2;
        },
      })
      .build();
    if (!writes) {
      updateSync(ns, p);
      expect(things.map((t) => (t as unknown as { double: number }).double)).toEqual([2, 2]);
    } else {
      expect(() => updateSync(ns, p)).toThrow(
        expect.objectContaining({ code: "MM_MIGRATION_SIDE_EFFECT" }),
      );
    }
    expect(Object.getOwnPropertyDescriptor(things[0]!, "pos")).toEqual({
      get,
      set,
      enumerable: true,
      configurable: true,
    });
    expect(setterCalls).toEqual([]);
  }
});
