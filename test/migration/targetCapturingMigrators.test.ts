/**
 * A migrator that can hold its `target` beyond its own run — a callback over
 * it, a helper built with it, an array holding it — is run again on the live
 * object at its rewrite. It ran only on the shadow copy, and the live object
 * kept values pointing at that discarded copy: htmlparser2 9's Tokenizer
 * needs `entityDecoder`, and the migrator the refusal asks for, built as the
 * new constructor builds it (`new EntityDecoder(tree, (cp, n) =>
 * target.emitCodePoint(cp, n))`), committed under every policy while the
 * live tokenizer's entities were decoded into the copy: "Tom &amp; Jerry"
 * became "&Tom &amp; Jerry" (parse5 7.2's ran away).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import type { Migrator } from "../../src/patch/operations.js";
import { capturesTarget } from "../../src/migration/targetCapture.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;

/** What the new release's tokenizer builds in its constructor: it calls back into the tokenizer. */
class Decoder {
  constructor(readonly emit: (c: string) => void) {}
  decode(name: string): void {
    this.emit(name === "amp" ? "&" : "?");
  }
}

interface Tok {
  text: string;
  decoder?: Decoder;
  mode?: string;
  write(s: string): void;
  peek(): string;
}

const v1 = () =>
  new Function(`"use strict";
  return class Tok {
    constructor() { this.text = ""; }
    write(s) { this.text += s; }
    peek() { return this.text; }
  };`)() as new () => Tok;

/** Entities go through the decoder, which emits into the tokenizer through the callback. */
const v2 = () =>
  new Function(
    "Decoder",
    `"use strict";
  return class Tok {
    constructor() { this.text = ""; this.mode = "new"; this.decoder = new Decoder((c) => this.emitCodePoint(c)); }
    emitCodePoint(c) { this.text += c; }
    write(s) {
      s.split(/&(\\w+);/).forEach((part, i) => { if (i % 2 === 1) this.decoder.decode(part); else this.text += part; });
    }
    peek() { return this.text; }
  };`,
  )(Decoder) as new () => Tok;

const decoderMigrator: Migrator = (_old, target) => {
  target.decoder = new Decoder((c) =>
    (target as unknown as { emitCodePoint(c: string): void }).emitCodePoint(c),
  );
};

const stateOf = (o: object) =>
  Reflect.ownKeys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)]);

describe.each(POLICIES)("a migrator whose callback calls back into its target (%s)", (policy) => {
  test("the live tokenizer decodes into itself, as the new release's does; a rollback gives back the exact old state", async () => {
    const ns = new Namespace(`target-capture-${policy}`, { instanceFinder: "registry" });
    const T = ns.registerClass(v1());
    const live = new T();
    live.write("a ");
    const idle = new T();
    idle.write("idle");
    const idleBefore = stateOf(idle);
    const result = updateSync(
      ns,
      patch("up").replaceImplementation("Tok", v2()).migrate("Tok", decoderMigrator).build(),
      { policy },
    );
    live.write("Tom &amp; Jerry");
    expect(idle.peek()).toBe("idle");
    if (policy === "progressive") await result.completion;
    expect(live.text).toBe("a Tom & Jerry");
    const fresh = new T();
    fresh.write("Tom &amp; Jerry");
    expect(fresh.text).toBe("Tom & Jerry");
    result.rollback();
    expect(stateOf(idle)).toEqual(idleBefore);
    expect(Reflect.ownKeys(live)).toEqual(["text"]);
    live.write(" &amp;");
    expect(live.text).toBe("a Tom & Jerry &amp;");
  });

  test("an object with state of its own beyond its fields: the second run keeps it, adds what it adds, and a rollback takes exactly that away", async () => {
    const ns = new Namespace(`target-capture-unmanaged-${policy}`, { instanceFinder: "registry" });
    const T = ns.registerClass(v1());
    const live = new T();
    const tag = Symbol("tag");
    const hook = Symbol("hook");
    Object.defineProperty(live, "hidden", {
      value: 7,
      writable: true,
      enumerable: false,
      configurable: true,
    });
    (live as unknown as Record<symbol, unknown>)[tag] = "gold";
    live.write("a");
    const before = stateOf(live);
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Tok", v2())
        .migrate("Tok", (old, target) => {
          decoderMigrator(old, target);
          (target as Record<symbol, unknown>)[hook] = () =>
            (target as unknown as Tok).write("&amp;");
        })
        .validateInstances("the copy has its decoder", "Tok", (i) => i.decoder instanceof Decoder)
        .build(),
      { policy },
    );
    live.peek();
    if (policy === "progressive") await result.completion;
    expect((live as unknown as Record<string, unknown>).hidden).toBe(7);
    expect((live as unknown as Record<symbol, unknown>)[tag]).toBe("gold");
    ((live as unknown as Record<symbol, unknown>)[hook] as () => void)();
    expect(live.text).toBe("a&");
    result.rollback();
    expect(Reflect.ownKeys(live)).toEqual(before.map(([k]) => k));
    expect((live as unknown as Record<symbol, unknown>)[hook]).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(live, "hidden")).toEqual(before[1]![1]);
  });

  test("a later migrator keeps the last word, and a read-modify-write happens once", async () => {
    const ns = new Namespace(`target-capture-order-${policy}`, { instanceFinder: "registry" });
    const T = ns.registerClass(v1());
    const live = new T();
    live.write("x");
    const result = updateSync(
      ns,
      patch("up")
        .replaceImplementation("Tok", v2())
        .migrate("Tok", (_old, target) => {
          decoderMigrator(_old, target);
          target.text = `${target.text as string}+`;
          target.mode = "first";
        })
        .migrate("Tok", (_old, target) => {
          target.mode = "last";
        })
        .build(),
      { policy },
    );
    live.write("&amp;");
    if (policy === "progressive") await result.completion;
    expect(live.text).toBe("x+&");
    expect(live.mode).toBe("last");
  });

  test("a migrator that throws when run on the live object: the update is undone, the object exactly as it was", () => {
    const ns = new Namespace(`target-capture-throws-${policy}`, { instanceFinder: "registry" });
    const T = ns.registerClass(v1());
    const live = new T();
    live.write("a");
    const before = stateOf(live);
    let runs = 0;
    let failed: unknown;
    try {
      const result = updateSync(
        ns,
        patch("up")
          .replaceImplementation("Tok", v2())
          .migrate("Tok", (old, target) => {
            // Its first run is on the copy; the second, on the object itself.
            if (++runs > 1) throw new Error("not on the live one");
            decoderMigrator(old, target);
          })
          .build(),
        { policy },
      );
      live.peek();
      expect(result.state()).toBe("rolled-back");
    } catch (error) {
      failed = error;
    }
    if (policy === "eager") expect(failed).toMatchObject({ code: "MM_COMMIT_FAILED" });
    else expect(failed).toBeUndefined();
    expect(runs).toBe(2);
    expect(stateOf(live)).toEqual(before);
    live.write(" &amp;");
    expect(live.text).toBe("a &amp;");
  });
});

/** Where a migrator can put its target: each holds it but `member`, which only reads and writes fields. */
type Shape = "arrow" | "new" | "array" | "member";

class Helper {
  constructor(readonly owner: { bump(): void }) {}
  poke(): void {
    this.owner.bump();
  }
}

/** Migrator bodies, as source: what is read of a migrator is its own text. */
const SHAPES: Record<Shape, string> = {
  arrow: "target.cb = () => target.bump();",
  new: "target.helper = new Helper(target);",
  array: "target.list = [target];",
  member: 'target.n = target.n + old.n; target.label = old.label + ">v2";',
};

/** The migrator of `shape`, counting its runs in `runs[m]`. */
const migratorOf = (shape: Shape, runs: number[], m: number): Migrator =>
  new Function(
    "runs",
    "Helper",
    `"use strict"; return (old, target) => { runs[${m}]++; ${SHAPES[shape]} };`,
  )(runs, Helper) as Migrator;

interface Node {
  n: number;
  label: string;
  hits: number;
  list: unknown;
  peek(): number;
}

const node1 = () =>
  new Function(`"use strict";
  return class Node {
    constructor() { this.n = 1; this.label = "v1"; }
    peek() { return this.n; }
  };`)() as new () => Node;

const node2 = () =>
  new Function(`"use strict";
  return class Node {
    constructor() { this.n = 1; this.label = "v1"; this.hits = 0; this.cb = null; this.helper = null; this.list = null; }
    bump() { this.hits++; }
    peek() { return this.n; }
  };`)() as new () => Node;

/** The values one level from `object`'s fields: the fields' own, and their own properties' or elements. */
function reachable(object: object): unknown[] {
  const out: unknown[] = [];
  for (const value of Object.values(object)) {
    out.push(value);
    if (typeof value === "object" && value !== null) out.push(...Object.values(value));
  }
  return out;
}

test("property: whatever shapes of migrators run, no value one level from a live object is a copy, and its callbacks act on it", async () => {
  const shapes = Object.keys(SHAPES) as Shape[];
  await fc.assert(
    fc.asyncProperty(
      fc.shuffledSubarray(shapes, { minLength: 1 }),
      fc.constantFrom(...POLICIES),
      fc.integer({ min: 1, max: 3 }),
      fc.boolean(),
      async (chosen, policy, count, complete) => {
        const ns = new Namespace("target-capture-property", { instanceFinder: "registry" });
        const N = ns.registerClass(node1());
        const objects = Array.from({ length: count }, () => new N());
        const before = objects.map(stateOf);
        const runs = chosen.map(() => 0);
        let p = patch("up").replaceImplementation("Node", node2());
        chosen.forEach((shape, m) => {
          p = p.migrate("Node", migratorOf(shape, runs, m));
        });
        const result = updateSync(ns, p.build(), { policy });
        if (complete) result.completeMigration();
        for (const o of objects) o.peek();
        if (policy === "progressive") await result.completion;
        // Every migrator from the first that can hold its target on runs on the object itself too.
        const first = chosen.findIndex((s) => s !== "member");
        expect(runs).toEqual(chosen.map((_, m) => count * (first >= 0 && m >= first ? 2 : 1)));
        for (const o of objects) {
          // Read-modify-write once, on the object as on the copy.
          expect(o.n).toBe(chosen.includes("member") ? 2 : 1);
          if (chosen.includes("member")) expect(o.label).toBe("v1>v2");
          const values = reachable(o);
          // A copy is an instance of the class too (it sits on its prototype).
          expect(values.filter((v) => v !== o && v instanceof N)).toEqual([]);
          const calls = [
            ...values.filter((v): v is () => void => typeof v === "function"),
            ...values.filter((v): v is Helper => v instanceof Helper).map((h) => () => h.poke()),
          ];
          for (const call of calls) {
            const hits = o.hits;
            call();
            expect(o.hits).toBe(hits + 1);
          }
          if (chosen.includes("array")) expect(o.list).toEqual([o]);
        }
        result.rollback();
        expect(objects.map(stateOf)).toEqual(before);
      },
    ),
    { seed: 40213, numRuns: 60 },
  );
});

test.each([
  ["(old, target) => { target.x = old.x; }", false],
  ["(old, target) => { target.x = target.y + 1; target[k] = 2; delete target.z; }", false],
  ["(old, target) => { target.items.push(old.a); }", false],
  ["(old, target) => Object.assign(target, { a: 1 })", false],
  ["(old, target) => { target.label = target.format(); }", false],
  [
    "(old, target) => { if (typeof target.f === 'object' && target instanceof C && k in target) seen.push(1); }",
    false,
  ],
  ["(old, target) => { refs.push(new WeakRef(target)); }", false],
  // The testing kit's do-nothing migrator (testing/arbitraries/patch/pools.ts).
  ["(old, target) => { void old; void target; }", false],
  ["(old, target) => { const t = target; t.x = t.y; }", false],
  ["(old, target) => { const t = target; t.cb = () => t.emit(); }", true],
  ["(old, target) => { const t = target; t.me = t; }", true],
  ["function (old, target) { if (old.a) { target.y = 2; } }", false],
  ["(old, { a }) => { a.x = 1; }", false],
  ["(old) => old.x", false],
  ["(old, t) => { t.decoder = new Decoder((c) => t.emitCodePoint(c)); }", true],
  ["(old, t) => { t.helper = new Helper(t); }", true],
  ["(old, t) => { t.list = [t]; }", true],
  ["(old, t) => { t.me = t; }", true],
  ["(old, t) => { return t; }", true],
  ["(old, t) => { t.copy = { ...t }; }", true],
  ["(old, t) => Object.assign(t, { f: () => t.x })", true],
  ["(old, t) => { t.o = { get x() { return t.y; } }; }", true],
  ["function (old) { arguments[1].x = 1; }", true],
  ["(old, ...rest) => { rest[0].x = 1; }", true],
  ["function () { [native code] }", true],
] as const)("whether `%s` can hold its target: %s", (source, expected) => {
  expect(capturesTarget(source)).toBe(expected);
});
