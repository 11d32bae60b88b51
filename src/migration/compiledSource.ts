/**
 * The source text of compiled migration code (compiledMigration.ts): the
 * rewrite of one object, the layout checks, and the cache that keeps each
 * generated function by its text. Keys are embedded as JSON string
 * literals; nothing else from a plan becomes source text (functions and
 * constants are passed in as arguments).
 */
import { createsByAssignment, defineFieldSource } from "../mop/assignable.js";
import type { ClassMigrationPlan, FieldSource } from "./instanceMigration.js";
import { commonPrefix } from "./instanceMigration.js";

/** Where the value of one new field comes from on the compiled path. */
export type ValueSource =
  | { readonly kind: "old"; readonly index: number }
  | { readonly kind: "constant"; readonly value: unknown }
  | {
      readonly kind: "computed";
      readonly slot: number;
      readonly source: FieldSource;
      readonly field: string;
    };

/**
 * Generated functions by their source text. A plan's code is the same for
 * every class of the same layouts (constants are arguments, nothing is
 * captured), and reusing the function itself keeps its type feedback and
 * optimised code: the next update of that shape runs optimised loops from
 * its first object instead of the interpreter's (V8's own cache of `new
 * Function` is cleared by full collections, and new closures would not
 * share feedback). Bounded: the least recently used sources are dropped.
 */
const functions = new Map<string, unknown>();
const FUNCTIONS_KEPT = 256;

export function generated<T>(source: string): T {
  let fn = functions.get(source);
  if (fn) functions.delete(source);
  else {
    fn = new Function(source)();
    if (functions.size >= FUNCTIONS_KEPT) functions.delete(functions.keys().next().value!);
  }
  functions.set(source, fn);
  return fn as T;
}

export const key = (k: string) => `[${JSON.stringify(k)}]`;

const NONE: ReadonlySet<string> = new Set();

/**
 * The new fields a rewrite defines rather than assigns: names the prototype
 * chain has (an accessor of an external superclass or of Object.prototype,
 * one the class's own constructor defines its field over), where an
 * assignment would run the accessor — program code inside the commit — and
 * the object would get no field (review advZ2). The general path does the
 * same per object (instanceMigration.ts rewriteFields).
 */
export function chainFields(plan: ClassMigrationPlan): ReadonlySet<string> {
  const found = plan.fields.filter(
    (f) => !createsByAssignment(plan.prototype, f) || !createsByAssignment(plan.copyPrototype, f),
  );
  return found.length === 0 ? NONE : new Set(found);
}

/**
 * The source of the rewrite of `o` from `oldLayout` to `fields`, reading
 * `v0…` and, when `save`, writing them to `old[ob…]` (otherwise the old
 * values are already there, and only the fields the rewrite moves are
 * read); `"hoisted"` reads every one into variables `v0…` declared by the
 * caller and then sets `r = 1`, saving nothing; `"checked"` reads every one
 * and, before writing anything, returns `i` unless `o` still has exactly
 * the layout and the values saved at `old[ob…]` (`same` is the key check of
 * `sameKeysSource`, run first).
 */
export function applyBody(
  oldLayout: readonly string[],
  fields: readonly string[],
  values: readonly ValueSource[],
  save: boolean | "hoisted" | "checked",
  defined: ReadonlySet<string> = NONE,
): string {
  const read = new Set<number>();
  const expr = (j: number): string => {
    const v = values[j]!;
    if (v.kind === "old") {
      read.add(v.index);
      return `v${v.index}`;
    }
    if (v.kind === "constant") return `C[${j}]`;
    return `comp[cb + ${v.slot}]`;
  };
  const prefix = commonPrefix(oldLayout, fields);
  const writes: string[] = [];
  for (let i = oldLayout.length - 1; i >= prefix; i--)
    writes.push(`delete o${key(oldLayout[i]!)};`);
  for (let j = 0; j < prefix; j++) {
    const v = values[j]!;
    if (v.kind === "old" && v.index === j) continue; // carried in place: nothing to do
    writes.push(
      `{ const x = ${expr(j)}; if (o${key(fields[j]!)} !== x) o${key(fields[j]!)} = x; }`,
    );
  }
  for (let j = prefix; j < fields.length; j++) {
    const k = fields[j]!;
    writes.push(defined.has(k) ? defineFieldSource("o", k, expr(j)) : `o${key(k)} = ${expr(j)};`);
  }
  if (save === "hoisted") {
    const reads = oldLayout.map((k, i) => `v${i} = o${key(k)};`);
    return [...reads, "r = 1;", ...writes].join("\n");
  }
  if (save === "checked") {
    const reads = oldLayout.map((k, i) => `const v${i} = o${key(k)};`);
    const same = oldLayout.map((_, i) => ` && Object.is(v${i}, old[ob + ${i}])`).join("");
    return [...reads, `if (!(same${same})) return i;`, ...writes].join("\n");
  }
  const reads = oldLayout.flatMap((k, i) =>
    save
      ? [`const v${i} = o${key(k)}; old[ob + ${i}] = v${i};`]
      : read.has(i)
        ? [`const v${i} = o${key(k)};`]
        : [],
  );
  return [...reads, ...writes].join("\n");
}

/**
 * The old fields the rewrite writes: those after the common prefix (deleted
 * and added again, to give the new order) and those of the prefix whose
 * value comes from elsewhere (assigned).
 */
export function writtenFields(plan: ClassMigrationPlan, oldLayout: readonly string[]): string[] {
  const prefix = commonPrefix(oldLayout, plan.fields);
  return oldLayout.filter((k, i) => {
    if (i >= prefix) return true;
    const source = plan.sources[i];
    return source?.kind !== "carry" || source.from !== k;
  });
}

/**
 * Statements that keep `same` only if every old field the rewrite writes
 * is a plain data field (writable and configurable). The rewrite deletes
 * a moved field and adds it again with an assignment, which would turn an
 * own accessor into a data field holding the getter's value (its closure's
 * state cut off), a read-only field into a writable one, and fail on a
 * non-configurable one half-way through; the general path keeps such
 * fields as they are, or refuses them with a typed error. One descriptor
 * read per written field (~20 ns), in every pause: what an update() found
 * before its pause (plainAhead.ts) may have been redefined since, and
 * nothing cheaper tells (review advZ23). An update that only adds fields
 * reads none.
 */
export function plainFieldsSource(plan: ClassMigrationPlan, oldLayout: readonly string[]): string {
  // Where migration code runs, the side-effect witness compares every
  // field's value before and after it (sideEffects.ts): a getter that
  // answers a new object each time would look written, and putting it
  // back would call the setter. Such objects take the general path, which
  // compares descriptors.
  const written = plan.needsOldView ? [...oldLayout] : writtenFields(plan, oldLayout);
  if (written.length === 0) return "";
  const checks = written.map(
    (k) =>
      `d = Reflect.getOwnPropertyDescriptor(o, ${JSON.stringify(k)}); same = d !== undefined && d.writable === true && d.configurable === true;`,
  );
  return `if (same) { let d; ${checks.join(" if (same) { ")}${" }".repeat(written.length)}`;
}

/** Whether a for-in over an object on `prototype` sees keys it does not own (then it cannot check a layout). */
function inheritsEnumerable(prototype: object): boolean {
  for (const _ in Object.create(prototype)) return true;
  return false;
}

/**
 * Statements that set `same` to whether `o`'s own enumerable keys are
 * `oldLayout`, in order (L is the layout as an array). A for-in over an
 * object with an enum cache allocates nothing, where Object.keys makes an
 * array per object; it also sees inherited enumerable keys, so a class
 * whose prototype chain has some uses Object.keys.
 */
export function sameKeysSource(plan: ClassMigrationPlan, oldLayout: readonly string[]): string {
  const stride = oldLayout.length;
  if (inheritsEnumerable(plan.prototype)) {
    return `const k = Object.keys(o);
let same = k.length === ${stride}${oldLayout.map((f, i) => ` && k[${i}] === ${JSON.stringify(f)}`).join("")};`;
  }
  return `let n = 0;
for (const x in o) {
if (n === ${stride} || x !== L[n]) { n = -1; break; }
n++;
}
let same = n === ${stride};`;
}

/**
 * Statements that set `same` to whether `o` is on the old layout: exactly
 * the old fields, in order, each one the rewrite writes a plain data field
 * (`plainFieldsSource`), and no unmanaged own state (carriedState.ts) —
 * no non-enumerable property, and, with `symbols`, no symbol-keyed one.
 * User code that reads a frozen copy of the old fields (lazy migrations)
 * needs `symbols`: the copy would not have them, the general path's does.
 * An eager update's user code reads the object itself (computeRange in
 * compiledMigration.ts), symbols included, and the rewrite leaves them
 * alone; the check costs about 45 ns per object (V8 has no fast path for
 * symbols), a quarter of the reshape shape's rewrite.
 */
export function layoutSource(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
  symbols: boolean,
): string {
  const stride = oldLayout.length;
  return `${sameKeysSource(plan, oldLayout)}
same = same && Object.getOwnPropertyNames(o).length === ${stride}${symbols ? " && Object.getOwnPropertySymbols(o).length === 0" : ""};
${plainFieldsSource(plan, oldLayout)}`;
}

/** The old layout as a constant of generated code (`L`). */
export const layoutConstant = (oldLayout: readonly string[]) =>
  `const L = ${JSON.stringify(oldLayout)};`;

/**
 * Source that, for an object `o` on the old layout whose fields read
 * without throwing, saves them at `old[base…]` and runs `then`. A Proxy
 * trap or an own getter that throws sends the object to the general path,
 * which refuses it with a typed error naming the property (ownState.ts)
 * before anything changed.
 */
export function takeSource(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
  base: string | null,
  then: string,
  symbols: boolean,
): string {
  // Without a base the fields are read (a getter may throw) and not saved.
  const reads =
    base === null
      ? oldLayout.map((k) => `void o${key(k)};`)
      : [`const ob = ${base};`, ...oldLayout.map((k, i) => `old[ob + ${i}] = o${key(k)};`)];
  return `{
let taken = false;
try {
${layoutSource(plan, oldLayout, symbols)}
if (same) {
${reads.join(" ")}
taken = true;
}
} catch {}
if (taken) ${then}
}`;
}

/**
 * The source of an eager update's first pass (`CompiledPlan.scan`): `base`
 * is where object i's old values go (null: read, not saved; undefined: no
 * object takes the compiled path). Where a read the engine makes of an
 * object throws (a Proxy's trap), `-1 - r` is pushed onto `general` before
 * the error goes on, r being the object's position in `objects` (which the
 * scan has not moved): the phase names the object (phases/prepare.ts). One
 * guard around the loop, not one per object.
 */
export function scanSource(
  plan: ClassMigrationPlan,
  oldLayout: readonly string[],
  base: string | null | undefined,
  /**
   * false: objects that cannot be extended are not looked for (a rewrite
   * that only adds fields throws on them instead, before it changes them:
   * compiledLean.ts `scanAddsOnly`).
   */
  checkExtensible = true,
  /**
   * The objects were found plain before the pause (plainAhead.ts): symbols
   * are not looked for again. One the program added since only costs its
   * object V8's fast mode (trailingSymbols.ts), where a field redefined since
   * would be rewritten wrongly: the written fields are read every time.
   */
  knownPlain = false,
): string {
  const take =
    base === undefined
      ? ""
      : takeSource(plan, oldLayout, base, "{ i++; continue; }", plan.symbolsMove && !knownPlain);
  // The `in` only gives V8 the object's hidden class (its result is not
  // used): the prototype check after it then folds to a comparison of that
  // class (about 1 ns) instead of a call to the builtin (about 10 ns, a
  // quarter of the scan of an object). Like the other reads of the scan,
  // it runs no code but a Proxy's trap.
  const probe = JSON.stringify(oldLayout[0] ?? "constructor");
  return `"use strict"; ${layoutConstant(oldLayout)}
return function scan(objects, old, general, prototype) {
const n = objects.length;
let i = 0;
let r = 0;
try {
for (; r < n; r++) {
const o = objects[r];
if (prototype !== null) {
void (${probe} in o);
if (Object.getPrototypeOf(o) !== prototype) continue;
}
if (i !== r) objects[i] = o; // compacts past objects moved off the class
${checkExtensible ? "if (!Object.isExtensible(o)) return i;" : ""}
${take}
general.push(i);
i++;
}
} catch (error) {
general.push(-1 - r);
throw error;
}
objects.length = i;
return -1;
};`;
}
