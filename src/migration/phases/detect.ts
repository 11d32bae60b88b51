/**
 * Phase 2, detect changes: which classes get a new version and which
 * migrate their instances (the change objects of changes.ts), and the
 * refusals that follow from them (private state, ordinary classes rebuilt).
 * Input: the build; output: the changes and the two class sets.
 * Undo: nothing live is touched.
 */
import { InvalidPatchError, type MetamorphError } from "../../errors.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { constructorOfDefinition } from "../../mop/classHandle.js";
import { platformFields } from "../../mop/platformClasses.js";
import { nativeStateOwner } from "../../mop/platformState.js";
import type { Change } from "../changes.js";
import { ExternalSuperclassError } from "../../namespace/errors.js";
import {
  ancestry,
  changedClasses,
  detectChanges,
  externalRoot,
  migratingClasses,
} from "../changes.js";
import { privateStateRefusal } from "../privateStateRefusal.js";
import { refuseStateOutside } from "../mapsKeyedByObject.js";
import { type ClassBuild, hasMigrator, isUnvaluedNewField } from "../build.js";
import type { Built } from "./build.js";
import { inheritedLayout } from "../inheritedLayout.js";
import { methodsBecomingState } from "../methodsBecomingState.js";
import { unseenFields } from "../unseenFields.js";
import { refuseFieldsBecomingAccessors } from "../fieldsBecomingAccessors.js";
import { refusalOf, refuseOtherExternalParent, withOthers } from "./refusalOrder.js";
import { refuseRedeclaredFieldsLost } from "./redeclaredFields.js";

export interface Detected {
  readonly changes: readonly Change[];
  /** New names of the classes whose instances migrate. */
  readonly migrating: ReadonlySet<string>;
  /** New names of the classes that get a new version. */
  readonly changed: ReadonlySet<string>;
}

export function detectPhase(built: Built): Detected {
  const blocking = refusalOf(() => refuseUnresolvable(built));
  if (blocking === undefined) return detectAndRefuse(built, (check) => check());
  const others: MetamorphError[] = [];
  const collect = (check: () => void) => {
    const refusal = refusalOf(check);
    if (refusal !== undefined) others.push(refusal);
  };
  const last = refusalOf(() => detectAndRefuse(built, collect));
  throw withOthers(blocking, last === undefined ? others : [...others, last]);
}

/** The refusals no change to the patch's migration code can resolve (a restart can): said first (refusalOrder.ts). */
function refuseUnresolvable({ oldDefs, build, defs, bodiesOnly }: Built): void {
  // Superclass links cannot move when only method bodies change.
  if (!bodiesOnly) refuseExternalMoves(oldDefs, build, defs);
  for (const [name, cls] of build.classes) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    refuseOtherExternalParent(cls, old);
    // A new implementation of a class with private state breaks its old
    // objects (they lack the new private brand) even with no field change;
    // one derived from the running version keeps its brand and its members.
    const newBrand = cls.implementation !== undefined && !cls.implementationDerived;
    if (newBrand && (old?.hasPrivateMembers || cls.definition.hasPrivateMembers)) {
      throw privateStateRefusal(name, [old && constructorOfDefinition(old), cls.implementation]);
    }
    refuseStateOutside(name, cls, old);
  }
}

/** The changes, each class's refusals run through `refuse` (which throws them, or collects them). */
function detectAndRefuse(
  { oldDefs, build, policy }: Built,
  refuse: (check: () => void) => void,
): Detected {
  const changes = detectChanges(oldDefs, build);
  const migrating = migratingClasses(changes);
  // Every class whose definition differs in any way gets a new version,
  // even when nothing about it migrates (a renamed superclass, say).
  const changed = changedClasses(changes);
  for (const [name, cls] of build.classes) {
    // A class a change already names (a methods-only edit, say) needs no
    // serialising of both its definitions to know it differs.
    if (
      cls.oldName !== null &&
      !changed.has(name) &&
      (cls.staticOrigins !== undefined ||
        !sameDefinition(cls.definition, oldDefs.get(cls.oldName)!))
    )
      changed.add(name);
  }
  for (const [name, cls] of build.classes) {
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    refuse(() => {
      refuseModuleBoundFields(name, cls, build, old);
      refuseInheritedModuleBound(name, cls, build, oldDefs);
      refuseRedeclaredFieldsLost(name, cls, build, oldDefs, changed);
      refuseFieldsBecomingAccessors(name, cls, build, old);
      if (old !== undefined) refusePlatformFields(name, cls, old);
    });
  }
  for (const name of changed) {
    if (build.classes.get(name)?.oldName != null) {
      refuse(() => refuseMethodsBecomingFields(name, build, oldDefs, policy));
    }
  }
  for (const name of migrating) {
    const cls = build.classes.get(name)!;
    const d = oldDefs.get(cls.oldName!)!;
    refuse(() => {
      if (d.hasPrivateMembers) throw privateStateRefusal(name, [constructorOfDefinition(d)]);
      if (d.fieldOrigin !== "created" && !cls.implementation) {
        throw new InvalidPatchError(
          `class ${name} is an ordinary class (not made by metamorph); changing its fields needs a new implementation of the class, not a rebuilt one`,
          { className: name },
        );
      }
    });
  }
  return { changes, migrating, changed };
}

/**
 * A new field of a new implementation whose initial value reads the
 * implementation's module (three 0.160's `this.gpuType = FloatType`) cannot
 * be computed for a migrated object outside that module: evaluated globally
 * it threw, or read a global of the same name. Refused unless the patch
 * gives the class a migrator (which then sets it) or the field a value.
 */
function refuseModuleBoundFields(
  name: string,
  cls: ClassBuild,
  build: Built["build"],
  old: ClassDefinition | undefined,
): void {
  if (!cls.moduleBound || old === undefined) return;
  const before = new Set(old.fields.map((f) => f.name));
  // A field the running version sets only sometimes (so its reader could
  // not name it as a field) is carried where objects have it; one without
  // it fails the update when migrated (migrationPlan.ts moduleBoundValue).
  const maybe = unseenFields([old]);
  const fields = cls.moduleBound.filter(
    (f) => isUnvaluedNewField(cls, before, f) && !maybe.any && !maybe.names.has(f),
  );
  if (fields.length === 0 || hasMigrator(name, build)) return;
  const field = fields[0]!;
  throw new InvalidPatchError(
    `the new implementation of ${name} gives its new field ${fields.map((f) => `"${f}"`).join(", ")} an initial value that reads its own module's scope, which this update cannot evaluate for the existing objects; give the patch a migrator for ${name} that sets it (migrate("${name}", (old, target) => { target.${field} = … })), or pass { sameScope: true } if the new class was evaluated in the running version's module scope`,
    { className: name, field },
  );
}

/**
 * The same for a field a class's objects gain from a new superclass
 * (inheritedLayout.ts: @datastructures-js/heap 4.3's `MinHeap extends Heap`,
 * whose `_compare = compare || defaultCmp` reads Heap's module): the new
 * superclass's own objects had it, the class's never did. Refused before
 * anything runs, naming where the field comes from, unless a migrator of
 * the class (or of a class above it) sets it.
 */
function refuseInheritedModuleBound(
  name: string,
  cls: ClassBuild,
  build: Built["build"],
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): void {
  const inherited = inheritedLayout(name, cls, build, oldDefs);
  if (inherited === undefined || hasMigrator(name, build)) return;
  const old = oldDefs.get(cls.oldName!)!;
  const before = new Set([...inherited.before, ...old.fields.map((f) => f.name)]);
  const bound = inherited.after.find(
    ({ owner, field, origin }) =>
      (origin === null || !before.has(origin)) &&
      build.classes.get(owner)!.moduleBound?.includes(field.name) === true &&
      !build.classes.get(owner)!.initialisers.has(field.name),
  );
  if (bound === undefined) return;
  const { owner, field } = bound;
  throw new InvalidPatchError(
    `${name} now extends ${owner}, whose new implementation gives field "${field.name}" an initial value that reads its own module's scope; the running ${name} objects never had that field (their class did not extend ${owner}), so this update cannot compute it for them; give the patch a migrator for ${name} that sets it (migrate("${name}", (old, target) => { target.${field.name} = … })) and carries what they held instead, or pass { sameScope: true } if the new classes were evaluated in the running version's module scope`,
    { className: name, field: field.name },
  );
}

/**
 * A field the patch gives a name that a platform superclass keeps its own
 * state under (EventEmitter's `_events`, `_maxListeners`; a stream's
 * `_readableState`): renaming onto it overwrote the listeners, and adding
 * it kept the platform's value and dropped the patch's. Refused, naming
 * the field and the class whose state it is.
 */
function refusePlatformFields(name: string, cls: ClassBuild, old: ClassDefinition): void {
  // A class the patch leaves alone keeps its very definition (build.ts): no new field.
  if (cls.definition === old) return;
  const running = constructorOfDefinition(old);
  if (running === undefined) return;
  const platform = platformFields(running.prototype as object);
  const before = new Set(old.fields.map((f) => f.name));
  for (const f of cls.definition.fields) {
    const origin = cls.fieldOrigins.get(f.name) ?? null;
    const renamedOnto = origin !== null && origin !== f.name;
    // A new implementation's own fields are what its code does; the patch's own operations and renames are not.
    const added =
      origin === null &&
      !before.has(f.name) &&
      (cls.implementation === undefined || cls.implementationDerived);
    if (!renamedOnto && !added) continue;
    // Or a native superclass's (Map's size, an array's length or indices, a typed array's numeric keys).
    const native = platform.has(f.name)
      ? undefined
      : nativeStateOwner(running.prototype as object, f.name);
    const owner = platform.get(f.name) ?? native?.superclass;
    if (owner !== undefined)
      throw new InvalidPatchError(
        `class ${name}: field "${f.name}" is where its superclass ${owner} keeps its own state on every object${native ? ` (${native.what})` : ""}; ${renamedOnto ? `renaming "${origin}" onto it would overwrite that state` : "a field of that name would not be the class's"} — choose another name`,
        { className: name, field: f.name, superclass: owner },
      );
  }
}

// A class the patch does not touch keeps its very definition object (build.ts):
// no need to serialise both.
const sameDefinition = (a: ClassDefinition, b: ClassDefinition) =>
  a === b || JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });

const what = (x: string | null) => (x === null ? "no class outside the namespace" : x);

/**
 * A class outside the namespace that a root extends (`Map`, `Error`, a
 * package's class) gives every instance internal slots or state of its own
 * (a Map's entries, an Error's stack, an element's node) that reflection
 * cannot add to or take from an existing object. So no existing class may
 * move onto, off or between such superclasses, and a class under a managed
 * superclass keeps reaching it through that superclass.
 */
function refuseExternalMoves(
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  build: Built["build"],
  defs: ReadonlyMap<string, ClassDefinition>,
): void {
  for (const [name, cls] of build.classes) {
    if (cls.oldName === null) continue;
    const before = externalRoot(cls.oldName, oldDefs);
    const after = externalRoot(name, defs);
    if (before !== after) {
      // A release's subclass extends that release's class of a name the
      // namespace manages (graph 5's Graph extends its own DirectedGraph):
      // the hierarchy moves together.
      const sibling = releaseSibling(name, build, oldDefs, defs);
      const moveTogether = (b: string) =>
        `replace ${b} in the same patch (replaceImplementation("${b}", …) beside "${name}"), so that the hierarchy moves together`;
      const own = after === sibling?.binding ? after : `${sibling?.binding} (\`${after}\`)`;
      throw new ExternalSuperclassError(
        sibling?.certain === true
          ? `class ${name}'s new version extends its own release's ${own}, not the namespace's ${sibling.binding}, which this patch leaves as it runs: ${moveTogether(sibling.binding)}`
          : `class ${name} would change from extending ${what(before)} to extending ${what(after)}: no patch operation moves existing objects onto, off or between superclasses outside the namespace (a native one such as Map or Error gives its instances internal slots no existing object can gain or lose); ${sibling === undefined ? "" : `if ${after} is its release's ${sibling.binding} (a bundler or minifier renames classes), ${moveTogether(sibling.binding)}; otherwise `}${before === null && after !== null && !(after in globalThis) ? `if ${after} is an ordinary class (no native state), register the new release's ${after} in the namespace before this update (\`namespace.registerClass(${after}, { name: "${after}" })\`), which then moves ${name}'s objects under it as under any class of the namespace; otherwise ` : ""}keep ${name}'s superclass as it is, or restart the program to change it`,
        { className: name, from: before, to: after },
      );
    }
    const wasRoot = oldDefs.get(cls.oldName)!.superclass === null;
    if (after !== null && !wasRoot && cls.definition.superclass === null) {
      throw new ExternalSuperclassError(
        `class ${name} would extend ${after} directly instead of through ${oldDefs.get(cls.oldName)!.superclass}: a class keeps the way it reaches a class outside the namespace; keep its superclass`,
        { className: name, from: before, to: after },
      );
    }
  }
}

/**
 * The binding whose next release the new version of `name`'s chain extends
 * (the superclass its new root's implementation extends, outside the
 * namespace): the binding of that name, or whose running class has its
 * source name (a bundler's `_Observable`, registered as "Observable"), or,
 * failing both (a minifier's names change between releases), the binding
 * the root extends now — the same place in the hierarchy, but not certain.
 */
function releaseSibling(
  name: string,
  build: Built["build"],
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  defs: ReadonlyMap<string, ClassDefinition>,
): { readonly binding: string; readonly certain: boolean } | undefined {
  const chain = ancestry(name, defs);
  const root = build.classes.get(chain.at(-1)!);
  const parent = root?.implementation && (Object.getPrototypeOf(root.implementation) as Function);
  if (root?.oldName == null || !parent) return undefined;
  const others = [...build.classes].filter(([b]) => !chain.includes(b));
  const running = (c: ClassBuild) =>
    c.oldName === null ? undefined : constructorOfDefinition(oldDefs.get(c.oldName)!);
  const named = others.filter(([b, c]) => b === parent.name || running(c)?.name === parent.name);
  const exact =
    named.find(([b]) => b === parent.name) ?? (named.length === 1 ? named[0] : undefined);
  if (parent.name !== "" && exact !== undefined) return { binding: exact[0], certain: true };
  // A platform class (`Map`, `Error`) is no release's class.
  const global = (globalThis as Record<string, unknown>)[parent.name] === parent;
  const above = oldDefs.get(root.oldName)!.superclass;
  const here = others.find(([, c]) => above !== null && c.oldName === above)?.[0];
  return here === undefined || global ? undefined : { binding: here, certain: false };
}

/**
 * A method the new version makes an own field (`onClick() {…}` becoming
 * `onClick = () => …`, or prom-client 15's `this.inc = this.incWithoutExemplar`
 * in an if/else) leaves the prototype at the commit. Under a lazy or
 * progressive policy an object not yet migrated has neither, and calling it
 * threw a bare TypeError (`b.onClick is not a function`) where a guard
 * would have migrated it first: refused for those policies; eager migrates
 * every object in the commit. A field the constructor sets out of the
 * reader's sight (conditionally: unseenFields.ts) has no initialiser to give
 * the objects alive now, under any policy: refused unless a migrator of the
 * class sets it.
 */
function refuseMethodsBecomingFields(
  name: string,
  build: Built["build"],
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  policy: Built["policy"],
): void {
  const { valued, unvalued, accessors } = methodsBecomingState(name, build, oldDefs);
  const all = [...valued, ...unvalued];
  const s = all.length > 1 ? "s" : "";
  const them = all.length > 1 ? "them" : "it";
  const member = (f: string) => (accessors.has(f) ? `accessor ${f}` : `method ${f}()`);
  const listed = all.map(member).join(", ");
  if (policy !== "eager" && all.length > 0) {
    throw new InvalidPatchError(
      `class ${name}'s new version makes its ${listed} own field${s}${accessors.size === 0 ? " (an arrow function, say)" : ""}: a lazy or progressive update removes ${them} from the prototype before the objects are migrated, and reading ${them} on an object not yet migrated would be wrong; apply this update eagerly`,
      { className: name, fields: all },
    );
  }
  if (unvalued.length > 0 && !hasMigrator(name, build)) {
    throw new InvalidPatchError(
      `class ${name}'s new version turns its ${unvalued.map(member).join(", ")} into state its constructor computes (from its arguments, or out of sight in an if/else): the objects alive now would have neither member nor field after the update; give ${name} a migrator that sets ${unvalued.length > 1 ? "them" : "it"} (\`target.${unvalued[0]} = …\`)`,
      { className: name, fields: unvalued },
    );
  }
}
