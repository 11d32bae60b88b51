/**
 * While a lazy or progressive update's guards are installed, each member of
 * the class reads as the member it stands for, as after an eager update:
 * its `name` and `length`, its kind (`constructor.name`, `toString` tag), its
 * `prototype` and own properties, whether `new` reaches it, and an
 * accessor has a setter only where the member has one (review advZ19).
 * Each guard was an anonymous `function ()` and each accessor guard had a
 * getter and a setter: `length` 0 made Express take an error handler
 * (`app.use(r.onError.bind(r))`) for an ordinary one, never called with the
 * error; a strict-mode assignment to a getter-only accessor, which throws,
 * was silently dropped. An async method's guard returns the method's own
 * promise: its caller resumes when it would after the method alone. What
 * remains (a guard is another function than the member; `util.types`
 * tells an async method's or a generator's guard from them):
 * docs/design.md.
 */
import { types } from "node:util";
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

const toFast = new Function("o", "%ToFastProperties(o)") as (o: object) => void;

type Shape = (typeof SHAPES)[number];
/** What a patch can replace: members in method syntax (the others are kept). */
const REPLACEABLE = new Set<Shape>(["method", "async", "generator"]);
const SHAPES = ["method", "async", "generator", "function", "inherited", "arrow"] as const;

/** A member of `shape` taking `arity` parameters, answering `tag` and the object's `n`. */
function member(shape: Shape, arity: number, tag: string): Function {
  const params = Array.from({ length: arity }, (_, i) => `p${i}`).join(", ");
  const body = `return [${JSON.stringify(tag)}, this.n];`;
  const source =
    shape === "async"
      ? `({ async m(${params}) { ${body} } }).m`
      : shape === "generator"
        ? `({ *m(${params}) { yield ${JSON.stringify(tag)}; yield this.n; } }).m`
        : shape === "function"
          ? `function m(${params}) { if (new.target) { this.made = ${JSON.stringify(tag)}; return; } ${body} }`
          : shape === "arrow"
            ? `(${params}) => [${JSON.stringify(tag)}]`
            : `({ m(${params}) { ${body} } }).m`;
  const f = new Function(`"use strict"; return ${source};`)() as Function;
  if (shape === "function") Object.assign(f, { cache: { hits: 0 } });
  // V8 makes a prototype fast once objects built on it are used, at a
  // moment of its choosing (the test's calls, not the update, may be it):
  // made so here, before the snapshot.
  if (shape === "function" || shape === "generator") toFast(f.prototype as object);
  return f;
}

interface Spec {
  readonly shape: Shape;
  readonly arity: number;
  /** The patch replaces it (the guard then stands for the new release's member). */
  readonly replaced: boolean;
}

interface Scenario {
  readonly members: readonly Spec[];
  readonly accessors: readonly ("get" | "set" | "both")[];
  readonly rollBack: boolean;
}

/** What a program can see of a function without calling it (identity left out: docs/design.md). */
function looks(f: unknown) {
  if (typeof f !== "function") return typeof f;
  return {
    name: f.name,
    length: f.length,
    tag: Object.prototype.toString.call(f),
    constructorName: (f as { constructor?: { name?: string } }).constructor?.name,
    keys: Reflect.ownKeys(f).map(String).sort(),
    prototype: Object.hasOwn(f, "prototype")
      ? Reflect.ownKeys(f.prototype as object).map(String)
      : undefined,
    boundLength: f.bind(null).length,
    cache: (f as { cache?: unknown }).cache,
  };
}

/**
 * What `call` answers, and for a promise when it settles against a chain of
 * other promises started just before the call: the program's continuations
 * run in that order, a race between them is won so.
 */
async function inTurn(call: () => unknown) {
  const order: unknown[] = [];
  const others = Promise.resolve()
    .then(() => order.push(1))
    .then(() => order.push(2))
    .then(() => order.push(3));
  const out = call();
  if (!(out instanceof Promise)) return out;
  await Promise.all([out.then((value) => order.push(value)), others]);
  return order;
}

/** Express's rule (router/layer.js handle_error): a handler of 4 parameters is an error handler. */
const dispatchError = (handler: Function, error: Error) =>
  handler.length === 4 ? handler(error, {}, {}, () => "next") : "passed over";

let runs = 0;

async function run(policy: Policy, s: Scenario) {
  const ns = new Namespace(`lazy-guard-shapes-${runs++}`);
  class Base {
    n = 1;
  }
  class Cls extends Base {}
  const names = s.members.map((_, i) => `m${i}`);
  s.members.forEach((spec, i) => {
    const home = spec.shape === "inherited" ? Base.prototype : Cls.prototype;
    const f = member(spec.shape === "inherited" ? "method" : spec.shape, spec.arity, "v1");
    Object.defineProperty(home, names[i]!, { configurable: true, writable: true, value: f });
  });
  // An accessor named `a`, its halves named "get a" and "set a"; the setter
  // keeps what it is given out of the objects, whose state a rollback keeps.
  const written: unknown[] = [];
  const halves = Object.getOwnPropertyDescriptor(
    {
      get a() {
        return (this as unknown as Base).n;
      },
      set a(v: number) {
        written.push([(this as unknown as Base).n, v]);
      },
    },
    "a",
  )!;
  s.accessors.forEach((kind, i) => {
    const d: PropertyDescriptor = { configurable: true };
    if (kind !== "set") d.get = halves.get;
    if (kind !== "get") d.set = halves.set;
    Object.defineProperty(Cls.prototype, `a${i}`, d);
  });
  ns.registerClass(Base, { constructedOnlyThroughHandle: true });
  const C = ns.registerClass(Cls, { constructedOnlyThroughHandle: true });
  const P = C.prototype as unknown as Record<string, unknown>;
  const objects = [new C(), new C()] as unknown as Record<string, unknown>[];
  const before = deepSnapshot({ ns, objects: [...objects, P] });
  const members = names.map((name) => P[name]);
  const replaced = Object.fromEntries(
    s.members.flatMap((spec, i) =>
      spec.replaced && REPLACEABLE.has(spec.shape)
        ? [[names[i]!, member(spec.shape, (spec.arity + 1) % 5, "v2")]]
        : [],
    ),
  );
  let v2 = patch("v2").addField("Base", "seen", { default: 0 });
  if (Object.keys(replaced).length > 0) v2 = v2.replaceMethods("Cls", replaced as never);
  const result = updateSync(ns, v2.build(), { policy });
  // While the update is pending (the first object touched, the second not).
  const seen: unknown[] = [];
  const [touched, pending] = objects as [Record<string, unknown>, Record<string, unknown>];
  for (const [i, name] of names.entries()) {
    seen.push(looks(P[name]));
    const f = P[name] as Function;
    const call = (self: object) => {
      const out = Reflect.apply(f, self, []);
      if (!types.isGeneratorObject(out)) return out;
      return [Reflect.getPrototypeOf(out) === f.prototype, ...(out as Iterable<unknown>)];
    };
    seen.push(await inTurn(() => call(touched)));
    seen.push(dispatchError((f as Function).bind(pending), new Error("boom")));
    if (s.members[i]!.shape === "function") {
      const made = Reflect.construct(f, []) as { made?: string };
      seen.push(made.made, made instanceof (f as new () => object));
    }
  }
  s.accessors.forEach((_, i) => {
    const d = Reflect.getOwnPropertyDescriptor(P, `a${i}`)!;
    seen.push(d.get?.name, d.set?.name, d.set?.length, "get" in d && d.get !== undefined);
    seen.push([d.get, d.set].map((half) => half !== undefined && Object.hasOwn(half, "prototype")));
    seen.push(
      (() => {
        try {
          pending[`a${i}`] = 5; // test files are modules: strict mode
          return ["assigned", touched[`a${i}`], written.length];
        } catch (error) {
          return (error as Error).constructor.name;
        }
      })(),
    );
  });
  seen.push(written);
  if (s.rollBack) result.rollback();
  else if (policy === "lazy") result.completeMigration();
  else if (policy === "progressive") await result.completion;
  const exact = s.rollBack
    ? snapshotDifference(before, deepSnapshot({ ns, objects: [...objects, P] }))
    : undefined;
  // Once the guards are off, each member is itself again.
  const same = names.map((name, i) => P[name] === members[i]);
  return { seen, exact, same };
}

const scenario = fc.record({
  members: fc.array(
    fc.record({
      shape: fc.constantFrom(...SHAPES),
      arity: fc.integer({ min: 0, max: 4 }),
      replaced: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  accessors: fc.array(fc.constantFrom("get" as const, "set" as const, "both" as const), {
    maxLength: 3,
  }),
  rollBack: fc.boolean(),
});

test("property: while the guards are installed each member reads as after an eager update (name, length, kind, prototype, own properties, new, accessor halves); a rollback is exact", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Policy>("lazy", "progressive"),
      scenario,
      async (policy, s) => {
        const eager = await run("eager", s);
        const pending = await run(policy, s);
        expect(pending.seen).toEqual(eager.seen);
        expect(pending.same).toEqual(eager.same);
        expect([eager.exact, pending.exact]).toEqual([undefined, undefined]);
      },
    ),
    { seed: 20261221, numRuns: 60 },
  );
});

test("an error handler of 4 parameters stays one, and a getter-only accessor refuses an assignment, while a lazy update is pending", async () => {
  const { seen } = await run("lazy", {
    members: [{ shape: "method", arity: 4, replaced: false }],
    accessors: ["get"],
    rollBack: false,
  });
  expect(seen[0]).toMatchObject({ name: "m", length: 4, boundLength: 4 });
  expect(seen[2]).toEqual(["v1", 1]);
  expect(seen.at(-2)).toBe("TypeError");
});
