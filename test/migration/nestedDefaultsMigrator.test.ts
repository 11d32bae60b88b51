/**
 * MM_NO_INITIAL_VALUE for a new default written inside a field both
 * releases have, where the patch has a migrator that does not write it.
 *
 * opossum 8.0 -> 8.5: 8.5's constructor adds `this.options.coalesceResetOn
 * = … || []`; the breakers alive now keep 8.0's options. The warning was
 * dropped as soon as the class had any migrator — an empty one, or the one
 * copying the symbol-keyed state that the MM_PRIVATE_STATE refusal asks
 * for — so the update committed with no word and the first `fire()` threw
 * "Cannot read properties of undefined (reading 'includes')" (review
 * advZ22). Now it is dropped only where the migrator names the field or
 * the key where it writes, or cannot be read (a bound function).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, Patch, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Breaker = { options: Record<string, unknown>; fire(): string };
type BreakerClass = (new (options?: object) => Breaker) & { readonly k: symbol };
type Migrator = (old: Record<PropertyKey, unknown>, target: Record<PropertyKey, unknown>) => void;
type Policy = "eager" | "lazy" | "progressive";

/** One release of a breaker in opossum's pattern: B adds `options.resetOn` and reads it in fire(). */
function breaker(release: "A" | "B"): BreakerClass {
  return new Function(
    `"use strict";
    const kState = Symbol("state");
    return class Breaker {
      constructor(options = {}) {
        this.options = options;
        this.options.timeout = options.timeout ?? 1000;
        ${release === "B" ? 'this.options.resetOn = options.resetOn?.filter((o) => o !== "x") || [];' : ""}
        this[kState] = "closed";
      }
      fire() {
        return this[kState] + ":" + this.options.timeout${release === "B" ? ' + ":" + this.options.resetOn.includes("error")' : ""};
      }
      static get k() { return kState; }
    };`,
  )() as BreakerClass;
}

function upgrade(
  policy: Policy,
  migrator?: (a: BreakerClass, b: BreakerClass) => Migrator,
  /** The text the patch carries for the migrator, where it is not the live function's. */
  source?: string,
) {
  const [a, b] = [breaker("A"), breaker("B")];
  const ns = new Namespace(`nested-defaults-migrator-${policy}`);
  const H = ns.registerClass(a, { name: "Breaker" }) as unknown as BreakerClass;
  const br = new H({ timeout: 5 });
  let p = patch("b").replaceImplementation("Breaker", b).build();
  if (migrator !== undefined) {
    const fn = migrator(a, b);
    const op = { op: "migrator", className: "Breaker" } as const;
    p = new Patch("b", [
      ...p.operations,
      { ...op, migrator: { source: source ?? Function.prototype.toString.call(fn), fn } },
    ]);
  }
  const result = updateSync(ns, p, { policy });
  const said = result.warnings.filter((w: UpdateWarning) => w.code === "MM_NO_INITIAL_VALUE");
  return { br, said };
}

/** The migrator the MM_PRIVATE_STATE refusal asks for: the state under the running module's symbol, copied to the new one's. */
const symbolCopy = (a: BreakerClass, b: BreakerClass): Migrator =>
  new Function("ka", "kb", "return (old, target) => { target[kb] = old[ka]; };")(a.k, b.k);

describe.each(["eager", "lazy", "progressive"] as const)("opossum's options (%s)", (policy) => {
  test("the migrator copying the symbol state leaves `options.resetOn` named", () => {
    const { br, said } = upgrade(policy, symbolCopy);
    expect(said.map((w) => [w.field, w.note])).toEqual([
      [
        "options",
        "the new constructor sets `options.resetOn` inside field `options`, which the running release's did not",
      ],
    ]);
    expect(said[0]!.message).toMatch(
      /the migrator of Breaker names neither `options` nor `resetOn` where it writes: unless it sets it by other means, give the field a copy with it there \(`target\.options = \{ \.\.\.old\.options, resetOn: … \}`/,
    );
    // What it warns of.
    expect(() => br.fire()).toThrow(/reading 'includes'/);
  });

  test("an empty migrator leaves it named too", () => {
    const { said } = upgrade(policy, () => () => {});
    expect(said.map((w) => w.field)).toEqual(["options"]);
  });

  // The builder refuses a bound function; a patch made of operations may still carry one.
  test("a migrator whose live text cannot be read (bound) is taken to set it, as before", () => {
    const { said } = upgrade(
      policy,
      (a, b) => symbolCopy(a, b).bind(null),
      "(old, target) => { target[kb] = old[ka]; }",
    );
    expect(said).toEqual([]);
  });
});

/** Ways a migrator writes what the new release adds (`resetOn` inside `options`), each enough for fire(). */
const setsResetOn = {
  spread: "target.options = { ...old.options, resetOn: [] };",
  inside: "target.options.resetOn = [];",
  quoted: 'target["options"] = Object.assign({}, old.options, { resetOn: [] });',
  assign: "Object.assign(target, { options: { ...old.options, resetOn: [] } });",
  orAssign: "target.options.resetOn ||= [];",
};
/** Writes of other things, none of them `options` or `resetOn`. */
const others = {
  symbol: "target[kb] = old[ka];",
  field: "target.count = 0;",
  read: "void old.options.timeout;",
};

/**
 * Over migrators made of writes of other things and, or not, one of the
 * ways to write `options.resetOn`: the warning is said exactly where none
 * of the writes names it, and where it is not said the breakers work.
 */
test("said exactly where the migrator does not write `options` or `resetOn`", () => {
  fc.assert(
    fc.property(
      fc.subarray(Object.keys(others) as (keyof typeof others)[]),
      fc.option(fc.constantFrom(...(Object.keys(setsResetOn) as (keyof typeof setsResetOn)[]))),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      (writes, sets, policy) => {
        const body = [...writes.map((w) => others[w]), sets === null ? "" : setsResetOn[sets]];
        const { br, said } = upgrade(policy, (a, b) =>
          new Function("ka", "kb", `return (old, target) => { ${body.join("\n")} };`)(a.k, b.k),
        );
        expect(said.map((w) => w.field)).toEqual(sets === null ? ["options"] : []);
        if (sets !== null) expect(br.fire()).toMatch(/:5:false$/);
        else expect(() => br.fire()).toThrow(/reading 'includes'/);
      },
    ),
    { seed: 22051, numRuns: 18 },
  );
});
