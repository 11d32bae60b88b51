/**
 * A class that keeps every object's state in a table of its module, keyed
 * by the object, filled by a function its constructor hands the object to:
 * @js-temporal/polyfill's `CreateTemporalDateSlots(this, …)` and
 * `CreateSlots(this)`, into a module WeakMap its methods read through
 * `GetSlot(this, …)`. The objects have no property of their own. A
 * package's next release is another evaluation of that module, with a
 * table of its own in which the existing objects have no entry: 0.4.3 ->
 * 0.4.4 committed, then every method of every old PlainDate threw
 * `invalid receiver`. No migrator can enter an object there (it sees a
 * copy, and the new release's table is out of its reach), so such an
 * update is refused before anything changes, as the maps a class's own
 * source names are (emittery: privateStateRefusal.ts outsideStateRefusal).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import { type BuildResult, fromAnotherScope } from "./build.js";
import { ancestry, instanceMemberNames } from "./changes.js";
import { definitionChain } from "./build.js";
import { unseenFields } from "./unseenFields.js";

/** A plain function called with `this` first (`CreateSlots(this)`), not a method (`registry.add(this)`). */
const HANDED = /(?<![\w$.])([A-Za-z_$][\w$]*)\s*\(\s*this\s*[,)]/g;
/** Transpilers' helpers handed the object for checks or fields, which keep nothing outside it. */
const HELPER =
  /^_{1,2}(?:classCallCheck|assertThisInitialized|possibleConstructorReturn|defineProperty|publicField|defNormalProp)\d*$/;

const handedTo = (text: string): Map<string, string> =>
  new Map(
    [...text.matchAll(HANDED)]
      .filter((m) => !HELPER.test(m[1]!))
      .map((m) => [m[1]!, `${m[1]}(this${m[0]!.endsWith(",") ? ", …" : ""})`] as const),
  );

/**
 * The call by which the running constructor hands the object to the code
 * that keeps its state outside it, where everything says the state is
 * there: no class of its chain has a field, learned or out of sight; the
 * new release's constructor hands it to such a function too; and
 * the new release's methods read nothing on `this` but its members while
 * they hand `this` to such functions (`GetSlot(this, …)`). Undefined
 * otherwise.
 */
export function tableKeptState(
  className: string,
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): string | undefined {
  const cls = build.classes.get(className)!;
  const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
  const change = fromAnotherScope(cls, old);
  if (change?.running === undefined) return undefined;
  const chain = ancestry(cls.oldName!, oldDefs).flatMap((n) => oldDefs.get(n) ?? []);
  const unseen = unseenFields(chain);
  if (chain.some((d) => d.fields.length > 0) || unseen.any || unseen.names.size > 0)
    return undefined;
  const [before, now] = [
    readableClassSource(change.running),
    readableClassSource(change.implementation),
  ];
  if (!before?.constructorSource || !now?.constructorSource) return undefined;
  // The new release files its objects the same way, under whatever name.
  const call = [...handedTo(before.constructorSource).values()][0];
  if (call === undefined || handedTo(now.constructorSource).size === 0) return undefined;
  const text = Function.prototype.toString.call(change.implementation);
  const methods = text.replace(now.constructorSource, "");
  if (handedTo(methods).size === 0) return undefined;
  const members = new Set(definitionChain(className, build).flatMap((d) => instanceMemberNames(d)));
  const read = [...methods.matchAll(/\bthis\s*\.\s*([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
  return read.every((m) => members.has(m)) ? call : undefined;
}

/** Whether each of `objects` has no property of its own: nothing of its state is on it. */
export function bare(objects: readonly object[], sample: number): boolean {
  for (let i = 0; i < objects.length && i < sample; i++) {
    try {
      if (Reflect.ownKeys(objects[i]!).length > 0) return false;
    } catch {
      return false; // a proxy's trap: the migration refuses it with its own error
    }
  }
  return true;
}
