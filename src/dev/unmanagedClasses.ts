/**
 * Classes metamorph does not manage (they extend a class it cannot manage,
 * such as a package's class): a reload replaces their methods and accessors in
 * place; their fields and existing objects stay as they are.
 *
 * Their static values: one a class reads itself when it is used takes its
 * new value, as a managed class's edited static initialiser does. A class
 * extending a package's class is another matter: the package may have read
 * the static once for the class — Lit's LitElement reads `styles` and
 * `properties` when it finalises the class — so the new value, put on the
 * class, changes nothing, and the page said `updated methods of MyCounter`
 * all the same (review advZ16 2). Such an edit is told apart
 * (`staticsReadOnce`): only a reload applies it.
 */
import { isClassHandle, isNativeClass } from "../mop/classHandle.js";
import { readClassSource } from "../mop/source/parse.js";

/** The version whose static values each unmanaged class holds since its last edit (the class itself before). */
const lastApplied = new WeakMap<Function, Function>();
/**
 * The static accessors of each class extending a package's class as they
 * were before any edit: what the package read. Edits replace them on the
 * class, but not what the package made of them.
 */
const readAccessors = new WeakMap<Function, ReadonlyMap<string, string>>();

/**
 * Replaces methods and accessors (instance and static) of an unmanaged class
 * with those of its new version, and, for a class extending no package's
 * class, the static values the new version changes, adds or removes (by
 * their initialiser as written). Returns those, as `static x`.
 */
export function transplantMethods(from: Function, to: Function): readonly string[] {
  const copy = (source: object, target: object, skip: ReadonlySet<PropertyKey>) => {
    for (const key of Reflect.ownKeys(source)) {
      if (skip.has(key)) continue;
      const d = Reflect.getOwnPropertyDescriptor(source, key)!;
      if ("value" in d && typeof d.value !== "function") continue;
      Object.defineProperty(target, key, d);
    }
  };
  const plain = packageSuperclass(to) === null;
  if (!plain) accessorsRead(to);
  const values = plain ? staticValueChanges(from, lastApplied.get(to) ?? to) : [];
  copy(from.prototype as object, to.prototype as object, new Set(["constructor"]));
  copy(from, to, new Set(["length", "name", "prototype"]));
  for (const name of values) {
    const d = Reflect.getOwnPropertyDescriptor(from, name);
    if (d === undefined) Reflect.deleteProperty(to, name);
    else Object.defineProperty(to, name, d);
  }
  if (plain) lastApplied.set(to, from);
  return values.map((name) => `static ${name}`);
}

/**
 * What an edit (`from`, the new version of the unmanaged class `to`) changes
 * that the package class `to` extends may have read once for it: its static
 * values and static accessors (`styles`, `static get properties()`), with
 * that class's name; undefined when it changes none, or extends no
 * package's class (transplantMethods applies its static values).
 */
export function staticsReadOnce(
  from: Function,
  to: Function,
): { readonly statics: readonly string[]; readonly readBy: string } | undefined {
  const readBy = packageSuperclass(to);
  if (readBy === null) return undefined;
  const read = accessorsRead(to);
  const keys = new Set([
    ...Reflect.ownKeys(from).filter((key): key is string => typeof key === "string"),
    ...read.keys(),
  ]);
  const accessors = [...keys].filter((key) => {
    const [now, before] = [accessorText(from, key), read.get(key)];
    return now !== before && !rewritten(now) && !rewritten(before);
  });
  // Compared with the class itself: the package read its values, none since.
  const statics = [...staticValueChanges(from, to), ...accessors];
  return statics.length === 0
    ? undefined
    : { statics: statics.map((name) => `static ${name}`), readBy: readBy.name || "(anonymous)" };
}

/**
 * The first class above `cls` that metamorph neither manages nor knows as
 * the platform's (a package's class: LitElement), or null.
 */
function packageSuperclass(cls: Function): Function | null {
  for (
    let c = Object.getPrototypeOf(cls) as unknown;
    typeof c === "function" && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    if (!isClassHandle(c) && !isNativeClass(c)) return c;
  }
  return null;
}

/**
 * The static fields declared in the class body that `from` changes, adds or
 * removes since the version `base`: compared by their initialiser as
 * written. Those the package's code set on the class (Lit's `elementStyles`)
 * are no version's. None when either class cannot be read: they stay as
 * they were.
 */
function staticValueChanges(from: Function, base: Function): string[] {
  let before: ReadonlyMap<string, string | undefined>;
  let after: ReadonlyMap<string, string | undefined>;
  try {
    before = declaredStatics(base);
    after = declaredStatics(from);
  } catch {
    return [];
  }
  return [
    ...[...after].filter(([name, init]) => !before.has(name) || before.get(name) !== init),
    ...[...before].filter(([name]) => !after.has(name)),
  ]
    .map(([name]) => name)
    .filter((name) => !rewritten(after.get(name)) && !rewritten(before.get(name)));
}

function declaredStatics(cls: Function): ReadonlyMap<string, string | undefined> {
  return new Map(readClassSource(cls).staticFields.map((f) => [f.name, f.initializer] as const));
}

/**
 * An initialiser `metamorph dev` rewrote to evaluate it in its module's
 * scope (src/dev/scopeEvaluate.ts), or kept from running (keptStatics.ts):
 * not comparable as written, and a kept one has no value to put on the
 * class. Left as it was.
 */
const rewritten = (initializer: string | undefined): boolean =>
  initializer?.includes("__metamorph$") === true;

function accessorsRead(cls: Function): ReadonlyMap<string, string> {
  let read = readAccessors.get(cls);
  if (read === undefined) {
    read = new Map(
      Reflect.ownKeys(cls).flatMap((key) => {
        const text = typeof key === "string" ? accessorText(cls, key) : undefined;
        return text === undefined ? [] : [[key as string, text] as const];
      }),
    );
    readAccessors.set(cls, read);
  }
  return read;
}

function accessorText(cls: Function, key: string): string | undefined {
  const d = Reflect.getOwnPropertyDescriptor(cls, key);
  if (d === undefined || "value" in d) return undefined;
  const text = (f: Function | undefined) => (f ? Function.prototype.toString.call(f) : "");
  return `${text(d.get)}\n${text(d.set)}`;
}

/** The warning of an edit of an unmanaged class: what it replaced, and what it did not do. */
export function unmanagedWarning(name: string, reason: string, statics: readonly string[]): string {
  const replaced =
    statics.length === 0 ? "its methods were" : `its methods and ${statics.join(", ")} were`;
  return `class ${name} is not managed (${reason}): ${replaced} replaced, its fields and existing objects were not migrated`;
}

/** Why an edit staticsReadOnce found takes a reload (a restart under `metamorph dev`). */
export function readOnceReason(
  name: string,
  { statics, readBy }: NonNullable<ReturnType<typeof staticsReadOnce>>,
): string {
  return `class ${name} is not managed, and the edit changes its ${statics.join(", ")}, which ${readBy}, a class metamorph does not manage, may have read once for the class: putting the new value on the class would not apply it`;
}
