/**
 * A cooperative update's rollback (privateState.ts) rewrote every object
 * back to the old layout, through the hooks, and only then asked the
 * namespace to undo its replace: after `forgetHistoryBefore`, the undo
 * refused (MM_UNDO) with every object on the old layout under the new
 * classes — half a rollback, the result still "committed". The same
 * happened when an export or import hook, or a getter on a field the
 * rollback reads, threw part-way, defined a binding or started an update.
 * Now everything that can refuse is asked before the first write, and what
 * fails after that puts every object back: the rollback is refused
 * (MM_ROLLBACK) with the program exactly as it was.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  cloneNamespace,
  MetamorphError,
  Namespace,
  patch,
  replaceNamespace,
  updateSync,
} from "../../src/index.js";
import { Adoptable, type AppliedUpdate, applyUpdate } from "../../src/lifecycle/index.js";
import { shapes } from "../support/objectShapes.js";

type Counter = { label: string; bump(): number; read(): string };

/** Where the fault is: before the rollback, or in code the rollback runs. */
const FAULTS = [
  "forget",
  "defineSince",
  "frozen",
  "throws",
  "defines",
  "updates",
  "rollsBack",
] as const;
/** The code the rollback runs that the fault is in (for the last four). */
const PLACES = ["export", "import", "getter"] as const;

interface Control {
  armed: boolean;
  target: object | undefined;
  place: (typeof PLACES)[number];
  act: () => void;
}

function versions(oldPrivate: boolean, control: Control) {
  const at = (place: Control["place"], object: object) => {
    if (control.armed && control.place === place && control.target === object) control.act();
  };
  const V1 = oldPrivate
    ? class Counter {
        #count = 0;
        label: string;
        constructor(label = "") {
          this.label = label;
        }
        bump() {
          return ++this.#count;
        }
        read() {
          return `${this.label}:${this.#count}`;
        }
        static metamorphExport(instance: Counter) {
          return { count: instance.#count };
        }
        static metamorphImport(instance: Counter, state: { count: number }) {
          at("import", instance);
          instance.#count = state.count;
        }
      }
    : class Counter {
        label: string;
        constructor(label = "") {
          this.label = label;
        }
        bump() {
          return 0;
        }
        read() {
          return `${this.label}:-`;
        }
      };
  const V2 = class Counter2 extends Adoptable {
    #total = 0;
    label = "";
    tags: string[] = [];
    constructor(label = "") {
      super();
      if (!Adoptable.isAdopting(this)) this.label = label;
    }
    bump() {
      return ++this.#total;
    }
    read() {
      return `${this.label}=${this.#total}`;
    }
    static metamorphImport(instance: Counter2, state: { count: number } | undefined) {
      if (state) instance.#total = state.count;
    }
    static metamorphExport(instance: Counter2) {
      at("export", instance);
      return { count: instance.#total };
    }
  };
  return { V1, V2 };
}

/** What the program sees: the objects (layout, private state through the methods) and the namespace. */
function programState(ns: Namespace, Handle: unknown, objects: readonly Counter[]) {
  return {
    shapes: shapes(objects),
    reads: objects.map((o) => o.read()),
    version: ns.version,
    bindings: ns.bindingNames(),
    handle: ns.lookup("Counter") === Handle,
    history: ns.history.map((s) => s.version),
    scopes: [...ns.scopes.keys()],
  };
}

function outcomeOf(call: () => unknown): string {
  try {
    call();
    return "accepted";
  } catch (error) {
    return error instanceof MetamorphError ? error.code : `untyped ${String(error)}`;
  }
}

test("property: a cooperative rollback refused or failing anywhere leaves the program exactly as it was; a fault that passes lets it finish (seed 7311)", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 3 }),
      fc.nat(),
      fc.constantFrom(...FAULTS),
      fc.constantFrom(...PLACES),
      fc.boolean(),
      (oldPrivate, count, made, pick, fault, place, swallowed) => {
        // Only the old version with private state has hooks both ways; objects
        // made since the commit are refused before anything when it does.
        if (!oldPrivate) place = "getter";
        else made = 0;
        const control: Control = { armed: false, target: undefined, place, act: () => {} };
        const { V1, V2 } = versions(oldPrivate, control);
        const ns = new Namespace(`adoption-atomic-${oldPrivate}`, { instanceFinder: "registry" });
        const Handle = ns.registerClass(V1) as unknown as new (label: string) => Counter;
        const objects = Array.from({ length: count }, (_, i) => new Handle(`o${i}`));
        for (const o of objects) o.bump();
        const applied: AppliedUpdate = applyUpdate(
          ns,
          patch("coop").replaceImplementation("Counter", V2).build(),
        );
        for (let i = 0; i < made; i++) objects.push(new Handle(`m${i}`));
        for (const o of objects) o.bump();
        const labels = objects.map((o) => o.label);
        const target = objects[pick % objects.length]!;
        control.target = target;
        const inner: string[] = [];
        const run = (call: () => unknown) => {
          const outcome = outcomeOf(call);
          inner.push(outcome);
          if (!swallowed) throw new Error(`inner ${outcome}`);
        };
        control.act = {
          forget: () => {},
          defineSince: () => {},
          frozen: () => {},
          throws: () => {
            throw new Error("injected");
          },
          defines: () => run(() => ns.define("flag", 1)),
          updates: () =>
            run(() => updateSync(ns, patch("nested").addField("Counter", "q").build())),
          rollsBack: () => run(() => applied.rollback()),
        }[fault];
        if (fault === "forget") ns.forgetHistoryBefore(ns.version);
        if (fault === "defineSince") ns.define("flag", 1);
        if (place === "getter") {
          let label = target.label;
          Object.defineProperty(target, "label", {
            get() {
              if (control.armed && control.target === target) control.act();
              return label;
            },
            set(v: string) {
              label = v;
            },
            enumerable: true,
            configurable: true,
          });
        }
        if (fault === "frozen") Object.freeze(target);
        const before = programState(ns, Handle, objects);
        control.armed = true;
        const outcome = outcomeOf(() => applied.rollback());
        control.armed = false;
        const passes = swallowed && ["defines", "updates", "rollsBack"].includes(fault);
        if (!passes) {
          expect(outcome).toBe("MM_ROLLBACK");
          expect(programState(ns, Handle, objects)).toEqual(before);
          expect(applied.adoption!.state()).toBe("committed");
          // A fault the program can remove: the rollback then goes through.
          if (fault === "forget" || fault === "defineSince" || fault === "frozen") return;
          applied.rollback();
        } else {
          expect(outcome).toBe("accepted");
          expect(new Set(inner)).toEqual(
            new Set([fault === "updates" ? "MM_NESTED_UPDATE" : "MM_ROLLBACK"]),
          );
        }
        expect(applied.adoption!.state()).toBe("rolled-back");
        expect([ns.version, ns.bindingNames(), ns.lookup("Counter")]).toEqual([
          1,
          ["Counter"],
          Handle,
        ]);
        expect(objects.map((o) => Object.keys(o))).toEqual(objects.map(() => ["label"]));
        // Private state back through the hooks, public values written since kept.
        expect(objects.map((o) => o.read())).toEqual(
          labels.map((label) => (oldPrivate ? `${label}:2` : `${label}:-`)),
        );
      },
    ),
    { seed: 7311, numRuns: 300 },
  );
});

test("a replace committed by code the rollback runs makes the undo at its end refuse: every object is put back and the rollback refused", () => {
  const control: Control = { armed: false, target: undefined, place: "import", act: () => {} };
  const { V1, V2 } = versions(true, control);
  const ns = new Namespace("adoption-replace-inside", { instanceFinder: "registry" });
  const Handle = ns.registerClass(V1) as unknown as new (label: string) => Counter;
  const objects = [new Handle("a"), new Handle("b"), new Handle("c")];
  const applied = applyUpdate(ns, patch("coop").replaceImplementation("Counter", V2).build());
  for (const o of objects) o.bump();
  control.target = objects[1];
  control.act = () => void replaceNamespace(ns, cloneNamespace(ns));
  const before = programState(ns, Handle, objects);
  control.armed = true;
  expect(outcomeOf(() => applied.rollback())).toBe("MM_ROLLBACK");
  control.armed = false;
  // The program's own replace stands; nothing of the rollback does.
  const after = programState(ns, Handle, objects);
  expect(after).toEqual({ ...before, version: 3, history: [0, 1, 2, 3] });
  expect(applied.adoption!.state()).toBe("committed");
});
