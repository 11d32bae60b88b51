/**
 * Warnings of a committed update: what it did that deserves a look although
 * nothing was refused. Two kinds: a class whose instances migrated has
 * state its source does not reveal (see `ClassDefinition.unsupported`), which
 * the migration carried over unchanged but no migrator, initialiser or
 * rename could address by name; a new field whose initial value only the
 * new constructor can compute, which migrated objects got as `undefined`;
 * and an old field the new constructor makes an alias of a new one.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import {
  type BuildResult,
  type ClassBuild,
  definitionChain,
  fromAnotherScope,
  isUnvaluedNewField,
  oldFieldsUnmigrated,
} from "./build.js";
import { ancestry } from "./changes.js";
import { changedInitialKinds } from "./changedInitialKinds.js";
import { constructorCallsNewMethods } from "./constructorNewMethods.js";
import { droppedStatics } from "./droppedStatics.js";
import { fieldsChangedByConstructor } from "./constructorCalls.js";
import { methodsBecomingState } from "./methodsBecomingState.js";
import { classBuildsOldLayout } from "./oldLayoutConstructor.js";
import { accessorsBecomingFields } from "./accessorsBecomingFields.js";
import { aliasSplits } from "./aliasSplits.js";
import type { Built } from "./phases/build.js";
import type { Detected } from "./phases/detect.js";
import {
  fieldsHidingNewMethods,
  handedOff,
  methodsGoneOutOfSight,
  missingNewFields,
  nestedDefaults,
  newFieldsOutOfSight,
  unseenOwnState,
} from "./outOfSightWarnings.js";
import { inheritedFieldsDropped } from "./inheritedFieldsDropped.js";
import { type InheritedLayout, inheritedLayout, migratedUnderNewChain } from "./inheritedLayout.js";
import { movedFields } from "./movedFields.js";
import { readsOfOtherObjects } from "./otherObjectReads.js";
import { oldReleaseValues } from "./oldReleaseValues.js";
import { programMethodsKept, programMethodsReplaced } from "./programMethods.js";
import { sampledObjects } from "./sampledObjects.js";
import { staleClosures } from "./staleClosures.js";
import { staleFunctionFields } from "./staleFunctionFields.js";
import { FIELD_NOTE, MEMBER_NOTE, unseenFields } from "./unseenFields.js";
import { symbolsDefinedOnlyBy } from "./definedSymbolWarnings.js";
import { SYMBOL_DEFINITION_NOTE } from "../mop/source/symbolDefinitions.js";
import type { UpdateWarning } from "./warning.js";
import { notesOf, quoted, warning } from "./warning.js";
import { checked } from "./warningSteps.js";

export type { UpdateWarning } from "./warning.js";

const COMPUTED_NOTE = /^the constructor creates properties that cannot be named statically/;

/**
 * The warnings of an update, one per note of each migrating class (old and
 * new version). `migrated`: the objects of a class the commit migrated
 * (eager), which some warnings look at. Each look runs guarded
 * (warningSteps.ts): the update is committed, and nothing here may throw.
 */
export function updateWarnings(
  built: Built,
  detected: Detected,
  migrated: (className: string) => readonly object[] | undefined = () => undefined,
  /** Some objects of a class alive now, where the finder lists them without a search. */
  alive: (className: string) => readonly object[] | undefined = () => undefined,
): UpdateWarning[] {
  const { build, oldDefs, policy } = built;
  const { migrating, changed } = detected;
  const warnings: UpdateWarning[] = [];
  const outOfSight = new Map<string, ReadonlyMap<string, string>>();
  for (const className of changed) {
    const say = (check: string, run: () => readonly UpdateWarning[]) =>
      warnings.push(...checked(className, check, run));
    changedClassWarnings(className, built, detected, say, outOfSight, {
      migrated: () => migrated(className),
      alive: () => alive(className),
    });
  }
  for (const className of migrating) {
    warnings.push(
      ...checked(className, "state the source does not name", () =>
        unseenStateWarnings(className, build, oldDefs, outOfSight),
      ),
    );
  }
  const others = [...migrating].join(", ");
  return warnings.concat(
    checked(others, "reads of other objects", () =>
      readsOfOtherObjects({ build, oldDefs, policy }, migrating),
    ),
  );
}

type Say = (check: string, run: () => readonly UpdateWarning[]) => void;

/** The warnings about a class the update changes, each look said through `say`. */
function changedClassWarnings(
  className: string,
  { build, defs, oldDefs }: Built,
  { migrating }: Detected,
  say: Say,
  outOfSight: Map<string, ReadonlyMap<string, string>>,
  objects: {
    readonly migrated: () => readonly object[] | undefined;
    readonly alive: () => readonly object[] | undefined;
  },
): void {
  const cls = build.classes.get(className)!;
  const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
  say("new fields set out of sight", () => {
    const added = newFieldsOutOfSight(className, cls, build, oldDefs);
    outOfSight.set(className, added);
    return missingNewFields(className, build, added, objects.migrated, old);
  });
  const some = () => migratedOrAlive(objects.migrated(), objects.alive);
  say("fields holding functions", () =>
    staleFunctionFields(className, cls, build, old, some, oldDefs),
  );
  say("stale closures", () => staleClosures(className, { build, oldDefs, defs }, old));
  if (!migrating.has(className)) {
    say("own state out of sight", () => unseenOwnState(className, cls, old));
    say("fields hiding new methods", () => fieldsHidingNewMethods(className, build, old));
  }
  say("objects handed off", () => handedOff(className, cls, old));
  say("methods gone out of sight", () => methodsGoneOutOfSight(className, build, old));
  say("nested defaults", () => nestedDefaults(className, cls, build, old));
  say("dropped fields", () => droppedFields(className, cls, build, old, oldDefs));
  say("dropped statics", () => droppedStatics(className, cls, old));
  say("program methods replaced", () =>
    programMethodsReplaced(className, old).map((r) =>
      warning("MM_PROGRAM_METHOD_REPLACED", className, r.member, r.note, r.advice),
    ),
  );
  say("program methods kept", () =>
    programMethodsKept(className, old).map((r) =>
      warning("MM_PROGRAM_METHOD_KEPT", className, r.member, r.note, r.advice),
    ),
  );
  say("initial values of another kind", () => changedInitialKinds(className, cls, build, old));
  const sample = () => sampledObjects(build, className) ?? some();
  say("values of the running release", () =>
    oldReleaseValues(className, cls, build, old, sample, oldDefs),
  );
}

/** A migrating class's state its source does not name, then what its layout got or lost. */
function unseenStateWarnings(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  outOfSight: ReadonlyMap<string, ReadonlyMap<string, string>>,
): UpdateWarning[] {
  const warnings: UpdateWarning[] = [];
  const cls = build.classes.get(className)!;
  const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
  // The old and the new constructor's notes, once each (their code may differ in whitespace only).
  const notes = new Map(
    [...notesOf(old), ...notesOf(cls.definition)].map((n) => [n.replace(/\s+/g, ""), n] as const),
  ).values();
  // An out-of-sight field the release makes a method or accessor: said with its remedy.
  const hiding = fieldsHidingNewMethods(className, build, old);
  warnings.push(...hiding);
  // A symbol both constructors define under a key the source names: every object has it.
  warnings.push(...symbolsDefinedOnlyBy(className, old, cls.definition));
  // A superclass's field, learned from its constructor, that a method of
  // this class assigns (a tree's `this._root = …`): seen, not unseen.
  const above = [
    ...definitionChain(className, build).slice(1),
    ...(cls.oldName === null ? [] : ancestry(cls.oldName, oldDefs).slice(1)).map(
      (n) => oldDefs.get(n)!,
    ),
  ];
  const learnedAbove = new Set(above.flatMap((d) => d.fields.map((f) => f.name)));
  // One warning a field, however many places its notes name (the constructor's conditional, each method).
  const said = new Set<string>();
  for (const note of notes) {
    // A method or accessor the reader could not name is installed from the class itself: no state.
    if (MEMBER_NOTE.test(note)) continue;
    // Properties under computed keys (`this[kState] = …`): the class's own
    // migrator sees them on the old object and is where they are addressed.
    if (cls.migrators.length > 0 && COMPUTED_NOTE.test(note)) continue;
    // Said above, where one release alone defines it.
    if (SYMBOL_DEFINITION_NOTE.test(note)) continue;
    const field = FIELD_NOTE.exec(note)?.[1];
    if (field !== undefined && (learnedAbove.has(field) || said.has(field))) continue;
    if (field !== undefined) said.add(field);
    if (field !== undefined && hiding.some((w) => w.field === field)) continue;
    // A field only the new version sets out of sight: no object has it yet (said above, unless a migrator may set it).
    if (field !== undefined && outOfSight.get(className)?.has(field)) continue;
    warnings.push(
      warning(
        "MM_UNSEEN_STATE",
        className,
        field,
        note,
        "instances that have such state keep it unchanged (carried over, never deleted), but this update could not address it by name",
      ),
    );
  }
  return warnings.concat(layoutWarnings(className, cls, build, old, oldDefs));
}

/** What a migrating class's objects got or lost with their new layout. */
function layoutWarnings(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  return [
    ...noInitialValue(className, cls, build, old, oldDefs),
    // Asked here: a layout that stays the same (nothing migrates) keeps every value.
    ...inheritedFieldsDropped(className, cls, build, oldDefs),
    ...accessorsBecomingFields(className, cls, build, oldDefs),
    ...aliasSplits(className, cls, build, old),
    ...constructorCallsNewMethods(className, cls, old),
    ...classBuildsOldLayout(className, cls, old),
  ];
}

/**
 * New fields of an ordinary class's new version whose initial value its
 * constructor computes (graphql 16.9's `isOneOf = config.isOneOf ?? false`):
 * migrated objects get `undefined` where fresh ones get a value. A field
 * declared without an initialiser and left alone by the constructor
 * (`note;`, TypeScript's `note?: string` under useDefineForClassFields) is
 * `undefined` on fresh objects too: migrated ones are exactly right.
 */
function noInitialValue(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  const { inherited, before } = unmigratedLayout(className, cls, build, old, oldDefs);
  if (before === undefined) return [];
  // The old version may have made it unseen (assigned conditionally): objects that have it keep it.
  const unseen = unseenFields([old!]);
  for (const name of unseen.names) before.add(name);
  // Where it creates properties its source cannot name (signale's
  // `this[type] = …`), it may have made this one too — or, far likelier,
  // not: said, with that proviso (silence lost every signale logger's level).
  const proviso = unseen.any
    ? "; an object that has it already keeps it (the running version's constructor creates properties its source does not name)"
    : "";
  // Fields the objects had from their old superclasses: a new implementation
  // declaring one keeps its value (a release making a subclass standalone).
  for (const name of inherited?.before ?? []) before.add(name);
  const bare = new Set(readableClassSource(cls.implementation)?.bareFields);
  // Each with what the migrated objects got: undefined, or the initialiser's value.
  const unvalued: (readonly [string, string, string])[] = cls.definition.fields
    .filter(
      (f) =>
        f.initializer === undefined && !bare.has(f.name) && isUnvaluedNewField(cls, before, f.name),
    )
    .map((f) => [f.name, "the constructor computes it", "undefined"] as const);
  // Given a value, then changed by the constructor or a method it calls.
  const valued = cls.definition.fields.flatMap((f) =>
    f.initializer !== undefined && isUnvaluedNewField(cls, before, f.name)
      ? [{ name: f.name, initializer: f.initializer }]
      : [],
  );
  const changed = fieldsChangedByConstructor(cls.implementation, cls.definition.methods, valued);
  for (const { name, initializer } of valued) {
    const why = changed.get(name);
    if (why !== undefined)
      unvalued.push([
        name,
        `its initialiser gives it a value ${why}`,
        `its initial value (\`${initializer}\`)`,
      ]);
  }
  // Fields of new superclasses the objects never had (inheritedLayout.ts).
  for (const { owner, field, origin } of inherited?.after ?? []) {
    const from = build.classes.get(owner)!;
    if (field.initializer !== undefined || (origin !== null && before.has(origin))) continue;
    if (from.initialisers.has(field.name)) continue;
    if (readableClassSource(from.implementation)?.bareFields.includes(field.name)) continue;
    unvalued.push([
      field.name,
      `it comes from the new superclass ${owner}, whose constructor computes it`,
      "undefined",
    ]);
  }
  return unvalued.map(([name, why, got]) =>
    warning(
      "MM_NO_INITIAL_VALUE",
      className,
      name,
      `new field \`${name}\` has no initial value a migration can compute (${why})${proviso}`,
      `migrated objects got ${got} — give it a value with the patch's migrate() or an initial value`,
    ),
  );
}

/**
 * The fields the class's objects had from superclasses that the update
 * changes (inheritedLayout.ts), and its old own fields unless a migrator
 * speaks for its objects (under new superclasses, one written for that
 * chain: migratedUnderNewChain).
 */
function unmigratedLayout(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): { inherited: InheritedLayout | undefined; before: Set<string> | undefined } {
  const inherited = inheritedLayout(className, cls, build, oldDefs);
  const migrated =
    inherited === undefined ? undefined : migratedUnderNewChain(className, build, oldDefs);
  return { inherited, before: oldFieldsUnmigrated(className, cls, build, old, migrated) };
}

/** The objects an update migrated, or else some alive. */
function migratedOrAlive(
  migrated: readonly object[] | undefined,
  alive: () => readonly object[] | undefined,
): readonly object[] | undefined {
  return migrated !== undefined && migrated.length > 0 ? migrated : alive();
}

/** Where the `gained` fields of the `added` come from: " (from its new superclass X)", or "". */
function fromAbove(gained: InheritedLayout["after"], added: number): string {
  if (gained.length === 0) return "";
  const owners = [...new Set(gained.map((f) => f.owner))];
  const which = gained.length === added ? "" : `${quoted(gained.map((f) => f.field.name))} `;
  return ` (${which}from ${owners.length === 1 ? "its new superclass" : "its new superclasses"} ${owners.join(", ")})`;
}

/**
 * Fields of the running version a new release drops while it adds others,
 * none said to be a rename (js-sdsl 4.3 -> 4.4's Deque: its mangled `A`,
 * holding every element, became `W`; the update emptied every deque).
 */
function droppedFields(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  // With the classes above it changed, the objects' whole layout is compared.
  const { inherited, before: own } = unmigratedLayout(className, cls, build, old, oldDefs);
  if (own === undefined || fromAnotherScope(cls, old) === undefined) return [];
  const before = new Set([...own, ...(inherited?.before ?? [])]);
  // A field of its own named like one the objects had from an old superclass
  // keeps its value (migrationPlan.ts fieldSource): nothing but the name links them.
  const byName = (f: string) => (cls.fieldOrigins.get(f) ?? null) === null && before.has(f);
  const carried = new Set([
    ...cls.fieldOrigins.values(),
    ...cls.definition.fields.map((f) => f.name).filter(byName),
  ]);
  const gained = (inherited?.after ?? []).filter((f) => {
    if (f.origin !== null && before.has(f.origin)) carried.add(f.origin);
    return f.origin === null || !before.has(f.origin);
  });
  // Fields the new version may set out of sight are kept, not dropped (unseenFields.ts).
  const unseen = unseenFields([cls.definition]);
  const dropped = unseen.any
    ? []
    : [...before].filter((f) => !carried.has(f) && !unseen.names.has(f));
  const added = cls.definition.fields
    .map((f) => f.name)
    .filter((f) => (cls.fieldOrigins.get(f) ?? null) === null && !byName(f))
    .concat(gained.map((f) => f.field.name));
  const moved =
    dropped.length === 0 || added.length === 0
      ? movedFields(old!, cls, fromAnotherScope(cls, old)!.implementation)
      : [];
  if ((dropped.length === 0 || added.length === 0) && moved.length === 0) return [];
  const note =
    moved.length > 0
      ? `the new implementation sets ${moved.map(([from, to, expression]) => `\`${to}\` with what the running one set \`${from}\` with (\`${expression}\`)`).join(", ")}`
      : `the new implementation drops ${quoted(dropped)} and adds ${quoted(added)}${fromAbove(gained, added.length)}`;
  return [
    warning(
      "MM_FIELDS_DROPPED",
      className,
      undefined,
      note,
      moved.length > 0
        ? "every object kept its values under the running release's names, which the new code reads as other fields — if the names traded places (a minifier's names change between releases), say so with replaceImplementation's renames, and roll this update back"
        : "every object lost the dropped values and got the new fields' initial values — if a new field is a dropped one renamed (a minifier's names change between releases), say so with replaceImplementation's renames or a migrator, and roll this update back",
    ),
  ];
}
