/**
 * Decorators of a managed class's statics, applied to its handle as
 * `metamorph dev` runs them (the module binding holds the handle when the
 * calls after the class run): tsc's `__decorate([logged], Factory, "make",
 * null)` and esbuild's `__decorateClass([logged], Factory, "make", 1)` read
 * the static's descriptor and define it again with another `value`. The
 * handle's statics were all accessors (forwarders to the running version),
 * and the define threw "Cannot both specify accessors and a value": a class
 * with a decorated static method crashed its program at start-up. Through
 * updates and rollbacks, what a decorator made of a static follows what an
 * update does with what the program assigns to it: kept by a patch that
 * leaves the static as it was, replaced by a new release's own (dev runs
 * the decorator calls again over it), back with the old version after a
 * rollback. The oracle is a plain class decorated the same way.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import ts from "typescript";
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Kind = "method" | "field" | "accessor";
type Shape = "tsc" | "esbuild" | "tc39";
type Style = "mutates" | "returns" | "defines";
type Update = "methods patch" | "release" | "release, decorators run again";
type Statics = Record<string, unknown> & Function;
type Log = string[];
type Decorate = (decorators: unknown[], target: object, key: string, kind: unknown) => unknown;

const esbuild = createRequire(import.meta.resolve("tsx"))("esbuild") as {
  transformSync(code: string, options: object): { code: string };
};

/** The decorator helper a compiler emits, taken from its own output (everything before the class). */
function helper(js: string, name: string): Decorate {
  const prelude = js.slice(0, js.indexOf("const $end"));
  return new Function(`${prelude}\nreturn ${name};`).call({}) as Decorate;
}
const SAMPLE =
  "declare const d: any;\nconst $end = 0;\nclass X { @d static m() {} @d static f = 1; }\n";
const helpers: Record<"tsc" | "esbuild", Decorate> = {
  tsc: helper(
    ts.transpileModule(SAMPLE, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, experimentalDecorators: true },
    }).outputText,
    "__decorate",
  ),
  esbuild: helper(
    esbuild.transformSync(SAMPLE, {
      loader: "ts",
      target: "node20",
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    }).code,
    "__decorateClass",
  ),
};

const KEY: Record<Kind, string> = { method: "make", field: "count", accessor: "label" };

/** The class as each release writes it; for TC39 decorators, with them on the `kind` member. */
function classSource(version: number, kind: Kind | null, decorators: number): string {
  const at = (k: Kind) =>
    k === kind ? `${Array.from({ length: decorators }, (_, i) => `@dec(${i})`).join(" ")} ` : "";
  return `class Factory {
  static seed = 0;
  static tag = "t";
  ${at("field")}static count = 1;
  ${at("method")}static make(n: number) { return "v${version}:" + n + ":" + this.seed; }
  ${at("accessor")}static get label() { return "v${version}:" + this.tag; }
  static set label(v: string) { this.tag = v; }
}`;
}

const compiled = new Map<string, string>();
/** A fresh class of release `version`, its TC39 decorators (if any) logging to `log`. */
function release(version: number, shape: Shape, kind: Kind, decorators: number, log: Log) {
  const tc39 = shape === "tc39";
  const id = `${version}/${tc39 ? kind : ""}/${tc39 ? decorators : 0}`;
  if (!compiled.has(id)) {
    const source = `${classSource(version, tc39 ? kind : null, decorators)}\nreturn Factory;`;
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
    }).outputText;
    compiled.set(id, js);
  }
  return new Function("dec", compiled.get(id)!)(tc39Decorator(log)) as new () => object;
}

/** `@dec(i)` of the standard decorators: a method or getter that logs its calls, a field initialised tenfold. */
function tc39Decorator(log: Log) {
  return (i: number) => (value: unknown, context: { kind: string; name: string }) => {
    if (context.kind === "field") return (v: number) => v * 10;
    const f = value as (this: unknown, ...a: unknown[]) => unknown;
    return function (this: unknown, ...a: unknown[]) {
      log.push(`${i}:${context.name}`);
      return f.apply(this, a);
    };
  };
}

/**
 * An experimentalDecorators decorator of `kind` in `style`: changes the
 * descriptor it is given, returns a new one, or defines the property
 * itself (and returns nothing, so the helper defines the descriptor it
 * read over it again, as on a plain class).
 */
function legacyDecorator(kind: Kind, style: Style, i: number, log: Log) {
  const wrap = (f: Function, name: string) =>
    function (this: unknown, ...a: unknown[]) {
      log.push(`${i}:${name}`);
      return f.apply(this, a);
    };
  return (target: object, key: string, desc: PropertyDescriptor | undefined) => {
    if (kind === "field") {
      // A field's decorator gets no descriptor: it watches the field with an accessor of its own.
      let value = (target as Statics)[key];
      const watched = {
        get: wrap(() => value, key),
        set: (v: unknown) => {
          value = v;
        },
        enumerable: true,
        configurable: true,
      };
      if (style === "returns") return watched;
      if (style === "defines") Object.defineProperty(target, key, watched);
      else log.push(`${i}:meta ${key}`);
      return undefined;
    }
    const d = desc ?? Reflect.getOwnPropertyDescriptor(target, key)!;
    const slot = kind === "method" ? "value" : "get";
    const wrapped = wrap(d[slot] as Function, key);
    if (style === "mutates") {
      d[slot] = wrapped;
      return d;
    }
    if (style === "returns") return { ...d, [slot]: wrapped };
    Object.defineProperty(target, key, { ...d, [slot]: wrapped });
    return undefined;
  };
}

interface Case {
  readonly shape: Shape;
  readonly style: Style;
  readonly kind: Kind;
  readonly decorators: number;
  readonly update: Update;
  readonly writes: readonly [number, number, number];
}

/** Applies the case's experimentalDecorators to `target` as the compiled calls after the class do. */
function decorate(c: Case, target: object, log: Log): void {
  if (c.shape === "tc39") return;
  const decorators = Array.from({ length: c.decorators }, (_, i) =>
    legacyDecorator(c.kind, c.style, i, log),
  );
  const member =
    c.kind === "field" ? (c.shape === "tsc" ? undefined : 2) : c.shape === "tsc" ? null : 1;
  helpers[c.shape](decorators, target, KEY[c.kind], member);
}

/** What the program writes between observations (what the static reads back). */
function write(kind: Kind, cls: Statics, w: number): void {
  if (kind === "method") cls.seed = w;
  else if (kind === "field") cls.count = w;
  else cls.label = `w${w}`;
}

/** What the program sees of the static: a read or call, the same through its descriptor, and what the decorators logged. */
function observe(kind: Kind, cls: Statics, log: Log): unknown[] {
  const d = Reflect.getOwnPropertyDescriptor(cls, KEY[kind]);
  const through = () => (d === undefined ? "none" : "value" in d ? d.value : d.get?.call(cls));
  if (kind === "method") {
    const method = through() as Function;
    return [(cls.make as Function)(3), method.call(cls, 4), log.splice(0)];
  }
  return [cls[KEY[kind]], through(), log.splice(0)];
}

const KEPT = ["seed", "tag", "count"];

function check(c: Case): void {
  const [logM, logP] = [[] as Log, [] as Log];
  const ns = new Namespace("static-decorators");
  const Factory = ns.registerClass(release(1, c.shape, c.kind, c.decorators, logM), {
    constructedOnlyThroughHandle: true,
  }) as unknown as Statics;
  decorate(c, Factory, logM);
  const plain1 = release(1, c.shape, c.kind, c.decorators, logP) as unknown as Statics;
  decorate(c, plain1, logP);
  logM.splice(0);
  logP.splice(0);
  const phase = (w: number, oracle: Statics, also?: Statics) => {
    write(c.kind, Factory, w);
    write(c.kind, oracle, w);
    if (also !== undefined && also !== oracle) write(c.kind, also, w);
    expect(observe(c.kind, Factory, logM)).toEqual(observe(c.kind, oracle, logP));
    if (also !== undefined && also !== oracle) observe(c.kind, also, logP);
  };
  phase(c.writes[0], plain1);

  const { result, oracle } = update(c, ns, Factory, plain1, logM, logP);
  phase(c.writes[1], oracle, plain1);

  result.rollback();
  phase(c.writes[2], plain1);
}

/** The case's update of the managed class, and the plain class it must behave as after it. */
function update(c: Case, ns: Namespace, Factory: Statics, plain1: Statics, logM: Log, logP: Log) {
  if (c.update === "methods patch") {
    const p = patch("methods").addMethods("Factory", {
      other() {
        return 1;
      },
    });
    return { result: updateSync(ns, p.build()), oracle: plain1 };
  }
  const again = c.update === "release, decorators run again";
  let p = patch("v2").replaceImplementation(
    "Factory",
    release(2, c.shape, c.kind, c.decorators, logM),
    {
      keepStatics: KEPT,
    },
  );
  // As `metamorph dev` does: the calls of methods and accessors, not of fields.
  if (again && c.kind !== "field")
    p = p.afterCommit("decorators", () => decorate(c, Factory, logM));
  const result = updateSync(ns, p.build());
  logM.splice(0);
  // A field's running value and what its decorator made of it stay: the plain class of release 1.
  if (c.kind === "field") return { result, oracle: plain1 };
  const plain2 = release(2, c.shape, c.kind, c.decorators, logP) as unknown as Statics;
  for (const key of KEPT) plain2[key] = Reflect.get(plain1, key);
  if (again) decorate(c, plain2, logP);
  logP.splice(0);
  return { result, oracle: plain2 };
}

test("property: a decorated static of a handle behaves as the plain class's, before an update, after it and after its rollback (seed 1907)", () => {
  fc.assert(
    fc.property(
      fc.record({
        shape: fc.constantFrom<Shape>("tsc", "esbuild", "tc39"),
        style: fc.constantFrom<Style>("mutates", "returns", "defines"),
        kind: fc.constantFrom<Kind>("method", "field", "accessor"),
        decorators: fc.integer({ min: 1, max: 2 }),
        update: fc.constantFrom<Update>(
          "methods patch",
          "release",
          "release, decorators run again",
        ),
        writes: fc.tuple(fc.integer(), fc.integer(), fc.integer()),
      }),
      check,
    ),
    { seed: 1907, numRuns: 120 },
  );
});
