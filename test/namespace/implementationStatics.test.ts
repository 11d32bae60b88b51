// Issue 12, item 19: a new implementation's static data is its own. The
// update never writes to the class the user handed in (neither the old
// version's values nor its `metamorphFields`), the handle shows what the new
// class declares, and a rollback gives the old version its values back.
import { describe, expect, test } from "vitest";
import { InvalidPatchError, Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

type Statics = Record<string, unknown>;

const ownState = (cls: Function) =>
  Reflect.ownKeys(cls).map((k) => [String(k), Reflect.getOwnPropertyDescriptor(cls, k)?.value]);

function world() {
  const ns = new Namespace("impl-statics");
  class Counter {
    static VERSION = "1";
    static metamorphFields = ["n"];
    static created = 0;
    n = 0;
  }
  const handle = ns.registerClass(Counter);
  const c = new handle();
  // The running program moved a static on.
  (handle as unknown as Statics).created = 5;
  return { ns, Counter, handle, statics: handle as unknown as Statics, c };
}

/** The new implementation: another VERSION, the same `created` initialiser. */
function counterV2() {
  return class Counter {
    static VERSION = "2";
    static metamorphFields = ["n"];
    static created = 0;
    n = 0;
  };
}

describe("statics of a new implementation (item 19)", () => {
  test("the handle shows the new class's statics and the new class is left as it was written", () => {
    const { ns, handle, statics, c } = world();
    class Counter {
      static VERSION = "2";
      static metamorphFields = ["n", "m"];
      static created = 0;
      n = 0;
      m = 1;
    }
    const before = ownState(Counter);
    const result = updateSync(ns, patch("v2").replaceImplementation("Counter", Counter).build());
    expect(result.outcome).toBe("committed");
    expect(ownState(Counter)).toEqual(before);
    expect([statics.VERSION, statics.created]).toEqual(["2", 0]);
    expect(statics.metamorphFields).toEqual(["n", "m"]);
    // The declared fields of the new class are the ones that migrate.
    expect(Object.keys(c)).toEqual(["n", "m"]);
    expect(new handle()).toBeInstanceOf(handle);
    expect(hasFastProperties(c)).toBe(true);
  });

  test("a rollback restores the old version's statics; a value written since is carried back", () => {
    const { ns, Counter: Old, statics } = world();
    const Counter = counterV2();
    const result = updateSync(ns, patch("v2").replaceImplementation("Counter", Counter).build());
    statics.created = 9; // written by the program under the new version
    result.rollback();
    expect([statics.VERSION, statics.created]).toEqual(["1", 9]);
    expect((Old as unknown as Statics).metamorphFields).toEqual(["n"]);
    expect(Counter.VERSION).toBe("2");
  });

  test("static operations on a class given a new implementation in the same patch are refused", () => {
    const { ns, statics } = world();
    class Counter {
      static VERSION = "2";
      n = 0;
    }
    const version = ns.version;
    for (const p of [
      patch("a")
        .replaceImplementation("Counter", Counter)
        .renameStaticField("Counter", "VERSION", "V"),
      patch("b")
        .reinitialiseStaticField("Counter", "created")
        .replaceImplementation("Counter", Counter),
    ]) {
      expect(() => updateSync(ns, p.build())).toThrow(InvalidPatchError);
      expect(() => updateSync(ns, p.build())).toThrow(/declare/);
    }
    expect(ns.version).toBe(version);
    expect([statics.VERSION, statics.created]).toEqual(["1", 5]);
    expect(Counter.VERSION).toBe("2");
  });

  test("keepStatics: the statics it names keep their running value, the others take the new class's; a rollback carries writes back", () => {
    const { ns, Counter: Old, statics } = world();
    const Counter = counterV2();
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Counter", Counter, { keepStatics: ["created"] })
        .build(),
    );
    expect([statics.VERSION, statics.created]).toEqual(["2", 5]);
    statics.created = 6;
    result.rollback();
    expect([statics.VERSION, statics.created]).toEqual(["1", 6]);
    expect((Old as unknown as Statics).created).toBe(6);
  });

  test("keepStatics naming a static one of the versions lacks is refused, and nothing changes", () => {
    const { ns, statics } = world();
    class Counter {
      static VERSION = "2";
      n = 0;
    }
    const version = ns.version;
    for (const kept of ["created", "missing"]) {
      const p = patch("v2").replaceImplementation("Counter", Counter, { keepStatics: [kept] });
      expect(() => updateSync(ns, p.build())).toThrow(InvalidPatchError);
      expect(() => updateSync(ns, p.build())).toThrow(new RegExp(`keepStatics names "${kept}"`));
    }
    expect(ns.version).toBe(version);
    expect([statics.VERSION, statics.created]).toEqual(["1", 5]);
  });
});

test("a rollback gives the handle back its very static forwarders (same accessor functions)", () => {
  class V1 {
    n = 0;
    static get shared(): string {
      return "v1";
    }
    static helper(): number {
      return 1;
    }
  }
  class V2 {
    n = 0;
    static get EXTRA(): string {
      return "x";
    }
    static get shared(): string {
      return "v2";
    }
    static helper(): number {
      return 2;
    }
  }
  const ns = new Namespace("static-forwarders-rollback");
  const H = ns.registerClass(V1, { name: "R" }) as unknown as typeof V1;
  const before = Object.getOwnPropertyDescriptors(H);
  const result = updateSync(ns, patch("p").replaceImplementation("R", V2).build());
  expect(H.helper()).toBe(2);
  result.rollback();
  expect(Object.getOwnPropertyDescriptors(H)).toEqual(before);
  for (const key of Reflect.ownKeys(before)) {
    const now = Object.getOwnPropertyDescriptor(H, key)!;
    expect(now.get).toBe(before[key as string]!.get);
    expect(now.set).toBe(before[key as string]!.set);
  }
  expect([H.shared, H.helper()]).toEqual(["v1", 1]);
});
