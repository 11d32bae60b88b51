/**
 * The migration plan of one class: for every field of its new version
 * (inherited first), where the value of a migrated object comes from — the
 * old field it carries (through renames), an initialiser, a default, a split
 * — and what a rollback needs to go back. Computed once per class, before
 * any object is looked at.
 */
import { unseenFields } from "./unseenFields.js";
import { capturesThis } from "./thisCapture.js";
import { InvalidPatchError } from "../errors.js";
import type { ClassDefinition, FieldDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition, stablePrototype } from "../mop/classHandle.js";
import type { Constructor } from "../mop/createClass.js";
import { createdDefinition } from "../mop/createClass.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import type { Shadow } from "../namespace/shadow.js";
import type { BuildResult, ClassBuild } from "./build.js";
import { ancestry, fieldChain } from "./changes.js";
import { boundMethodName } from "../mop/boundMethod.js";
import { codeFields } from "./codeFields.js";
import { trailingSymbolsMove } from "./trailingSymbols.js";
import { copyPrototype } from "./copyPrototype.js";
import { methodsBecomingState } from "./methodsBecomingState.js";
import type { ClassMigrationPlan, FieldSource } from "./instanceMigration.js";
import { rewriteFields } from "./instanceMigration.js";
import type { OldView } from "../patch/operations.js";
import type { CompiledPlan } from "./compiledMigration.js";
import { compilePlan, constantDefault, defaultReadsThis } from "./compiledMigration.js";

export interface Plan extends ClassMigrationPlan {
  readonly handle: Constructor;
  /** Old field name → new field name, for reverse migration. */
  readonly reverse: ReadonlyMap<string, string>;
  /** Old field name → the new field holding the object a split moved it into (and its name there). */
  readonly reverseSplit: ReadonlyMap<string, { readonly via: string; readonly to: string }>;
  readonly oldDefaults: ReadonlyMap<string, (this: object) => unknown>;
  /** Old fields whose initial value is code in both versions (codeFields.ts). */
  readonly codeFields: ReadonlyMap<string, (value: unknown) => boolean>;
  readonly oldFields: readonly string[];
  /** The plan as code, for objects on the old layout (compiledMigration.ts). */
  readonly compiled: CompiledPlan;
}

export function compileDefault(
  source: string,
  where: string,
  /** What the class's own code sees besides globals (`defineClass`'s `scope`). */
  scope: Readonly<Record<string, unknown>> = {},
): (this: object) => unknown {
  const names = Object.keys(scope).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  try {
    return new Function(...names, `"use strict"; return function () { return (${source}); };`)(
      ...names.map((n) => scope[n]),
    ) as (this: object) => unknown;
  } catch (error) {
    throw new InvalidPatchError(
      `${where}: the default "${source}" does not compile: ${(error as Error).message}`,
      {
        where,
      },
    );
  }
}

/** Compiled default initialisers of every field of `name` in `defs`, inherited included. */
function defaultsOf(
  name: string,
  defs: ReadonlyMap<string, ClassDefinition>,
  scopeOf: (className: string) => Readonly<Record<string, unknown>>,
): Map<string, (this: object) => unknown> {
  const out = new Map<string, (this: object) => unknown>();
  for (const c of ancestry(name, defs)) {
    const definition = defs.get(c)!;
    // An initialiser reading its module (i18next's `this.rules = createRules()`)
    // cannot run here: a rollback threw a bare ReferenceError half-way for
    // every object made since the commit, and could never complete.
    // Only a class the user wrote can read a module: a generated version
    // compiles from its definition (and parsing each would cost every update).
    const ctor = constructorOfDefinition(definition);
    const moduleBound =
      ctor !== undefined && createdDefinition(ctor) === undefined
        ? readableClassSource(ctor)?.moduleBoundFields
        : undefined;
    for (const f of definition.fields) {
      if (f.initializer !== undefined && !moduleBound?.includes(f.name))
        out.set(f.name, compileDefault(f.initializer, `${c}.${f.name}`, scopeOf(c)));
    }
  }
  return out;
}

/** How each field of class `name`'s new version gets its value. */
export function migrationPlan(
  name: string,
  build: BuildResult,
  defs: ReadonlyMap<string, ClassDefinition>,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  shadow: Shadow,
): Plan {
  const handle = shadow.classNamed(name);
  const chain = ancestry(name, defs).reverse();
  const fields: string[] = [];
  const sources: FieldSource[] = [];
  const reverse = new Map<string, string>();
  const reverseSplit = new Map<string, { via: string; to: string }>();
  const oldName = build.classes.get(name)!.oldName!;
  const oldFields = withoutUnseen(fieldChain(oldName, oldDefs), chain, build).map(interned);
  const oldSet = new Set(oldFields);
  // A migrator may set what no initial value can (migrationPlan.ts moduleBoundValue).
  const migrated = chain.some((c) => build.classes.get(c)!.migrators.length > 0);
  for (const className of chain) {
    const owner = build.classes.get(className)!;
    for (const split of owner.splits) {
      for (const moved of split.fields) {
        if (moved.from !== null) reverseSplit.set(moved.from, { via: split.via, to: moved.to });
      }
    }
    for (const field of owner.definition.fields) {
      const source = fieldSource(className, owner, field, defs, shadow, oldSet, migrated, name);
      fields.push(interned(field.name));
      sources.push(source);
      if (source.kind === "carry") reverse.set(source.from, field.name);
    }
  }
  const migrators = chain.flatMap((c) => build.classes.get(c)!.migrators);
  // Validations (and the removed-class check) inspect the new state as copies.
  const validated =
    build.namespaceValidations.length + build.instanceValidations.length + build.removed.length > 0;
  const needsCopy = migrators.length > 0 || validated || sources.some(usesThis);
  const prototype = stablePrototype(handle);
  const plan = {
    className: name,
    handle,
    prototype,
    copyPrototype: needsCopy ? copyPrototype([...chain].reverse(), shadow) : prototype,
    unseen: unseenFields(chain.map((c) => build.classes.get(c)!.definition)),
    stateFromMethods: chain.flatMap((c) =>
      build.classes.get(c)!.oldName === null
        ? []
        : methodsBecomingState(c, build, oldDefs).unvalued,
    ),
    fields,
    fieldSet: new Set(fields),
    known: new Set([...oldFields, ...fields]),
    sources,
    migrators,
    needsOldView: migrators.length > 0 || sources.some(userCode),
    needsCopy,
    symbolsMove: trailingSymbolsMove(
      oldFields,
      fields,
      ancestry(oldName, oldDefs).map((c) => oldDefs.get(c)),
      prototype,
    ),
    reverse,
    reverseSplit,
    oldDefaults: defaultsOf(oldName, oldDefs, (old) =>
      shadow.scopeOf([...build.classes].find(([, b]) => b.oldName === old)?.[0] ?? old),
    ),
    codeFields: codeFields(oldName, name, oldDefs, defs, reverse),
    oldFields,
  };
  return { ...plan, compiled: compilePlan(plan, plan.oldFields) };
}

/**
 * The old layout less the old fields the new layout lacks but the new
 * version may still hold unseen (unseenFields.ts): left out of the layout,
 * such a field is state no layout names, carried over unchanged
 * (carriedState.ts), as the update's warning says.
 */
/**
 * The property key V8 uses for `name`. A name a patch computed
 * (`["x", 0].join("")`) is a string V8 has not internalized, and a delete
 * by such a key misses V8's in-place delete of the last property: the
 * warm-up before the pause (phases/ahead.ts) left the objects it ran on in
 * dictionary mode, 10–18× slower to read, rollback included (review advY3).
 */
function interned(name: string): string {
  return Object.keys({ [name]: 0 })[0]!;
}

function withoutUnseen(
  oldFields: readonly string[],
  chain: readonly string[],
  build: BuildResult,
): string[] {
  const builds = chain.map((c) => build.classes.get(c)!);
  // Only a class handed in (a release) may set a field its reader cannot
  // see; a version the build makes from the running one (renameField,
  // removeField on a registered class) drops exactly what the patch says,
  // and an old field a patch renames is the new field's, wherever it is
  // set: kept as unseen state, a rename left the old field beside the new.
  if (!builds.some((b) => b.implementation !== undefined && !b.implementationDerived)) {
    return [...oldFields];
  }
  const definitions = builds.map((b) => b.definition);
  const unseen = unseenFields(definitions);
  if (!unseen.any && unseen.names.size === 0) return [...oldFields];
  const newFields = new Set(definitions.flatMap((d) => d.fields.map((f) => f.name)));
  const renamed = new Set(builds.flatMap((b) => [...b.fieldOrigins.values()]));
  return oldFields.filter(
    (f) => newFields.has(f) || renamed.has(f) || !(unseen.any || unseen.names.has(f)),
  );
}

const userCode = (x: FieldSource): boolean =>
  x.kind === "initial" || x.kind === "split" || (x.kind === "carry" && userCode(x.otherwise));
const usesThis = (x: FieldSource): boolean =>
  (x.kind === "default" && x.readsThis) || (x.kind === "carry" && usesThis(x.otherwise));

/** Where field `field` of class `className` (declared by `owner`) takes its value from. */
function fieldSource(
  className: string,
  owner: ClassBuild,
  field: FieldDefinition,
  defs: ReadonlyMap<string, ClassDefinition>,
  shadow: Shadow,
  oldFields: ReadonlySet<string>,
  migrated: boolean,
  /** The class of the objects migrating (`className`'s subclass, or itself). */
  objectClass: string,
): FieldSource {
  let origin = owner.fieldOrigins.has(field.name)
    ? owner.fieldOrigins.get(field.name)!
    : field.name;
  // A new field named like an own property the old definition did not know
  // (one its constructor set conditionally, say) is that property revealed:
  // an object that has it keeps its value (carriedState.ts).
  if (origin === null && !oldFields.has(field.name)) origin = field.name;
  // A new implementation that declares a field its old superclass held (a
  // release making a subclass standalone) keeps the objects' value of it:
  // nothing but the name links the two versions' fields.
  if (origin === null && owner.implementation !== undefined && !owner.implementationDerived)
    origin = field.name;
  // A split moves fields out of objects that have them: an instance of a
  // class that arrives under the split class in the same update (a
  // superclass change) never had them, and gets the field's default, as it
  // would applying the split and then the move one after the other.
  const split = owner.splits.find(
    (s) => s.via === field.name && s.fields.some((f) => f.from !== null && oldFields.has(f.from)),
  );
  const initial = owner.initialisers.get(field.name);
  let fallback: FieldSource = { kind: "none" };
  if (split) fallback = { kind: "split", make: splitMaker(split, defs, shadow) };
  else if (initial) fallback = { kind: "initial", fn: initial };
  else if (boundOwnMethod(objectClass, owner, field, defs, shadow) !== undefined) {
    // `this.m = this.m.bind(this)` (zod's constructor) for an object that
    // lacks it (a field the release adds): the new version's method bound to
    // the object. Evaluated on the object during the rewrite, `this.m` would
    // still be the running version's, or none (every object failed). An
    // object that has it keeps its own (carried; the program may have set it).
    const method = boundOwnMethod(objectClass, owner, field, defs, shadow)!;
    fallback = {
      kind: "default",
      fn(this: object) {
        return method.bind(this);
      },
      readsThis: true,
      capturesThis: true,
    };
  } else if (field.initializer !== undefined) {
    const constant = constantDefault(field.initializer);
    const readsThis = defaultReadsThis(field.initializer);
    fallback = {
      kind: "default",
      fn: compileDefault(
        field.initializer,
        `${className}.${field.name}`,
        shadow.scopeOf(owner.definition.name),
      ),
      readsThis,
      capturesThis: readsThis && capturesThis(field.initializer),
      ...(constant ? { constant } : {}),
    };
  } else if (!migrated && owner.moduleBound?.includes(field.name))
    fallback = { kind: "initial", fn: moduleBoundValue(className, field.name) };
  if (origin !== null && !initial && !split)
    return { kind: "carry", from: origin, otherwise: fallback };
  return fallback;
}

/**
 * The value of a field whose initial value reads the new implementation's
 * module, for an old object that does not have it: none can be computed
 * here. phases/detect.ts refuses such a field up front where no object can
 * have it; where the old version may have set it (conditionally), objects
 * that have it keep it, and the first one without it fails the update
 * (before the commit when eager; lazy and progressive roll back then).
 */
function moduleBoundValue(className: string, field: string): () => never {
  return () => {
    throw new InvalidPatchError(
      `the new implementation of ${className} gives field "${field}" an initial value that reads its own module's scope, and this object of the running version does not have the field (its constructor sets it only sometimes), so no value can be computed for it here; give the patch a migrator for ${className} that sets it (migrate("${className}", (old, target) => { target.${field} ??= … })), or pass { sameScope: true } if the new class was evaluated in the running version's module scope`,
      { className, field },
    );
  };
}

/**
 * The new implementation's method `m` a field initialised `this.m.bind(this)`
 * (named `m`) binds for objects of `className`, if any; where a class
 * between them and the field's owner has its own `m`, that one (a
 * subclass's override is what `this.m` reads on its objects).
 */
function boundOwnMethod(
  className: string,
  owner: ClassBuild,
  field: FieldDefinition,
  defs: ReadonlyMap<string, ClassDefinition>,
  shadow: Shadow,
): Function | undefined {
  const implementation = owner.implementation;
  if (implementation === undefined || owner.implementationDerived) return undefined;
  if (boundMethodName(field.initializer) !== field.name) return undefined;
  for (let d = defs.get(className); d !== undefined && d !== owner.definition; ) {
    if (d.methods.some((m) => !m.static && m.key === field.name)) {
      // That class's own method, as installed now (the patch leaves it be).
      const home = (shadow.classNamed(d.name) as Function).prototype as object;
      const own = Reflect.getOwnPropertyDescriptor(home, field.name)?.value as unknown;
      return typeof own === "function" ? own : undefined;
    }
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  for (
    let p = implementation.prototype as object | null;
    p !== null;
    p = Object.getPrototypeOf(p)
  ) {
    const d = Reflect.getOwnPropertyDescriptor(p, field.name);
    if (d !== undefined) return typeof d.value === "function" ? d.value : undefined;
  }
  return undefined;
}

/** Builds the object that holds the fields a split moved out of an old object. */
function splitMaker(
  split: ClassBuild["splits"][number],
  defs: ReadonlyMap<string, ClassDefinition>,
  shadow: Shadow,
): (old: OldView) => object {
  const into = shadow.classNamed(split.into);
  const layout = fieldChain(split.into, defs);
  const defaults = defaultsOf(split.into, defs, (c) => shadow.scopeOf(c));
  return (old: OldView) => {
    const init: Record<string, unknown> = Object.fromEntries(
      split.fields.flatMap(({ to, from }) =>
        from !== null && Object.hasOwn(old, from) ? [[to, old[from]]] : [],
      ),
    );
    const child = new (into as new (init: object) => object)(init);
    // Built before the commit, the child's superclasses initialise it
    // with their live versions; a superclass this patch changes would
    // leave it the old fields, so it gets the new world's layout.
    const keys = Object.keys(child);
    if (keys.length !== layout.length || keys.some((k, i) => k !== layout[i])) {
      const current = child as Record<string, unknown>;
      const values = layout.map((f) =>
        Object.hasOwn(init, f)
          ? init[f]
          : Object.hasOwn(current, f)
            ? current[f]
            : defaults.get(f)?.call(child),
      );
      rewriteFields(child, keys, layout, values);
    }
    return child;
  };
}
