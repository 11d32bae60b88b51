/**
 * Methods of the running version that the new one turns into state its
 * constructor sets (prom-client 15: `inc()` on the prototype becomes
 * `this.inc = this.incWithoutExemplar`). They leave the prototype at the
 * commit, so the objects alive now have the method no more, and get the
 * field only from what the migration gives them: an initialiser the
 * reader learnt (`valued`), or nothing it can compute — the constructor
 * computes it from its arguments (`this.inc = cfg.ex ? this.a : this.b`)
 * or sets it out of the reader's sight, in an if/else (`unvalued`): then
 * only a migrator can (detect.ts refuses without one; the validation
 * checks it did). An accessor turned into a field with an initialiser
 * gets that value, which may not be what the accessor answered (warnings.ts).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { BuildResult } from "./build.js";
import { definitionChain } from "./build.js";
import { unseenFields } from "./unseenFields.js";

export interface MethodsBecomingState {
  /** Learnt fields with an initialiser. */
  readonly valued: readonly string[];
  /** Fields with no initial value a migration can compute. */
  readonly unvalued: readonly string[];
  /** Those of both that were accessors, not methods. */
  readonly accessors: ReadonlySet<string>;
}

export function methodsBecomingState(
  name: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): MethodsBecomingState {
  const cls = build.classes.get(name)!;
  const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
  if (old === undefined) return { valued: [], unvalued: [], accessors: new Set() };
  const accessors = new Set<string>();
  const methods = instanceMembers(cls.oldName!, (n) => oldDefs.get(n), accessors);
  // Old objects that already have the field (zod binds `this.parse =
  // this.parse.bind(this)` in both releases) lose nothing.
  const oldFields = new Set(old.fields.map((f) => f.name));
  for (const f of oldFields) methods.delete(f);
  const newChain = definitionChain(name, build);
  const kept = instanceMembers(name, (n) => build.classes.get(n)?.definition);
  // A method the new version keeps on its prototype does not leave it: a
  // field of its name holds it (`this.tap = this.tap`, tapable 2; bound,
  // `this.parse.bind(this)`), any other is the validation's field-shadows-method.
  const learned = cls.definition.fields.filter((f) => methods.has(f.name) && !kept.has(f.name));
  const unseen = [...unseenFields(newChain).names].filter((f) => methods.has(f) && !kept.has(f));
  // A value the patch gives (an `initial` function, a field it carries over) counts.
  const valued = (f: { name: string; initializer?: string }) =>
    f.initializer !== undefined ||
    cls.initialisers.has(f.name) ||
    oldFields.has(cls.fieldOrigins.get(f.name) ?? "");
  const valuedFields = learned.filter(valued).map((f) => f.name);
  const unvalued = [...learned.filter((f) => !valued(f)).map((f) => f.name), ...unseen];
  const all = new Set([...valuedFields, ...unvalued]);
  return {
    valued: valuedFields,
    unvalued,
    accessors: new Set([...accessors].filter((a) => all.has(a))),
  };
}

/**
 * The instance methods and accessors (string keys) of class `name` and its
 * ancestors; the accessors go into `accessors` too, if given.
 */
function instanceMembers(
  name: string,
  definition: (name: string) => ClassDefinition | undefined,
  accessors?: Set<string>,
): Set<string> {
  const members = new Set<string>();
  for (let d = definition(name); d !== undefined; ) {
    for (const m of d.methods) {
      if (m.static || typeof m.key !== "string" || members.has(m.key)) continue;
      members.add(m.key);
      if (m.kind !== "method") accessors?.add(m.key);
    }
    d = d.superclass === null ? undefined : definition(d.superclass);
  }
  return members;
}
