/**
 * Warnings about what a release's constructor gives its objects out of the
 * source reader's sight (properties it cannot name, a helper the object is
 * handed to, methods that may have become such properties): the update
 * leaves those as the running release made them.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { NestedWrite } from "../mop/source/nestedWrites.js";
import { readNestedWrites, readThisHandOffs } from "../mop/source/parse.js";
import { type BuildResult, type ClassBuild, definitionChain, fromAnotherScope } from "./build.js";
import { ancestry, instanceMemberNames } from "./changes.js";
import { patchWrites, unlessMigratorSets } from "./migratorWrites.js";
import { ANY_FIELD_NOTE, FIELD_NOTE, unseenFields } from "./unseenFields.js";
import type { UpdateWarning } from "./warning.js";
import { notesOf, quoted, warning } from "./warning.js";
import { symbolsDefinedOnlyBy } from "./definedSymbolWarnings.js";

/**
 * A class whose fields stay, upgraded to another release, whose running
 * constructor makes properties its reader cannot name (consola's
 * `this[type] = this._wrapLogFn(…)` per log type, `Object.assign(this, o)`):
 * those properties are left as they are, so functions among them keep
 * running the old release's code and what the new release makes that way
 * (consola 3.2's `box`) is missing — silently, since nothing migrates.
 * What only the new release's constructor makes that way is named too
 * (once quoting the running release's calls alone, the warning never
 * named the new field a minified `r(this, "unit", "pcs")` made).
 */
export function unseenOwnState(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (fromAnotherScope(cls, old) === undefined) return [];
  const opaque = (d: ClassDefinition | undefined) =>
    notesOf(d).filter((note) => ANY_FIELD_NOTE.test(note));
  const compact = (note: string) => note.replace(/\s+/g, "");
  const running = opaque(old);
  const said = new Set(running.map(compact));
  const added = opaque(cls.definition).filter((note) => !said.has(compact(note)));
  return [
    ...running.map((note) =>
      warning(
        "MM_UNSEEN_STATE",
        className,
        undefined,
        note,
        "the objects keep what the running release made this way: functions among it keep running that release's code, and what the new release makes this way is missing; give the class a migrator that sets them again",
      ),
    ),
    ...added.map((note) =>
      warning(
        "MM_UNSEEN_STATE",
        className,
        undefined,
        note.replace(/^the constructor/, "the new release's constructor"),
        "the objects alive now never get what it makes this way, where fresh ones do; give the class a migrator that sets it",
      ),
    ),
    ...symbolsDefinedOnlyBy(className, old, cls.definition),
  ];
}

/** The new world's definitions of a class and its ancestors, with their instance members and learned fields. */
function newChain(className: string, build: BuildResult) {
  const chain = definitionChain(className, build);
  return {
    chain,
    members: new Set(chain.flatMap((d) => instanceMemberNames(d))),
    fields: new Set(chain.flatMap((d) => d.fields.map((f) => f.name))),
  };
}

/**
 * Methods the new version no longer has on its prototype while its
 * constructor makes properties the reader cannot name
 * (`Object.assign(this, { inc: this.incPlain })`, a loop over names): if
 * it makes them there, the objects alive now have neither method nor
 * property after the update. Said for the methods the patch does not
 * name where it writes (migratorWrites.ts).
 */
export function methodsGoneOutOfSight(
  className: string,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined) return [];
  const { chain, members: kept, fields } = newChain(className, build);
  const opaque = chain.flatMap((d) => notesOf(d)).filter((note) => ANY_FIELD_NOTE.test(note));
  if (opaque.length === 0) return [];
  const patch = patchWrites(className, build);
  const gone = old.methods
    .flatMap((m) => (!m.static && typeof m.key === "string" ? [m.key] : []))
    .filter((m) => !kept.has(m) && !fields.has(m) && !patch.sets(m));
  if (gone.length === 0) return [];
  const them = gone.length > 1 ? "them" : "it";
  return [
    warning(
      "MM_UNSEEN_STATE",
      className,
      undefined,
      `${opaque[0]}; the new version no longer has the method${gone.length > 1 ? "s" : ""} ${gone.map((m) => `${m}()`).join(", ")} on its prototype`,
      `if the constructor now makes them properties that way, the objects alive now have neither method nor property; ${
        patch.any
          ? `the migrator of ${className} does not name ${quoted(gone)}: unless it sets ${them} by other means, set ${them} there (\`target.${gone[0]} = …\`)`
          : "give the class a migrator that sets them"
      }`,
    ),
  ];
}

/**
 * A class upgraded to another release whose running constructor hands the
 * object to other code (`bindMembers(this)`): what that code gave it
 * stays the running release's (thisHandOffs.ts).
 */
export function handedOff(
  className: string,
  cls: ClassBuild,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  const running = fromAnotherScope(cls, old)?.running;
  if (running === undefined) return [];
  let calls: readonly string[];
  try {
    calls = readThisHandOffs(running);
  } catch {
    return []; // no parser here (the Vite page)
  }
  // No field of its own: what the objects hold is likely kept for them by
  // that code, outside them (@js-temporal's slots: a module WeakMap keyed by
  // the object), where the new release's code never looks.
  const outside = old!.fields.length === 0;
  return calls.map((call) =>
    warning(
      "MM_UNSEEN_STATE",
      className,
      undefined,
      `the constructor hands the object to other code: \`${call}\``,
      outside
        ? `${className} objects have no fields of their own, so their state is likely kept by that code outside them (a table of the running release's module keyed by the object), which the new release's code does not read: the objects alive now may fail at their first call — try one before making this update permanent; no migrator can put them into the new release's table, so roll back and restart if they fail`
        : "what that code gave the objects alive now (bound copies of methods, handlers, state) stays the running release's: functions among it keep running that release's code; give the class a migrator that sets them again",
    ),
  );
}

/**
 * A release whose constructor now writes inside a field both releases have
 * (pg-pool 3.10's `this.options.min = this.options.min || 0`): the objects
 * alive now keep that field as the running release made it, without what
 * the new constructor adds to it (nestedWrites.ts). Said unless the
 * patch names the field or the key where it writes (migratorWrites.ts).
 */
export function nestedDefaults(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  const change = fromAnotherScope(cls, old);
  if (change?.running === undefined) return [];
  const patch = patchWrites(className, build);
  let before: readonly NestedWrite[];
  let after: readonly NestedWrite[];
  try {
    before = readNestedWrites(change.running);
    after = readNestedWrites(change.implementation);
  } catch {
    return []; // no parser here (the Vite page)
  }
  const fields = new Set(old!.fields.map((f) => f.name));
  const fieldOf = (path: string) => path.slice(0, path.indexOf("."));
  const had = new Set(before.map((w) => w.path));
  const open = new Set(before.filter((w) => w.path.endsWith("....")).map((w) => fieldOf(w.path)));
  // A literal's key is said only where the running constructor showed what
  // it put in that field (a literal too, or writes inside it): one it made
  // another way (a call) may hold the key already.
  const shown = new Set(before.map((w) => fieldOf(w.path)));
  const added = [
    ...new Set(
      after
        .filter((w) => !w.literal || shown.has(fieldOf(w.path)))
        .map((w) => w.path)
        .filter((path) => !path.endsWith("....")),
    ),
  ].filter((w) => !had.has(w) && fields.has(fieldOf(w)) && !open.has(fieldOf(w)) && !patch.sets(w));
  return added.map((w) => {
    const field = w.slice(0, w.indexOf("."));
    const copy = `\`target.${field} = { ...old.${field}, ${w.slice(field.length + 1)}: … }\`: the object in the field is the running one's, and a write into it stays if the update is refused`;
    return warning(
      "MM_NO_INITIAL_VALUE",
      className,
      field,
      `the new constructor sets \`${w}\` inside field \`${field}\`, which the running release's did not`,
      `the objects alive now keep \`${field}\` as the running release made it, without it — ${
        patch.any
          ? `the migrator of ${className} names neither \`${field}\` nor \`${w.slice(w.lastIndexOf(".") + 1)}\` where it writes: unless it sets it by other means, give the field a copy with it there (${copy})`
          : `give the class a migrator that gives it a copy with it (${copy})`
      }`,
    );
  });
}

/**
 * Fields the new version's constructor sets only out of the reader's sight
 * (in one branch of an if/else, in a loop) which the running version never
 * had, learned or not (ws 8.16's `_autoPong`, set in the server branch):
 * the objects alive now lack them while fresh ones may have them. With
 * their notes, by name.
 */
export function newFieldsOutOfSight(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): Map<string, string> {
  const found = new Map<string, string>();
  if (cls.oldName === null || !oldDefs.has(cls.oldName)) return found;
  // What the running version's objects may have: their class's fields and
  // its ancestors' (a base class that sets it for every object), learned or not.
  const oldChain = ancestry(cls.oldName, oldDefs).flatMap((n) => oldDefs.get(n) ?? []);
  const before = new Set([
    ...oldChain.flatMap((d) => d.fields.map((f) => f.name)),
    ...unseenFields(oldChain).names,
  ]);
  const { fields: learned } = newChain(className, build);
  for (const note of notesOf(cls.definition)) {
    const field = FIELD_NOTE.exec(note)?.[1];
    if (field !== undefined && !before.has(field) && !learned.has(field) && !found.has(field))
      found.set(field, note);
  }
  return found;
}

/**
 * `newFieldsOutOfSight` said, unless a migrator of the class may set them:
 * nothing else will. Where the migrator ran in the commit (`migrated`, the
 * objects an eager update migrated), the fields it set on none of them are
 * said all the same; where it ran on none (lazy), those its text does not
 * name where it writes.
 */
export function missingNewFields(
  className: string,
  build: BuildResult,
  added: ReadonlyMap<string, string>,
  migrated: () => readonly object[] | undefined,
  old?: ClassDefinition,
): UpdateWarning[] {
  if (added.size === 0) return [];
  let missing = [...added];
  const patch = patchWrites(className, build);
  if (patch.any) {
    const objects = migrated() ?? [];
    // Where no migrated object is at hand (lazy: the migrator has not run yet), its text says.
    missing = missing.filter(([field]) =>
      objects.length === 0 ? !patch.sets(field) : !objects.some((o) => Object.hasOwn(o, field)),
    );
  }
  const { chain, fields } = newChain(className, build);
  return missing.map(([field, note]) => {
    const before = replacedField(note, old, chain, fields);
    if (before !== undefined) return renamedOutOfSight(className, field, before, patch);
    return warning(
      "MM_NO_INITIAL_VALUE",
      className,
      field,
      `new field \`${field}\` ${note.replace(/^field `[^`]+` /, "").replace(/; not learned$/, "")} of the new version; the running version never set it`,
      `the objects alive now do not have it, where fresh ones may — ${
        patch.any && !patch.sets(field)
          ? unlessMigratorSets(className, field)
          : `give the class a migrator that sets it (\`target.${field} = …\`)`
      }`,
    );
  });
}

/** Where a note says a field is assigned outside the constructor (classAnalysis.ts): `method \`x\``. */
const ASSIGNED_IN = /is assigned in (.+), not by the constructor/;

/**
 * The field the running version assigned where the new version assigns a
 * new one (same method or accessor, out of the reader's sight), and which
 * the new version no longer sets: a field renamed there (a setter's
 * `this._timeout = v` become `this._timeoutMs = v`), whose objects alive now
 * hold the old name. Said as "the running version never set it", the
 * warning was wrong, and nothing said the old field was left behind.
 */
function replacedField(
  note: string,
  old: ClassDefinition | undefined,
  chain: readonly ClassDefinition[],
  fields: ReadonlySet<string>,
): { readonly field: string; readonly where: string } | undefined {
  const where = ASSIGNED_IN.exec(note)?.[1];
  if (where === undefined || old === undefined) return undefined;
  const setNow = new Set([...fields, ...unseenFields(chain).names]);
  for (const oldNote of notesOf(old)) {
    const field = FIELD_NOTE.exec(oldNote)?.[1];
    if (field !== undefined && !setNow.has(field) && ASSIGNED_IN.exec(oldNote)?.[1] === where)
      return { field, where: accessorWord(old, where) };
  }
  return undefined;
}

/** `method \`timeout\``, said `setter \`timeout\`` where the running version's member is a setter. */
function accessorWord(old: ClassDefinition, where: string): string {
  const name = /^method `([^`]+)`$/.exec(where)?.[1];
  const setter = old.methods.some((m) => !m.static && m.kind === "set" && m.key === name);
  return setter ? `setter \`${name}\`` : where;
}

function renamedOutOfSight(
  className: string,
  field: string,
  before: { readonly field: string; readonly where: string },
  patch: ReturnType<typeof patchWrites>,
): UpdateWarning {
  const carry = `target.${field} = old.${before.field}; delete target.${before.field}`;
  return warning(
    "MM_NO_INITIAL_VALUE",
    className,
    field,
    `new field \`${field}\` is assigned in ${before.where} of the new version, where the running version assigned \`${before.field}\``,
    `the objects alive now have \`${before.field}\`, which the new version no longer sets, and lack \`${field}\` — if it is the same value renamed, ${
      patch.any && !patch.sets(field)
        ? `the migrator of ${className} does not name \`${field}\`: unless it sets it by other means, carry it there`
        : "give the class a migrator that carries it"
    } (\`${carry}\`; a replaceImplementation rename cannot name \`${before.field}\`, a field the reader did not learn)`,
  );
}

/**
 * Fields the running version sets out of the reader's sight (`if (FAST)
 * this.format = this.formatFast; else …`, `refresh() { this.total = … }`)
 * that the new version makes methods or accessors and no longer sets: the
 * objects alive now keep their own value, the running release's, in front
 * of the new member — silently, whether their other fields change or not.
 * Said for the fields the patch does not name where it writes or deletes.
 */
export function fieldsHidingNewMethods(
  className: string,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined) return [];
  const patch = patchWrites(className, build);
  const { chain, members: methods, fields } = newChain(className, build);
  const accessors = new Set(
    chain.flatMap((d) => d.methods.filter((m) => m.kind !== "method").map((m) => m.key)),
  );
  const setNow = new Set([...fields, ...unseenFields(chain).names]);
  const warned = new Set<string>();
  return notesOf(old).flatMap((note) => {
    const field = FIELD_NOTE.exec(note)?.[1];
    if (field === undefined || warned.has(field) || !methods.has(field) || setNow.has(field))
      return [];
    if (patch.sets(field)) return [];
    warned.add(field);
    const remedy = `\`delete target.${field}\``;
    return [
      warning(
        "MM_UNSEEN_STATE",
        className,
        field,
        note,
        `the new version makes \`${field}\` ${accessors.has(field) ? "an accessor" : "a method"}: objects that have such a field keep the running release's value in front of it — ${
          patch.any
            ? `the migrator of ${className} does not name \`${field}\`: unless it deletes it by other means, delete it there (${remedy})`
            : `give the class a migrator that deletes it (${remedy})`
        }`,
      ),
    ];
  });
}
