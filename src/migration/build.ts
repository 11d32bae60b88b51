/**
 * Building is pure: the patch's operations are applied to the current class
 * definitions (plain data) and produce the new definitions plus everything the
 * migration needs to know about where each new field's value comes from.
 * Nothing live is touched; a malformed operation is an InvalidPatchError
 * naming the operation and what it refers to.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { Constructor } from "../mop/createClass.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import { requireTrustedOperations } from "../patch/trust.js";
import type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Operation,
  Policy,
} from "../patch/operations.js";
import * as classOps from "./building/classOperations.js";
import type { Draft, Drafts } from "./building/drafts.js";
import { draftsOf, Step, untouchedLists } from "./building/drafts.js";
import { judgeRedeclaredFields } from "./building/redeclaredOwnFields.js";
import * as fieldOps from "./building/fieldOperations.js";
import * as memberOps from "./building/memberOperations.js";
import * as staticOps from "./building/staticFieldOperations.js";

/** Where a field of the new definition takes its value from in an old instance. */
export interface ClassBuild {
  /** The class's name before the patch, or null for a class the patch adds. */
  readonly oldName: string | null;
  readonly definition: ClassDefinition;
  /** New field name → old field name (renames), or null for a field that must not carry any old value. */
  readonly fieldOrigins: ReadonlyMap<string, string | null>;
  readonly initialisers: ReadonlyMap<string, FieldInitialiser>;
  readonly migrators: readonly Migrator[];
  /** Fields moved into a new class by splitClass: the new field `via` holds a new `into` object. */
  readonly splits: readonly {
    readonly into: string;
    readonly via: string;
    /** Moved fields: their name in `into`, and the old field their value comes from (null: none). */
    readonly fields: readonly { readonly to: string; readonly from: string | null }[];
  }[];
  /** Whether any operation touched this class's fields, superclass or migration. */
  readonly layoutTouched: boolean;
  /** Statics whose value does not come from the old static of the same name (see staticFieldOperations.ts). */
  readonly staticOrigins?: ReadonlyMap<string, string | null>;
  /** A new implementation given by replaceImplementation (or derived, phases/build.ts), used instead of a generated version. */
  readonly implementation?: Constructor;
  /** The implementation was derived from the running version by the build (phases/build.ts), not handed in by the patch. */
  readonly implementationDerived?: true;
  /** The patch says the implementation was evaluated in the running version's module scope (replaceImplementation's `sameScope`). */
  readonly sameScope?: true;
  /** Fields of the new implementation whose initial value only its module's scope can compute (drafts.ts). */
  readonly moduleBound?: readonly string[];
  /** Whether the patch moves fields between this class and another (pull up, push down, split). */
  readonly movesFields?: boolean;
}

export interface BuildResult {
  /** The new world, by (new) class name, in the patch's order: existing classes first. */
  readonly classes: ReadonlyMap<string, ClassBuild>;
  /** Old names of classes the patch removes. */
  readonly removed: readonly string[];
  readonly namespaceValidations: readonly {
    readonly name: string;
    readonly check: NamespaceValidation;
  }[];
  readonly instanceValidations: readonly {
    readonly name: string;
    readonly className: string;
    readonly check: InstanceValidation;
  }[];
  /** The patch's afterCommit and afterRollback hooks, in the patch's order. */
  readonly hooks: Drafts["hooks"];
  readonly policy: Policy;
}

type Apply<K extends Operation["op"]> = (step: Step, op: Extract<Operation, { op: K }>) => void;

/** What each kind of operation does to the drafts (building/*Operations.ts). */
const APPLY: { readonly [K in Operation["op"]]: Apply<K> } = {
  addClass: classOps.addClass,
  removeClass: classOps.removeClass,
  renameClass: classOps.renameClass,
  changeSuperclass: classOps.changeSuperclass,
  insertSuperclass: classOps.insertSuperclass,
  replaceImplementation: classOps.replaceImplementation,
  addField: fieldOps.addField,
  removeField: fieldOps.removeField,
  renameField: fieldOps.renameField,
  reorderFields: fieldOps.reorderFields,
  pullUpField: fieldOps.pullUpField,
  pushDownField: fieldOps.pushDownField,
  splitClass: fieldOps.splitClass,
  addStaticField: staticOps.addStaticField,
  removeStaticField: staticOps.removeStaticField,
  renameStaticField: staticOps.renameStaticField,
  reinitialiseStaticField: staticOps.reinitialiseStaticField,
  addMethod: memberOps.addOrReplaceMethod,
  replaceMethod: memberOps.addOrReplaceMethod,
  removeMethod: memberOps.removeMethod,
  migrator: memberOps.migrator,
  validateNamespace: memberOps.validateNamespace,
  validateInstances: memberOps.validateInstances,
  afterCommit: memberOps.hook,
  afterRollback: memberOps.hook,
  policy: memberOps.policy,
};

/** Applies `operations` to `current` (old definitions by name). Pure. */
export function buildDefinitions(
  current: ReadonlyMap<string, ClassDefinition>,
  operations: readonly Operation[],
): BuildResult {
  // Nothing of a patch read from JSON is compiled unless someone vouched for it.
  requireTrustedOperations(operations, "be applied");
  const drafts = draftsOf(current);
  for (let index = 0; index < operations.length; index++) {
    const op = operations[index]!;
    (APPLY[op.op] as Apply<typeof op.op>)(new Step(drafts, op, index), op);
  }
  judgeRedeclaredFields(drafts);
  return finish(drafts);
}

function finish(drafts: Drafts): BuildResult {
  const classes = new Map<string, ClassBuild>();
  for (const d of drafts.classes.values()) classes.set(d.name, classBuild(d));
  const { removed, namespaceValidations, instanceValidations, hooks, policy } = drafts;
  return { classes, removed, namespaceValidations, instanceValidations, hooks, policy };
}

/** What the source reader could not learn about the class's new version: its new implementation's, or its old version's. */
function unsupportedOf(d: Draft): { unsupported?: readonly string[] } {
  const unsupported = d.implementation
    ? readClassDefinition(d.implementation).unsupported
    : d.base?.unsupported;
  return unsupported === undefined ? {} : { unsupported };
}

/**
 * A new definition is plain data that nothing changes after the build (a
 * snapshot holds it frozen). Frozen here, all of it is: its other parts are
 * the live definition's (frozen in its snapshot) or the patch's (frozen with
 * the patch). So immer, which deep-freezes and searches for drafts in every
 * new value put into a snapshot, stops at its first level.
 */
function frozen(definition: ClassDefinition): ClassDefinition {
  Object.freeze(definition.fields);
  Object.freeze(definition.methods);
  Object.freeze(definition.staticFields);
  return Object.freeze(definition);
}

/** The build of a class a patch leaves alone, the same at every build: kept per definition. */
const untouched = new WeakMap<ClassDefinition, ClassBuild>();

function classBuild(d: Draft): ClassBuild {
  const base = d.base;
  if (base !== null && !d.touched && untouchedLists(d)) {
    const kept = untouched.get(base);
    if (kept?.oldName === d.oldName) return kept;
    const built = Object.freeze(plainBuild(d, base));
    untouched.set(base, built);
    return built;
  }
  return plainBuild(d, d.touched || base === null ? newDefinition(d) : base);
}

function plainBuild(d: Draft, definition: ClassDefinition): ClassBuild {
  const built: ClassBuild = {
    oldName: d.oldName,
    // A class the patch leaves alone keeps its very definition object.
    definition,
    fieldOrigins: d.fieldOrigins,
    initialisers: d.initialisers,
    migrators: d.migrators,
    splits: d.splits,
    layoutTouched: d.layoutTouched,
  };
  // Assigned, not spread: this runs for every class at every build.
  const optional = built as { -readonly [K in keyof ClassBuild]: ClassBuild[K] };
  if (d.staticOrigins?.size) optional.staticOrigins = d.staticOrigins;
  if (d.implementation) optional.implementation = d.implementation;
  if (d.sameScope) optional.sameScope = true;
  if (d.moduleBound?.length) optional.moduleBound = d.moduleBound;
  if (d.movesFields) optional.movesFields = true;
  return built;
}

function newDefinition(d: Draft): ClassDefinition {
  const base = d.base;
  return frozen({
    name: d.name,
    superclass: d.superclass,
    ...(d.externalSuperclass === undefined ? {} : { externalSuperclass: d.externalSuperclass }),
    fields: d.fields,
    methods: d.methods,
    staticFields: d.staticFields,
    hasPrivateMembers: d.hasPrivateMembers ?? base?.hasPrivateMembers ?? false,
    version: base === null ? 1 : d.touched ? base.version + 1 : base.version,
    fieldOrigin: base?.fieldOrigin ?? "created",
    ...unsupportedOf(d),
  });
}

/**
 * The class handed in as `cls`'s new implementation when it comes from
 * another module scope than the running version (a package's next
 * release: no `sameScope`, not derived by the build, not the running class
 * itself), with the running class; undefined otherwise. What its module
 * holds for the objects (maps, symbols) and what it builds itself are not
 * the running version's.
 */
export function fromAnotherScope(
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): { readonly implementation: Constructor; readonly running: Constructor | undefined } | undefined {
  const implementation = cls.implementation;
  if (implementation === undefined || cls.implementationDerived || cls.sameScope) return undefined;
  const running = old && constructorOfDefinition(old);
  return running === implementation ? undefined : { implementation, running };
}

/** The definitions of class `name` of the new world and of its ancestors, the class first (stops on cycles). */
export function definitionChain(name: string, build: BuildResult): ClassDefinition[] {
  const chain: ClassDefinition[] = [];
  for (let d = build.classes.get(name)?.definition; d !== undefined && !chain.includes(d); ) {
    chain.push(d);
    d = d.superclass === null ? undefined : build.classes.get(d.superclass)?.definition;
  }
  return chain;
}

/** Whether class `name` of the new world, or one of its ancestors, has a migrator. */
export function hasMigrator(name: string, build: BuildResult): boolean {
  for (let c = build.classes.get(name); c !== undefined; ) {
    if (c.migrators.length > 0) return true;
    c = c.definition.superclass === null ? undefined : build.classes.get(c.definition.superclass);
  }
  return false;
}

/**
 * Whether `field` of `cls` is new — no field of the old version (`before`)
 * nor renamed from one — and the patch gives it no initial value.
 */
export function isUnvaluedNewField(
  cls: ClassBuild,
  before: ReadonlySet<string>,
  field: string,
): boolean {
  return (
    !before.has(field) &&
    (cls.fieldOrigins.get(field) ?? null) === null &&
    !cls.initialisers.has(field)
  );
}

/**
 * The old version's fields, for a class whose new version was read from its
 * source and which the patch does not migrate (a migrator settles what the
 * warnings would say); undefined otherwise.
 */
export function oldFieldsUnmigrated(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  /** Whether a migrator speaks for the class's objects (for a class under new superclasses: inheritedLayout.ts). */
  migrated = hasMigrator(className, build),
): Set<string> | undefined {
  if (cls.definition.fieldOrigin !== "source" || old === undefined || migrated) return undefined;
  return new Set(old.fields.map((f) => f.name));
}
