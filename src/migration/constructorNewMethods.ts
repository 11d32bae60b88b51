/**
 * A derived version (building/derivedImplementation.ts) builds its objects
 * by running the running version's constructor, then making the field
 * change. A constructor that calls a method the patch replaces or adds
 * (`constructor(s) { this.deposit(s) }`, `deposit` now adding to the renamed
 * `amount`) runs the new method on an object still in the old layout: what
 * it writes under the new name is overwritten when the rename moves the old
 * field over it (eager `new A(7)` had `amount` 0; lazy, while pending, 7),
 * and what it reads there is not there yet. The running constructor cannot
 * be compiled again with the new names (its scope is not at hand), so the
 * patch's author is told.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { derivedFrom } from "../mop/derivedFrom.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import type { ClassBuild } from "./build.js";
import { methodsCalledOnThis } from "./constructorCalls.js";
import { warning, type UpdateWarning } from "./warning.js";

const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** `this.field` anywhere in `source` (a read or a write). */
const touches = (source: string, field: string) =>
  new RegExp(`\\bthis\\s*\\.\\s*${escaped(field)}(?![\\w$])`).test(source);

/**
 * `this.field` read (`this.count += 1` included): a plain assignment
 * (`this.count = 1`) is kept by the field change, which gives an added
 * field its initial value only where the object has none.
 */
const reads = (source: string, field: string) => {
  const at = new RegExp(`\\bthis\\s*\\.\\s*${escaped(field)}(?![\\w$])`, "g");
  const assigned = /^\s*=(?![=>])/;
  return [...source.matchAll(at)].some((m) => !assigned.test(source.slice(m.index + m[0].length)));
};

const instanceMethods = (d: ClassDefinition) =>
  new Map(
    d.methods
      .filter((m) => !m.static && m.kind === "method" && typeof m.key === "string")
      .map((m) => [m.key as string, m] as const),
  );

/**
 * The methods the running constructor reaches through calls on `this`
 * (itself, then two levels through the methods it calls), with the chain
 * that reaches each: `init() → deposit()`.
 */
function reachedMethods(
  constructorSource: string,
  methods: ReadonlyMap<string, MethodDefinition>,
): Map<string, string> {
  const reached = new Map<string, string>();
  let level: (readonly [string, string])[] = methodsCalledOnThis(constructorSource).map(
    (name) => [name, `${name}()`] as const,
  );
  for (let depth = 0; depth < 3 && level.length > 0; depth++) {
    const next: (readonly [string, string])[] = [];
    for (const [name, chain] of level) {
      const method = methods.get(name);
      if (method === undefined || reached.has(name)) continue;
      reached.set(name, chain);
      for (const callee of methodsCalledOnThis(method.source))
        next.push([callee, `${chain} → ${callee}()`]);
    }
    level = next;
  }
  return reached;
}

/**
 * For a class whose new version is derived: the methods the patch replaces
 * or adds that its running constructor calls (directly or through the
 * methods it calls) and that use a field the patch renames (under its new
 * name) or read one it adds.
 */
export function constructorCallsNewMethods(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (cls.implementationDerived !== true || old === undefined) return [];
  const base = cls.implementation === undefined ? undefined : derivedFrom(cls.implementation);
  const source = readableClassSource(base)?.constructorSource;
  if (!source) return [];
  const oldFields = new Set(old.fields.map((f) => f.name));
  const renamed = [...cls.fieldOrigins].flatMap(([to, from]) =>
    typeof from === "string" && from !== to ? [{ to, from }] : [],
  );
  const added = cls.definition.fields
    .map((f) => f.name)
    .filter((f) => !oldFields.has(f) && typeof cls.fieldOrigins.get(f) !== "string");
  if (renamed.length === 0 && added.length === 0) return [];
  const before = instanceMethods(old);
  const methods = instanceMethods(cls.definition);
  const out: UpdateWarning[] = [];
  for (const [name, chain] of reachedMethods(source, methods)) {
    const method = methods.get(name)!;
    if (before.get(name)?.source === method.source) continue;
    const hit =
      renamed.find((r) => touches(method.source, r.to)) ??
      added.filter((f) => reads(method.source, f)).map((f) => ({ to: f, from: null }))[0];
    if (hit === undefined) continue;
    const what =
      hit.from === null
        ? `reads new field \`${hit.to}\`, which the derived version gives its initial value only after the constructor`
        : `uses \`${hit.to}\`, the new name of \`${hit.from}\`, which the derived version moves over it only after the constructor`;
    out.push(
      warning(
        "MM_CONSTRUCTOR_CALLS_NEW_METHOD",
        className,
        hit.to,
        `the running constructor calls ${chain}, whose new version ${what}`,
        `objects constructed from now on run the running constructor with the new methods before the field change is made, so they differ from migrated ones — give the class a new implementation (replaceImplementation, with a constructor using \`${hit.to}\`)${hit.from === null ? "" : `, or rename without a migrator and keep the methods on \`${hit.from}\` until the migration completes`}`,
      ),
    );
  }
  return out;
}
