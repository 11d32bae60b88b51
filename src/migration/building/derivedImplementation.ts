/**
 * New versions of ordinary classes (classes the program wrote, registered
 * with `registerClass`) for patches that do not hand in a new implementation:
 * `addField`, `removeField`, `renameField`, `reorderFields`, method changes.
 * A version generated from the definition alone would lose the program's
 * constructor (its parameters, its conditional fields, its side effects), so
 * the new version is derived from the running one instead:
 *  - construction runs the running version's constructor (on the stable
 *    prototype, so `instanceof` the handle holds), then makes the class's own
 *    field change on the fresh object: an added field gets its initial value
 *    (the `default`; `undefined` without one), a removed field is deleted, a
 *    renamed one moved, in the new field order;
 *  - methods and accessors the patch does not change are the running ones
 *    (their closures — a module's imports — intact); the ones it adds or
 *    changes are compiled from their source, as for any class; statics
 *    likewise;
 *  - the name is kept; no subclass of the running version is made (its
 *    prototype chain and statics stay those of the class).
 * Only a class whose own fields change this way is derived: moving fields
 * between classes and superclass changes still need a new implementation
 * (`replaceImplementation`).
 */
import { noteNotInstance } from "../../mop/instances/finder.js";
import type { ClassDefinition, MethodDefinition } from "../../mop/classDefinition.js";
import { propertyToMemberKey } from "../../mop/classDefinition.js";
import { currentVersion, stablePrototype, stateOf } from "../../mop/classHandle.js";
import { DERIVED_FROM, noteBuildsAsBase } from "../../mop/derivedFrom.js";
import type { Constructor } from "../../mop/createClass.js";
import {
  bindClassName,
  createClass,
  defineStaticFields,
  INITIALISE_FIELDS,
  METHOD_HOME,
} from "../../mop/createClass.js";
import { isMethodSyntax } from "../../mop/readClassDefinition.js";
import { isSharedStatic, shareStatic } from "../../mop/sharedStatics.js";
import { newTargetFor } from "../../mop/stableClass.js";
import { checkWrittenData, checkWrittenStatics } from "../../mop/writtenStatics.js";
import { compileDerivedConstructor } from "./derivedConstructor.js";
import { compileReshape, type DerivedField } from "./freshReshape.js";

/** What a derived version needs to know about the class. */
export interface Derivation {
  /** The class handle whose version is derived. */
  readonly handle: Constructor;
  /** The superclass handle of the new version (unchanged), or null. */
  readonly superclass: Constructor | null;
  readonly scope: Readonly<Record<string, unknown>>;
  /** The running version's definition. */
  readonly old: ClassDefinition;
  readonly definition: ClassDefinition;
  /** Every field of the running version, inherited first. */
  readonly oldLayout: readonly string[];
  /** Every field of the new version, inherited first. */
  readonly layout: readonly DerivedField[];
  /** Where each static the patch touches takes its value from (staticFieldOperations.ts). */
  readonly staticOrigins?: ReadonlyMap<string, string | null>;
}

/**
 * Whether the new definition lists the members of one key (`wanted`, a
 * definition's member key as JSON; of one kind, when `kind` is given: one
 * half of an accessor pair) as the running one has them: the running
 * members stay.
 */
function keptAsIs(
  { old, definition }: Pick<Derivation, "old" | "definition">,
  isStatic: boolean,
  wanted: string,
  kind?: MethodDefinition["kind"],
): boolean {
  const listed = signatureOf(definition.methods, isStatic, wanted, kind);
  return listed !== "" && listed === signatureOf(old.methods, isStatic, wanted, kind);
}

const memberJson = (key: PropertyKey) => JSON.stringify(propertyToMemberKey(key));

/** The members of one key as a comparable text; of one kind only, when `kind` is given. */
function signatureOf(
  methods: readonly MethodDefinition[],
  isStatic: boolean,
  wanted: string,
  kind?: MethodDefinition["kind"],
) {
  return methods
    .filter(
      (m) =>
        m.static === isStatic &&
        JSON.stringify(m.key) === wanted &&
        (kind === undefined || m.kind === kind),
    )
    .map((m) => `${m.kind}:${m.source}`)
    .sort()
    .join("\n");
}

/**
 * Defines on `target` every method and accessor `compiled` has (the new
 * definition's): the running one where the patch left that member as it was,
 * else the compiled one.
 */
function mergeMembers(
  target: object,
  running: object,
  compiled: object,
  derivation: Derivation,
  isStatic: boolean,
): void {
  for (const key of Reflect.ownKeys(compiled)) {
    if (SKIPPED.has(key) || key === "constructor") continue;
    const fresh = Reflect.getOwnPropertyDescriptor(compiled, key)!;
    if ("value" in fresh && typeof fresh.value !== "function") continue;
    const kept = Reflect.getOwnPropertyDescriptor(running, key);
    const wanted = memberJson(key);
    const same = kept !== undefined && keptAsIs(derivation, isStatic, wanted);
    const merged = same
      ? kept
      : withKeptHalf(fresh, kept, (kind) => keptAsIs(derivation, isStatic, wanted, kind));
    Object.defineProperty(target, key, merged);
  }
  // A member the definition lists, unchanged, that the compiled class lacks
  // (a method assigned to the prototype after the class body: its text is a
  // function expression, no method): the running one stays, as it was.
  for (const key of Reflect.ownKeys(running)) {
    if (SKIPPED.has(key) || key === "constructor" || Object.hasOwn(target, key)) continue;
    if (keptAsIs(derivation, isStatic, memberJson(key)))
      Object.defineProperty(target, key, Reflect.getOwnPropertyDescriptor(running, key)!);
  }
}

/**
 * An accessor of which the patch changed one half: the other, unchanged, is
 * the running one (only the changed half was compiled: a setter writing
 * `this.#c` does not compile outside its class).
 */
function withKeptHalf(
  fresh: PropertyDescriptor,
  kept: PropertyDescriptor | undefined,
  halfKept: (kind: "get" | "set") => boolean,
): PropertyDescriptor {
  if ("value" in fresh || kept === undefined || "value" in kept) return fresh;
  const unchanged = (kind: "get" | "set") => fresh[kind] === undefined && halfKept(kind);
  return {
    ...fresh,
    get: unchanged("get") ? kept.get : fresh.get,
    set: unchanged("set") ? kept.set : fresh.set,
  };
}

/**
 * Static data of the running version (its values carry over as
 * installVersion does). Where `shared` is the class the program wrote that
 * the running version is, the statics the patch leaves alone stay there
 * (sharedStatics.ts): its objects answer it as their `constructor`.
 */
function copyStaticData(
  target: Function,
  running: Function,
  fields: ReadonlySet<PropertyKey>,
  shared: { readonly written: Function; readonly touched: ReadonlySet<PropertyKey> } | null,
): void {
  for (const key of Reflect.ownKeys(running)) {
    if (SKIPPED.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(running, key)!;
    if (isSharedStatic(d)) Object.defineProperty(target, key, d);
    // A function is a static method (merged below), unless the definition
    // lists it as a field: a class held there (tar's `Pack.Sync = PackSync`).
    if (!("value" in d) || (typeof d.value === "function" && !fields.has(key))) continue;
    if (shared !== null && running === shared.written && !shared.touched.has(key))
      shareStatic(target, running, key, d.enumerable === true);
    else Object.defineProperty(target, key, d);
  }
}

/** The class whose untouched statics a derived version shares (copyStaticData), or null. */
function sharedWith(derivation: Derivation, written: Function) {
  if (!stateOf(derivation.handle).implementationConstructor) return null;
  return { written, touched: new Set<PropertyKey>(derivation.staticOrigins?.keys()) };
}

/**
 * The static field operations of the patch, on the derived version: a
 * static it removes (or renames away) goes, one it adds or re-initialises
 * takes its initialiser's value, one it renames gets a place that
 * installing the version fills with the old value (namespace/staticValues.ts).
 * They were all silently dropped: the derived version carried the running
 * statics as they were (review advY4).
 */
function applyStaticPlan(ctor: Function, derivation: Derivation, written: Function): void {
  const { old, definition, staticOrigins } = derivation;
  // They go on the class the program wrote at the commit: a frozen one refuses now.
  checkWrittenData(stateOf(derivation.handle), written, staticOrigins?.keys() ?? []);
  const now = new Set(definition.staticFields.map((f) => f.name));
  const target = ctor as unknown as Record<string, unknown>;
  for (const { name } of old.staticFields) if (!now.has(name)) Reflect.deleteProperty(ctor, name);
  if (staticOrigins === undefined) return;
  const fresh = definition.staticFields.filter((f) => staticOrigins.get(f.name) === null);
  for (const { name } of definition.staticFields) {
    const origin = staticOrigins.get(name);
    if (typeof origin === "string" && !Object.hasOwn(ctor, name)) target[name] = undefined;
  }
  defineStaticFields(ctor, definition, fresh, derivation.scope);
}

const SKIPPED: ReadonlySet<PropertyKey> = new Set([
  "length",
  "name",
  "prototype",
  METHOD_HOME,
  INITIALISE_FIELDS,
]);

/**
 * How each derived version builds: the version that is no derived one (the
 * class the program wrote), the layout its fresh objects have, and the
 * derived version's layout from it.
 */
interface Lineage {
  readonly base: Constructor;
  readonly baseLayout: readonly string[];
  readonly layout: readonly DerivedField[];
}
const lineages = new WeakMap<Function, Lineage>();

/**
 * The new version builds with the class the program wrote and makes the
 * whole field change from its objects at once, whatever the number of
 * field patches since. Built by the running version, which was built by
 * the one before, each update nested one more constructor and field change
 * into every `new`, and kept every version alive after `makePermanent()`:
 * after 100 updates a construction cost 1,500× a plain one (review advZ3).
 * The field changes compose by name: a field of the running version is
 * where the base's object has it (or starts fresh) under its new name.
 */
function lineageOf(running: Constructor, derivation: Derivation): Lineage {
  const before = lineages.get(running);
  if (before === undefined)
    return { base: running, baseLayout: derivation.oldLayout, layout: derivation.layout };
  const origin = new Map(before.layout.map((f) => [f.name, f]));
  const layout = derivation.layout.map((field): DerivedField => {
    const from = field.from === null ? undefined : origin.get(field.from);
    if (from === undefined) return field;
    const initializer = from.initializer ?? field.initializer;
    return {
      name: field.name,
      from: from.from,
      ...(initializer === undefined ? {} : { initializer }),
    };
  });
  return { base: before.base, baseLayout: before.baseLayout, layout };
}

/** The derived version constructor of an ordinary class (see the module comment). */
export function deriveImplementation(derivation: Derivation): Constructor {
  const { handle, definition } = derivation;
  const running = currentVersion(handle).ctor as unknown as Record<PropertyKey, unknown>;
  const lineage = lineageOf(running as unknown as Constructor, derivation);
  const prototype = stablePrototype(handle);
  // Every member as the definition has it, compiled as createClass does; only
  // the ones the patch changed are used. Not the static initialisers: static
  // data comes from the running version (copyStaticData), and evaluating them
  // again would run the program's code for nothing — `static DEFAULT = new
  // Config("a")` calls the class with its own arguments, which a generated
  // constructor reads as a fields object.
  // Members whose text cannot stand in a class body (a function expression,
  // an arrow, a generator or a shared function put on the prototype after
  // the class body) are not compiled: mergeMembers keeps the running ones.
  // Nor the members the patch leaves as they are (the running ones stay):
  // compiled outside their class, a method reading a private field (`get
  // celsius() { return this.#c }`) does not compile, and refused every
  // methods patch of a class with `#` fields (review advX4).
  const methods = definition.methods.filter(
    (m) =>
      isMethodSyntax(m.source) && !keptAsIs(derivation, m.static, JSON.stringify(m.key), m.kind),
  );
  const compiled = createClass(
    { ...definition, methods, staticFields: [] },
    {
      superclass: derivation.superclass,
      scope: derivation.scope,
      prototype,
    },
  ) as unknown as Record<PropertyKey, unknown>;
  // Its members' code names the class: the handle, as everywhere the program runs.
  bindClassName(compiled as unknown as Function, derivation.handle);
  // The field change a fresh object of the running version needs: the whole
  // layout, inherited fields too (an ordinary subclass's `super()` calls its
  // superclass's own, old constructor, unless it extends the handle — then
  // those fields are already new and stay).
  const reshape = compileReshape(
    lineage.baseLayout,
    lineage.layout,
    definition.name,
    derivation.scope ?? {},
  );
  const name = definition.name;
  const ctor = compileDerivedConstructor(
    lineage.base,
    prototype,
    reshape,
    name,
    newTargetFor(stateOf(derivation.handle).stableClass, lineage.base),
  ) as Function & { prototype: object };
  lineages.set(ctor, lineage);
  if (reshape === null) noteBuildsAsBase(ctor);
  Object.defineProperty(ctor, "name", { value: name, configurable: true });
  ctor.prototype = prototype;
  const runningHome = (running[METHOD_HOME] ?? running.prototype) as object;
  const home = Object.create(Object.getPrototypeOf(runningHome) as object | null) as object;
  // On the superclass's chain with no `constructor`: a finder would count it as an instance.
  noteNotInstance(home);
  mergeMembers(home, runningHome, compiled[METHOD_HOME] as object, derivation, false);
  copyStaticData(
    ctor,
    running as unknown as Function,
    new Set(definition.staticFields.map((f) => f.name)),
    sharedWith(derivation, lineage.base),
  );
  mergeMembers(ctor, running, compiled, derivation, true);
  // After the static methods: an initialiser may call one (`this.base() + 1`).
  applyStaticPlan(ctor, derivation, lineage.base);
  Object.defineProperty(ctor, METHOD_HOME, {
    value: home,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(ctor, DERIVED_FROM, { value: lineage.base });
  Object.setPrototypeOf(ctor, Object.getPrototypeOf(running));
  // Its static members go on the class the program wrote at the commit: one it froze refuses now.
  checkWrittenStatics(stateOf(handle), ctor, lineage.base);
  return ctor as unknown as Constructor;
}
