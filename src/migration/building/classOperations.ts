/** Building: the operations on whole classes (add, remove, rename, superclasses, implementations). */
import type { FieldDefinition } from "../../mop/classDefinition.js";
import {
  currentVersion,
  handleOfPrototype,
  isClassHandle,
  versionStates,
} from "../../mop/classHandle.js";
import type { Constructor } from "../../mop/createClass.js";
import { readableClassSource } from "../../mop/source/readableSource.js";
import { readClassDefinition } from "../../mop/readClassDefinition.js";
import type { Operation } from "../../patch/operations.js";
import type { Draft, Step } from "./drafts.js";
import { originOf, touch } from "./drafts.js";
import { unseenFields } from "../unseenFields.js";

type Op<K extends Operation["op"]> = Extract<Operation, { op: K }>;

export function addClass(step: Step, op: Op<"addClass">): void {
  step.addDraft(op.shape);
}

export function removeClass(step: Step, op: Op<"removeClass">): void {
  const d = step.classNamed(op.className);
  const classes = step.drafts.classes;
  const splitter = [...classes.values()].find((x) =>
    x.splits.some((sp) => sp.into === op.className),
  );
  if (splitter) {
    step.refuse(
      `${op.className} holds the fields split off ${splitter.name} by this patch; it cannot be removed in the same patch`,
      { className: op.className },
    );
  }
  classes.delete(op.className);
  if (d.oldName !== null) step.drafts.removed.push(d.oldName);
}

export function renameClass(step: Step, op: Op<"renameClass">): void {
  const d = step.classNamed(op.className);
  const classes = step.drafts.classes;
  if (classes.has(op.to)) {
    step.refuse(`cannot rename ${op.className} to ${op.to}: that name is taken`, {
      className: op.className,
    });
  }
  classes.delete(op.className);
  d.name = op.to;
  classes.set(op.to, d);
  for (const other of classes.values()) {
    if (other.superclass === op.className) {
      touch(other).superclass = op.to;
    }
    for (const sp of other.splits) if (sp.into === op.className) sp.into = op.to;
  }
}

export function changeSuperclass(step: Step, op: Op<"changeSuperclass">): void {
  const d = step.classNamed(op.className);
  if (op.superclass !== null) {
    step.classNamed(op.superclass);
    // Only a root extends a class outside the namespace; whether the move
    // is possible is decided on the whole world (phases/detect.ts).
    delete d.externalSuperclass;
  }
  d.superclass = op.superclass;
  d.layoutTouched = true;
}

export function insertSuperclass(step: Step, op: Op<"insertSuperclass">): void {
  const d = step.classNamed(op.className);
  step.addDraft({ ...op.shape, superclass: d.superclass });
  d.superclass = op.shape.name;
  delete d.externalSuperclass;
  d.layoutTouched = true;
}

export function replaceImplementation(step: Step, op: Op<"replaceImplementation">): void {
  const d = step.classNamed(op.className);
  if (d.implementation === undefined && d.staticOrigins !== undefined && d.staticOrigins.size > 0) {
    step.refuse(
      `class ${d.name} had its static fields changed earlier in this patch; a new implementation brings its own statics (declare them there instead)`,
      { className: d.name },
    );
  }
  const implementation = step.live(op.implementation) as Constructor;
  const read = readClassDefinition(implementation);
  const renames = op.renames ?? {};
  const before = new Set(d.fields.map((f) => f.name));
  for (const [to, from] of Object.entries(renames)) {
    if (!before.has(from)) {
      // The map written the other way round (old name → new) is the likely mistake.
      const flipped = before.has(to)
        ? ` (renames maps each new field to the old one it comes from: { ${JSON.stringify(from)}: ${JSON.stringify(to)} } renames "${to}" to "${from}")`
        : "";
      step.refuse(
        `${d.name} has no field "${from}" to rename to "${to}"${flipped || unseenRename(d, from, to)}`,
        {
          className: d.name,
          field: from,
        },
      );
    }
  }
  const origins = new Map<string, string | null>();
  for (const f of read.fields) {
    const from = renames[f.name] ?? f.name;
    origins.set(f.name, before.has(from) ? originOf(d, from) : null);
  }
  d.staticOrigins = keptStatics(step, d, read.staticFields, op.keepStatics);
  // Outside the implementation's own module scope, an initial value that
  // reads it cannot be computed for a migrated object (phases/detect.ts).
  // Only its own fields: one it assigns over its superclass's (cannon's
  // `this.type = Vec3` in a Pool subclass) is the superclass's field.
  const own = new Set(read.fields.map((f) => f.name));
  const bound =
    op.sameScope === true
      ? []
      : (readableClassSource(implementation)?.moduleBoundFields ?? []).filter((f) => own.has(f));
  d.fields = read.fields.map((f) => (bound.includes(f.name) ? { name: f.name } : f));
  d.moduleBound = bound;
  d.methods = [...read.methods];
  d.staticFields = [...read.staticFields];
  d.fieldOrigins = origins;
  d.implementation = implementation;
  d.hasPrivateMembers = read.hasPrivateMembers;
  d.sameScope = op.sameScope === true;
  d.layoutTouched = true;
  followSuperclass(step, d, implementation);
  // Subclasses given their new implementations earlier in the patch, extending this one.
  for (const other of step.drafts.classes.values()) {
    if (other !== d && other.implementationParent === implementation) extendDraft(other, d);
  }
}

/**
 * Where the running version may hold `from` out of its source reader's
 * sight (rbush's `data`, set by `clear()` from the constructor): the
 * objects have it, the update carries it as unseen state, and a rename
 * hint, which maps fields the reader learned, cannot move it. A migrator
 * can (the engine carries what a migrator leaves on its target, and
 * nothing it deleted).
 */
function unseenRename(d: Draft, from: string, to: string): string {
  const unseen = unseenFields(d.base === null ? [] : [d.base]);
  if (!unseen.names.has(from) && !unseen.any) return "";
  const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
  return `: the running version may set "${from}" where its source reader cannot see it (a method, a condition), so it is carried as unseen state, not a field a rename hint can map; rename it with a migrator instead: .migrate(${JSON.stringify(d.name)}, (old, target) => { target${key(to)} = old${key(from)}; delete target${key(from)}; })`;
}

function extendDraft(d: Draft, superDraft: Draft): void {
  d.superclass = superDraft.name;
  delete d.externalSuperclass;
  delete d.implementationParent;
}

/**
 * The statics of a new implementation that keep their running value: the
 * ones the patch names (`keepStatics`); every other takes the value the new
 * class gave it, and by default the class handed in is never written to
 * (issue 12, item 19). `metamorph dev` names the statics whose initialiser
 * is unchanged, so that an edit of a method does not replace `static cache =
 * new Map()` or a `static shared = new Store()` singleton by a fresh one
 * (their state was lost at every save), while an edited initialiser
 * (`static limit = 10` → `20`) takes effect.
 */
function keptStatics(
  step: Step,
  d: Draft,
  next: readonly FieldDefinition[],
  named: readonly string[] | undefined,
): Map<string, string | null> {
  const before = new Set(d.staticFields.map((f) => f.name));
  const declared = new Set(next.map((f) => f.name));
  const kept = new Map<string, string | null>();
  if (named !== undefined) {
    for (const name of named) {
      if (!before.has(name) || !declared.has(name)) {
        step.refuse(
          `keepStatics names "${name}", which is not a static field of both versions of ${d.name} (old: ${[...before.keys()].join(", ") || "none"}; new: ${[...declared].join(", ") || "none"})`,
          { className: d.name, field: name },
        );
      }
      kept.set(name, name);
    }
  }
  return kept;
}

/**
 * The superclass a new implementation extends becomes the draft's: a class
 * handle (or the current version of one) by the name its class has in the
 * new world, the new implementation another class gets in this patch (before
 * or after this one: a package release's subclass extends the release's own
 * base class), anything else as a class outside the namespace. Whether the
 * class may move there is decided on the whole world (phases/detect.ts), and
 * that the handle is this namespace's when the shadow is built.
 */
function followSuperclass(step: Step, d: Draft, implementation: Constructor): void {
  const parent = Object.getPrototypeOf(implementation) as Function | null;
  if (parent === null || parent === Function.prototype) {
    d.superclass = null;
    delete d.externalSuperclass;
    delete d.implementationParent;
    return;
  }
  // Or a version of a handle (`metamorph dev` hands a subclass's running
  // version back, whose parent is its superclass's running version: every
  // later update of the base class was refused as a move to an outside class).
  const handle = isClassHandle(parent)
    ? parent
    : (handleOfPrototype(parent.prototype as object) ?? versionStates.get(parent)?.handle);
  if (handle === undefined) {
    // The new implementation of another class of this patch (a release's own base class).
    const sibling = [...step.drafts.classes.values()].find(
      (x) => x !== d && x.implementation === parent,
    );
    if (sibling !== undefined) {
      extendDraft(d, sibling);
      return;
    }
    d.superclass = null;
    d.externalSuperclass = parent.name || "(anonymous class)";
    d.implementationParent = parent;
    return;
  }
  delete d.implementationParent;
  const liveName = currentVersion(handle).definition.name;
  const superDraft = [...step.drafts.classes.values()].find((x) => x.oldName === liveName);
  if (superDraft === undefined || superDraft === d) {
    step.refuse(
      `the new implementation of ${d.name} extends ${liveName}, which is not a class of the namespace after this patch`,
      { className: d.name, superclass: liveName },
    );
  }
  d.superclass = superDraft.name;
  delete d.externalSuperclass;
}
