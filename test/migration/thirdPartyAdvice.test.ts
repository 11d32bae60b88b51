// Issue 12, item 25: a refusal for a class whose source is not the
// program's (a package's class with private `#` state) does not advise
// adding `static metamorphExport` to it — the user cannot edit it — but says
// what can be done: a restart, or a class of the user's own around it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { Namespace, PrivateStateError, patch, updateSync } from "../../src/index.js";
import { applyUpdate } from "../../src/lifecycle/index.js";
import { classOrigin } from "../../src/mop/classOrigin.js";

const cacheSource = (version: number) => `export class Cache {
  #items = new Map();
  version = ${version};
  get(key) { return this.#items.get(key); }
  set(key, value) { this.#items.set(key, value); return this; }
}
`;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Two releases of a package whose class keeps its state in `#` fields, loaded from a node_modules folder. */
async function packageReleases(): Promise<[Function, Function]> {
  const root = mkdtempSync(join(tmpdir(), "metamorph-third-party-"));
  roots.push(root);
  const load = async (version: number) => {
    const dir = join(root, "node_modules", `fake-cache-${version}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "index.mjs");
    writeFileSync(file, cacheSource(version));
    return ((await import(pathToFileURL(file).href)) as { Cache: Function }).Cache;
  };
  return [await load(1), await load(2)];
}

function refusalOf(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error("not refused");
}

describe("advice for classes the program did not write (item 25)", () => {
  test("classOrigin tells a package's class, a Node built-in module's, a native one and the program's apart", async () => {
    const [Cache] = await packageReleases();
    const { EventEmitter } = await import("node:events");
    class Mine {}
    expect(classOrigin(Cache).kind).toBe("package");
    expect(classOrigin(EventEmitter)).toEqual({ kind: "package", url: "node:events" });
    expect(classOrigin(Map).kind).toBe("native");
    expect(classOrigin(Mine).kind).not.toBe("package");
  });

  test("a new release of a package's class with # state: restart or wrap it, no export hook advice", async () => {
    for (const apply of [updateSync, applyUpdate]) {
      // Releases of its own per namespace: a class is managed by one namespace.
      const [Cache1, Cache2] = await packageReleases();
      const ns = new Namespace("third-party");
      const Cache = ns.registerClass(Cache1 as new () => object);
      const c = new Cache() as { set(k: string, v: number): unknown; get(k: string): unknown };
      c.set("a", 1);
      const error = refusalOf(() =>
        apply(ns, patch("upgrade").replaceImplementation("Cache", Cache2).build()),
      );
      expect(error).toBeInstanceOf(PrivateStateError);
      expect(error.message).not.toContain("metamorphExport");
      expect(error.message).toMatch(/node_modules/);
      expect(error.message).toMatch(/restart/);
      expect(error.message).toMatch(/wrapper/);
      expect(c.get("a")).toBe(1);
      expect(ns.version).toBe(1);
    }
  });

  test("the program's own class with # state still gets the export hook advice", () => {
    const ns = new Namespace("own");
    class Counter {
      #n = 0;
      bump() {
        return ++this.#n;
      }
    }
    ns.registerClass(Counter);
    class Counter2 {
      #n = 0;
      bump() {
        this.#n += 2;
        return this.#n;
      }
    }
    const error = refusalOf(() =>
      updateSync(ns, patch("v2").replaceImplementation("Counter", Counter2).build()),
    );
    expect(error).toBeInstanceOf(PrivateStateError);
    expect(error.message).toContain("metamorphExport");
  });
});

test("private members only the new implementation has: the message says so, and asks no export hook of the running version", () => {
  const v1 = new Function(
    `"use strict"; return class Matrix { constructor(r) { this.data = new Array(r).fill(0); } get(i) { return this.data[i]; } };`,
  )() as new (
    r: number,
  ) => object;
  const v2 = new Function(
    `"use strict"; return class Matrix { data; #init(r) { this.data = new Array(r).fill(0); } constructor(r) { this.#init(r); } get(i) { return this.data[i]; } };`,
  )() as new (
    r: number,
  ) => object;
  const ns = new Namespace("private-new-only");
  ns.registerClass(v1);
  new v1(2);
  let message = "";
  try {
    updateSync(ns, patch("up").replaceImplementation("Matrix", v2).build());
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/^the new implementation of class Matrix declares private # members/);
  expect(message).toContain("metamorphImport");
  expect(message).not.toContain("metamorphExport");
});
