import { describe, expect, test } from "vitest";
import { CommitError, PrivateStateError } from "../../src/index.js";
import { Adoptable, applyUpdate, runUpdate } from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";

/**
 * Version 1, as shipped: private state, and the export hook that lets it be
 * updated live. A factory, because registering a class makes its prototype the
 * handle's, which updates then change: every test needs its own class.
 */
function counterV1() {
  return class Counter {
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
  };
}

/** Version 2, written as ordinary code: different private fields, a new public one. */
function counterV2() {
  return class Counter2 extends Adoptable {
    static created = 0;
    #total = 0;
    #history: number[] = [];
    label = "";
    tags: string[] = [];
    constructor(label = "") {
      super();
      this.label = label;
      // Work that must not run for an existing object being adopted.
      if (!Adoptable.isAdopting(this)) Counter2.created++;
    }
    bump() {
      this.#history.push(this.#total);
      return ++this.#total;
    }
    read() {
      return `${this.label}=${this.#total} after ${this.#history.length} bumps`;
    }
    static metamorphImport(instance: Counter2, state: { count: number }) {
      instance.#total = state.count;
    }
    static metamorphExport(instance: Counter2) {
      return { count: instance.#total };
    }
  };
}

function counters() {
  const ns = new Namespace("private");
  const Handle = ns.registerClass(counterV1());
  const a = new Handle("a");
  a.bump();
  a.bump();
  const b = new Handle("b");
  b.bump();
  return { ns, Handle, a, b };
}

describe("acceptance 5: private state through an export hook", () => {
  test("a class with private fields and an export hook migrates with its private state, identity kept", async () => {
    const { ns, Handle, a, b } = counters();
    const held = new Set([a]);
    const weak = new WeakMap([[b, "b's note"]]);
    const V2 = counterV2();
    const report = await runUpdate({
      namespace: ns,
      patch: patch("private").replaceImplementation("Counter", V2).build(),
    });
    expect(report.status).toBe("committed");
    expect(report.applied?.adoption?.instancesAdopted).toBe(2);
    expect(a.read()).toBe("a=2 after 0 bumps");
    expect(b.read()).toBe("b=1 after 0 bumps");
    expect(a.bump()).toBe(3);
    expect(a.read()).toBe("a=3 after 1 bumps");
    expect(held.has(a)).toBe(true);
    expect(weak.get(b)).toBe("b's note");
    expect(a).toBeInstanceOf(Handle);
    expect(Object.keys(a)).toEqual(["label", "tags"]);
    expect((a as unknown as { tags: string[] }).tags).toEqual([]);
    // Fresh objects are built by the new version, on the same prototype.
    const c = new Handle("c");
    expect(c.read()).toBe("c=0 after 0 bumps");
    expect(Object.getPrototypeOf(c)).toBe(Object.getPrototypeOf(a));
    expect(V2.created).toBe(1); // the adoptions did not count as creations
    expect(report.retirement?.retiredPrivateState).toBe(2); // a and b still carry v1's #count
    expect(ns.version).toBe(2);
    // A later update of the same class goes through the new version's own hooks.
    const V3 = counterV2();
    applyUpdate(ns, patch("again").replaceImplementation("Counter", V3).build());
    expect(a.read()).toBe("a=3 after 0 bumps");
    expect(c.read()).toBe("c=0 after 0 bumps");
  });

  test("without the export hook the update is refused before anything changes, and the error names the hook", async () => {
    class Vault {
      #secret = 42;
      name = "v";
      reveal() {
        return this.#secret;
      }
    }
    const ns = new Namespace("vault");
    const Handle = ns.registerClass(Vault);
    const v = new Handle();
    const before = Object.getOwnPropertyDescriptors(Handle.prototype);
    class Vault2 extends Adoptable {
      #secret = 0;
      name = "";
      reveal() {
        return this.#secret * 2;
      }
      static metamorphImport(o: Vault2, s: { secret: number }) {
        o.#secret = s.secret;
      }
    }
    const p = patch("vault").replaceImplementation("Vault", Vault2).build();
    let error: unknown;
    try {
      applyUpdate(ns, p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrivateStateError);
    expect((error as PrivateStateError).code).toBe("MM_PRIVATE_STATE");
    expect((error as Error).message).toContain("add `static metamorphExport(instance)");
    expect((error as Error).message).toContain("to class Vault");
    expect(ns.version).toBe(1);
    expect(v.reveal()).toBe(42);
    expect(Object.getOwnPropertyDescriptors(Handle.prototype)).toEqual(before);
    // Through the lifecycle: a failed report with the same error, nothing changed.
    const report = await runUpdate({ namespace: ns, patch: p });
    expect(report.status).toBe("failed");
    expect(report.error).toBeInstanceOf(PrivateStateError);
    expect(v.reveal()).toBe(42);
  });

  test("a new version with private fields must extend Adoptable, and a missing import hook is named", () => {
    const { ns, a } = counters();
    class NotAdoptable {
      #x = 1;
      label = "";
      read() {
        return String(this.#x);
      }
      static metamorphImport() {}
    }
    expect(() =>
      applyUpdate(ns, patch("p").replaceImplementation("Counter", NotAdoptable).build()),
    ).toThrow(/make it `extends Adoptable`/);
    class NoImport extends Adoptable {
      #x = 1;
      label = "";
      read() {
        return String(this.#x);
      }
    }
    expect(() =>
      applyUpdate(ns, patch("p").replaceImplementation("Counter", NoImport).build()),
    ).toThrow(/add `static metamorphImport\(instance, state\)/);
    expect(a.read()).toBe("a:2");
    expect(ns.version).toBe(1);
  });

  test("a class without private state can gain some: adoption installs the new private fields", () => {
    class Note {
      text = "";
      constructor(text = "") {
        this.text = text;
      }
    }
    const ns = new Namespace("notes");
    const Handle = ns.registerClass(Note);
    const n = new Handle("hello");
    class Note2 extends Adoptable {
      #reads = 0;
      text = "";
      show() {
        this.#reads++;
        return `${this.text} (${this.#reads})`;
      }
    }
    applyUpdate(ns, patch("cache").replaceImplementation("Note", Note2).build());
    const shown = n as unknown as { show(): string };
    expect(shown.show()).toBe("hello (1)");
    expect(shown.show()).toBe("hello (2)");
  });

  test("a failure part-way through adoption restores everything; a retry needs the new version evaluated afresh", () => {
    const { ns, a, b } = counters();
    const keysBefore = [Object.keys(a), Object.keys(b)];
    const Failing = class Counter2 extends Adoptable {
      #total = 0;
      label = "";
      read() {
        return `${this.label}=${this.#total}`;
      }
      static metamorphImport(instance: InstanceType<typeof Failing>, state: { count: number }) {
        if (state.count === 1) throw new Error("cannot import b");
        instance.#total = state.count;
      }
    };
    expect(() =>
      applyUpdate(ns, patch("fails").replaceImplementation("Counter", Failing).build()),
    ).toThrow(CommitError);
    expect(a.read()).toBe("a:2");
    expect(b.read()).toBe("b:1");
    expect([Object.keys(a), Object.keys(b)]).toEqual(keysBefore);
    expect(ns.version).toBe(1);
    expect(() =>
      applyUpdate(ns, patch("again").replaceImplementation("Counter", Failing).build()),
    ).toThrow(/evaluate the new version again/);
    const Fresh = counterV2();
    applyUpdate(ns, patch("fresh").replaceImplementation("Counter", Fresh).build());
    expect(a.read()).toBe("a=2 after 0 bumps");
  });

  test("a failing health check rolls the private update back: old code, old private values", async () => {
    const { ns, a } = counters();
    const report = await runUpdate({
      namespace: ns,
      patch: patch("private").replaceImplementation("Counter", counterV2()).build(),
      options: { healthCheck: () => false },
    });
    expect(report.status).toBe("rolled-back");
    expect(a.read()).toBe("a:2");
    expect(a.bump()).toBe(3);
    expect(Object.keys(a)).toEqual(["label"]);
    expect(ns.version).toBe(1);
  });
});
