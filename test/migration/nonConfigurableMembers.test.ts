// A running prototype's non-configurable members (winston 3.x defines
// `Object.defineProperty(Logger.prototype, 'transports', { configurable: false, get })`).
// Upgrading such a class used to fail inside the commit after the members in
// front of `transports` were already copied onto the prototype, and the
// "undone" commit left them there. Now: a member the new version has the
// same is left in place; one it replaces or removes is refused before
// anything changes (MM_UNSWAPPABLE_OBJECT, rule non-configurable-member);
// lazy and progressive updates, which would wrap it in a guard, are refused
// for a migrating class that has one.
import { describe, expect, test } from "vitest";
import {
  type MetamorphError,
  Namespace,
  type Policy,
  patch,
  UnswappableObjectError,
  updateSync,
} from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Logger = { level: string; pipes: unknown[]; log(m: string): string; transports: unknown[] };
type LoggerClass = new (level: string) => Logger;

/**
 * One evaluation of the "package" (its own module scope, like a release
 * loaded from node_modules): `getter` is the accessor's source, `extra`
 * more code after the class.
 */
function release(
  tag: string,
  {
    getter = "get() { return this.pipes; }",
    fields = "this.level = level; this.pipes = [];",
    extra = "",
  } = {},
): LoggerClass {
  return new Function(
    "tag",
    `const kPipes = "pipes";
    class Logger {
      constructor(level) { ${fields} }
      log(msg) { return tag + " " + this.level + ": " + msg; }
      child() { return this; }
    }
    Object.defineProperty(Logger.prototype, "transports", {
      configurable: false, enumerable: true, ${getter},
    });
    ${extra}
    return Logger;`,
  )(tag) as LoggerClass;
}

function world(v1: LoggerClass) {
  const ns = new Namespace("deps");
  const Logger = ns.registerClass(v1, { constructedOnlyThroughHandle: true }) as LoggerClass;
  const objects = [new Logger("info"), new Logger("debug")];
  return { ns, Logger, objects, extra: [v1] };
}

const upgrade = (v2: LoggerClass, options?: { sameScope?: boolean }) =>
  patch("upgrade").replaceImplementation("Logger", v2, options).build();

describe("non-configurable members of a running prototype", () => {
  test.each(["eager", "lazy", "progressive"] as const)(
    "the winston upgrade (the same getter source, reading only this) commits (%s), keeping the running getter, and rolls back exactly",
    (policy: Policy) => {
      const V1 = release("v1");
      const V2 = release("v2");
      const w = world(V1);
      const before = deepSnapshot({ ...w, extra: [V1, V2] });
      const oldGetter = Object.getOwnPropertyDescriptor(V1.prototype, "transports")!.get;
      const result = updateSync(w.ns, upgrade(V2), { policy });
      expect(w.objects[0]!.log("x")).toBe("v2 info: x");
      expect(w.objects[1]!.transports).toBe(w.objects[1]!.pipes);
      expect(Object.getOwnPropertyDescriptor(w.Logger.prototype, "transports")!.get).toBe(
        oldGetter,
      );
      result.rollback();
      expect(w.objects[0]!.log("x")).toBe("v1 info: x");
      expect(snapshotDifference(before, deepSnapshot({ ...w, extra: [V1, V2] }))).toBeUndefined();
    },
  );

  test("a getter whose source differs only in its line endings (winston 3.8.2, built with CRLF, to 3.13) is the same getter: the upgrade commits", () => {
    const V1 = release("v1", { getter: "get() {\r\n  return this.pipes;\r\n}" });
    const V2 = release("v2", { getter: "get() {\n  return this.pipes;\n}" });
    const w = world(V1);
    updateSync(w.ns, upgrade(V2));
    expect(w.objects[0]!.log("x")).toBe("v2 info: x");
    expect(w.objects[0]!.transports).toBe(w.objects[0]!.pipes);
  });

  test("a getter the new version changes is refused before anything changes or any of the patch's code runs", () => {
    const V1 = release("v1");
    const V2 = release("v2", { getter: "get() { return this.pipes.slice(); }" });
    const w = world(V1);
    const before = deepSnapshot(w);
    const ran: string[] = [];
    const p = patch("upgrade")
      .replaceImplementation("Logger", V2)
      .migrate("Logger", () => {
        ran.push("migrator");
      })
      .validate("ok", () => {
        ran.push("validation");
        return true;
      })
      .build();
    let error: unknown;
    try {
      updateSync(w.ns, p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnswappableObjectError);
    const e = error as MetamorphError;
    expect(e.code).toBe("MM_UNSWAPPABLE_OBJECT");
    expect(e.details).toMatchObject({ rule: "non-configurable-member", property: "transports" });
    expect(e.message).toContain("Logger.prototype.transports is not configurable");
    expect(e.message).toContain("restart the program");
    expect(ran).toEqual([]);
    expect(w.objects[0]!.log("x")).toBe("v1 info: x");
    expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
  });

  test("a new version without the member is refused: it cannot be removed", () => {
    const V1 = release("v1");
    // The next release defines no transports at all.
    const Plain = new Function(`return class Logger {
      constructor(level) { this.level = level; this.pipes = []; }
      log(msg) { return "v2 " + msg; }
      child() { return this; }
    }`)() as LoggerClass;
    const w = world(V1);
    const before = deepSnapshot(w);
    expect(() => updateSync(w.ns, upgrade(Plain))).toThrow(
      /Logger\.prototype\.transports is not configurable .* the new version does not have it/,
    );
    expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
  });

  test("the same source reading its own module is refused unless the patch says it shares the scope", () => {
    const getter = "get() { return this[kPipes]; }";
    const V1 = release("v1", { getter });
    const w = world(V1);
    const before = deepSnapshot(w);
    expect(() => updateSync(w.ns, upgrade(release("v2", { getter })))).toThrow(
      /reads names of its own module.*sameScope/,
    );
    expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
    updateSync(w.ns, upgrade(release("v2", { getter }), { sameScope: true }));
    expect(w.objects[0]!.log("x")).toBe("v2 info: x");
  });

  test.each(["lazy", "progressive"] as const)(
    "a %s update of a class whose objects migrate is refused (the member cannot be guarded); eager commits",
    (policy) => {
      const V1 = release("v1");
      const V2 = release("v2", { fields: "this.level = level; this.pipes = []; this.extra = 1;" });
      const w = world(V1);
      const before = deepSnapshot(w);
      let message = "";
      try {
        updateSync(w.ns, upgrade(V2), { policy });
      } catch (error) {
        message = (error as Error).message;
      }
      // The advice fits: keeping the member the same would not help a lazy update.
      expect(message).toMatch(
        /Apply this update eagerly \(its objects migrate in the commit and need no guard\)/,
      );
      expect(message).not.toMatch(/Keep that member the same/);
      expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
      updateSync(w.ns, upgrade(V2), { policy: "eager" });
      expect(w.objects[0]).toMatchObject({ level: "info", extra: 1 });
      expect(w.objects[0]!.transports).toBe(w.objects[0]!.pipes);
    },
  );

  test("a method-only patch of the registered class keeps the member and changes the method", () => {
    const V1 = release("v1");
    const w = world(V1);
    updateSync(
      w.ns,
      patch("m")
        .replaceMethods("Logger", {
          log(this: Logger, m: string) {
            return `new ${m}`;
          },
        })
        .build(),
    );
    expect(w.objects[0]!.log("x")).toBe("new x");
    expect(w.objects[0]!.transports).toBe(w.objects[0]!.pipes);
  });

  test("a patch replacing the non-configurable getter itself is refused", () => {
    const w = world(release("v1"));
    const before = deepSnapshot(w);
    const p = patch("g")
      .replaceMethods("Logger", {
        get transports() {
          return [];
        },
      })
      .build();
    expect(() => updateSync(w.ns, p)).toThrow(/Logger\.prototype\.transports is not configurable/);
    expect(snapshotDifference(before, deepSnapshot(w))).toBeUndefined();
  });

  test("non-writable but configurable members and non-configurable statics are replaced as any other", () => {
    const make = (tag: string) =>
      new Function(
        "tag",
        `class Logger { constructor(level) { this.level = level; } log(m) { return tag + m; } }
        Object.defineProperty(Logger.prototype, "log", { writable: false });
        Object.defineProperty(Logger, "VERSION", { value: tag, configurable: false, writable: false });
        return Logger;`,
      )(tag) as LoggerClass & { VERSION: string };
    const w = world(make("v1"));
    const result = updateSync(w.ns, upgrade(make("v2")));
    expect(w.objects[0]!.log("x")).toBe("v2x");
    expect((w.Logger as unknown as { VERSION: string }).VERSION).toBe("v2");
    result.rollback();
    expect(w.objects[0]!.log("x")).toBe("v1x");
    expect((w.Logger as unknown as { VERSION: string }).VERSION).toBe("v1");
  });

  test("a method removed in front of the member comes back after it on rollback (a non-configurable property cannot move); descriptors are exact", () => {
    const V1 = release("v1");
    const V2 = new Function(`return class Logger {
      constructor(level) { this.level = level; this.pipes = []; }
      log(msg) { return "v2 " + msg; }
    }`)() as LoggerClass;
    Object.defineProperty(V2.prototype, "transports", {
      ...Object.getOwnPropertyDescriptor(V1.prototype, "transports"),
      // The same source, another evaluation (as the next release's would be).
      get: new Function("return { get() { return this.pipes; } }.get")(),
    });
    const w = world(V1);
    const descriptors = Object.getOwnPropertyDescriptors(w.Logger.prototype);
    const result = updateSync(w.ns, upgrade(V2));
    expect(Object.hasOwn(w.Logger.prototype, "child")).toBe(false);
    result.rollback();
    expect(Object.getOwnPropertyDescriptors(w.Logger.prototype)).toEqual(descriptors);
    expect(Reflect.ownKeys(w.Logger.prototype)).toEqual([
      "constructor",
      "log",
      "transports",
      "child",
    ]);
  });
});
