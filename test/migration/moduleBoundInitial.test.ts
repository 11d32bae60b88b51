/**
 * A new field whose initial value, in the new implementation's constructor,
 * reads the implementation's own module (three 0.160's BufferAttribute:
 * `this.gpuType = FloatType`, a module constant). Compiled outside that
 * module it threw (`FloatType is not defined`, refused with no way around:
 * the field was computed before any migrator ran), or, when a global has
 * the same name, silently took the global's value.
 */
import { expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";
import { readClassSource } from "../../src/mop/source/parse.js";

type Attr = Record<string, unknown>;

/** Release B of the module: a constant `name` the new field's initial value reads. */
function releaseB(name: string) {
  return new Function(
    `"use strict"; const ${name} = 1015;
    return class Attr { constructor(array) { this.array = array; this.gpu = ${name}; this.spare = []; } };`,
  )() as new (
    array: number[],
  ) => Attr;
}

const releaseA = () =>
  new Function(
    `"use strict"; return class Attr { constructor(array) { this.array = array; } };`,
  )() as new (
    array: number[],
  ) => Attr;

test.each(["FloatType", "PerformanceObserver"])(
  "an initial value reading the module's %s is refused, naming the field, before anything changes",
  (name) => {
    const ns = new Namespace("module-bound");
    const A = releaseA();
    ns.registerClass(A);
    const a = new A([1]);
    expect(() =>
      updateSync(ns, patch("up").replaceImplementation("Attr", releaseB(name)).build()),
    ).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_PATCH",
        message: expect.stringContaining('new field "gpu"'),
      }),
    );
    expect(Object.keys(a)).toEqual(["array"]);
  },
);

test("with a migrator that sets the field, the update applies; initial values that read nothing of the module still apply", () => {
  const ns = new Namespace("module-bound-migrated");
  const A = releaseA();
  ns.registerClass(A);
  const a = new A([1]);
  const result = updateSync(
    ns,
    patch("up")
      .replaceImplementation("Attr", releaseB("FloatType"))
      .migrate("Attr", (_old, target) => {
        (target as Attr).gpu = 1015;
      })
      .build(),
  );
  expect({ ...a }).toEqual({ array: [1], gpu: 1015, spare: [] });
  result.rollback();
  expect({ ...a }).toEqual({ array: [1] });
});

test("the reader names what a field's initial value needs of the module; standard globals are not the module's", () => {
  const C = new Function(
    `"use strict"; const LIMIT = 3;
    return class C { constructor() { this.a = LIMIT; this.b = new Map(); this.c = Math.max(1, 2); this.d = [1].map((x) => x + 1); } };`,
  )() as Function;
  expect(readClassSource(C).moduleBoundFields).toEqual(["a"]);
  expect(readClassDefinition(C).fields.map((f) => f.name)).toEqual(["a", "b", "c", "d"]);
});

test("a subclass re-assigning its superclass's field from the module is no new field of its own (cannon's Vec3Pool: `this.type = Vec3`)", () => {
  const release = () =>
    new Function(
      `"use strict";
      class Vec3 { constructor() { this.x = 0; } }
      class Pool { constructor() { this.objects = []; this.type = Object; } get() { return this.objects.pop() ?? new this.type(); } }
      class Vec3Pool extends Pool { constructor() { super(); this.type = Vec3; } }
      return { Vec3, Pool, Vec3Pool };`,
    )() as Record<"Vec3" | "Pool" | "Vec3Pool", new () => { get(): object; type: unknown }>;
  const [a, b] = [release(), release()];
  const ns = new Namespace("inherited-module-bound");
  for (const name of ["Vec3", "Pool", "Vec3Pool"] as const) ns.registerClass(a[name]);
  const pool = new a.Vec3Pool();
  let upgrade = patch("next release");
  for (const name of ["Vec3", "Pool", "Vec3Pool"] as const)
    upgrade = upgrade.replaceImplementation(name, b[name]);
  updateSync(ns, upgrade.build());
  expect(pool.type).toBe(a.Vec3);
  expect(pool.get()).toBeInstanceOf(b.Vec3);
});

test("an initial value reading the module and the constructor's arguments is refused too (htmlparser2 9's Tokenizer: `new EntityDecoder(xmlMode ? … : …)`)", () => {
  const v1 = new Function(
    `"use strict"; return class Tok { constructor(opts) { this.xml = !!opts.xml; } };`,
  )() as new (opts: {
    xml: boolean;
  }) => Attr;
  const v2 = new Function(
    `"use strict";
    class Decoder { constructor(mode) { this.mode = mode; } }
    return class Tok { constructor(opts) { this.xml = !!opts.xml; this.decoder = new Decoder(opts.xml ? 1 : 0); } };`,
  )() as new (opts: {
    xml: boolean;
  }) => Attr;
  expect(readClassSource(v2).moduleBoundFields).toEqual(["decoder"]);
  const ns = new Namespace("module-and-arguments");
  ns.registerClass(v1);
  const tok = new v1({ xml: false });
  expect(() => updateSync(ns, patch("up").replaceImplementation("Tok", v2).build())).toThrow(
    expect.objectContaining({
      code: "MM_INVALID_PATCH",
      message: expect.stringContaining('"decoder"'),
    }),
  );
  expect(Object.keys(tok)).toEqual(["xml"]);
});

/** chokidar 3 -> 4: the running version sets `handler` only sometimes, the next release always, from its module. */
function watchers() {
  const v1 = new Function(
    `"use strict";
    class Handler { kind() { return "v1"; } }
    return class Watcher {
      constructor(native) { this.closed = false; if (native) this.native = true; else this.handler = new Handler(); }
      kind() { return this.handler.kind(); }
    };`,
  )() as new (
    native?: boolean,
  ) => { kind(): string };
  const v2 = new Function(
    `"use strict";
    class Handler { kind() { return "v2"; } }
    return class Watcher {
      constructor() { this.closed = false; this.handler = new Handler(); }
      kind() { return "v2/" + this.handler.kind(); }
    };`,
  )() as new () => { kind(): string };
  return { v1, v2 };
}

test.each(["eager", "lazy", "progressive"] as const)(
  "a field the running version sets only sometimes is no reason to refuse: objects that have it keep it (%s)",
  async (policy) => {
    const { v1, v2 } = watchers();
    const ns = new Namespace(`module-bound-maybe-${policy}`);
    ns.registerClass(v1);
    const watcher = new v1();
    const result = updateSync(ns, patch("up").replaceImplementation("Watcher", v2).build(), {
      policy,
    });
    expect(watcher.kind()).toBe("v2/v1");
    if (policy === "lazy") result.completeMigration();
    else await result.completion;
    expect([result.state(), result.pendingInstances(), watcher.kind()]).toEqual([
      "committed",
      0,
      "v2/v1",
    ]);
  },
);

test("an object without that field fails the eager update before anything changes, naming the field", () => {
  const { v1, v2 } = watchers();
  const ns = new Namespace("module-bound-maybe-missing");
  ns.registerClass(v1);
  const watchers1 = [new v1(), new v1(true)];
  const before = watchers1.map((w) => Object.keys(w));
  let refusal: unknown;
  try {
    updateSync(ns, patch("up").replaceImplementation("Watcher", v2).build());
  } catch (error) {
    refusal = error;
  }
  expect(String((refusal as Error).message)).toContain('field "handler"');
  expect(watchers1.map((w) => Object.keys(w))).toEqual(before);
  expect(watchers1[0]!.kind()).toBe("v1");
});
