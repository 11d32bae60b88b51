/**
 * MM_STALE_FUNCTION_FIELD for functions a class's methods write into its
 * objects, which the source reader learns as no field: lru-cache 7.10's
 * constructor calls `initializeSizeTracking()`, which stores
 * `this.addItemSize = (index, v, k, size) => …` on each size-bounded cache;
 * 7.18 calls `this.addItemSize(index, size, status)`. Applied, every cache
 * made before the update kept the 7.10 function, read its arguments the old
 * way and stopped enforcing maxSize (calculatedSize NaN), and only the
 * generic MM_UNSEEN_STATE said anything.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import type { MadeFunctions } from "../mop/source/madeFunctions.js";
import { readMadeFunctions } from "../mop/source/parse.js";
import { type BuildResult, type ClassBuild, definitionChain } from "./build.js";
import { patchWrites } from "./migratorWrites.js";
import { releaseChains } from "./releaseChains.js";
import type { UpdateWarning } from "./warning.js";
import { quoted, warning } from "./warning.js";

const compact = (text: string) => text.replace(/\s+/g, "");

const cache = new WeakMap<Function, MadeFunctions>();

/**
 * What the instance code of `cls` writes into `this` (source/madeFunctions.ts),
 * through parse.ts, which the Vite page stands in for: there, nothing.
 */
function madeFunctions(cls: Function): MadeFunctions {
  let made = cache.get(cls);
  if (made !== undefined) return made;
  try {
    made = readMadeFunctions(cls);
  } catch {
    made = { functions: new Map(), assigned: new Set() };
  }
  cache.set(cls, made);
  return made;
}

/** What the classes of a chain write into `this` (a base release's code writes into its subclasses' objects too). */
function chainMade(chain: readonly Function[]): MadeFunctions {
  const functions = new Map<string, { text: string; in: string }[]>();
  const assigned = new Set<string>();
  for (const c of chain) {
    const made = madeFunctions(c);
    for (const [name, list] of made.functions)
      functions.set(name, [...(functions.get(name) ?? []), ...list]);
    for (const name of made.assigned) assigned.add(name);
  }
  return { functions, assigned };
}

/**
 * Functions the running release's methods (and constructor, out of the
 * reader's sight) wrote into the objects, where the new release writes
 * something else under that name: the objects keep the old function, which
 * the new code calls with its own arguments. With objects at hand, only the
 * names one of them holds such a function under (a cache made without
 * maxSize has none); without, every such name, as what the objects may
 * hold. Learned fields are MM_STALE_FUNCTION_FIELD's own (staleFunctionFields.ts).
 * One warning for the class, naming them all but those the patch's
 * migrator names where it writes (any migrator used to silence it).
 */
export function staleMethodFunctions(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  some: () => readonly object[] | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  const running = old && constructorOfDefinition(old);
  const implementation = cls.implementation;
  if (running === undefined || implementation === undefined || running === implementation)
    return [];
  const patch = patchWrites(className, build);
  const objects = some();
  if (objects?.length === 0) return [];
  let before: MadeFunctions;
  let now: MadeFunctions;
  try {
    const chains = releaseChains(className, build, oldDefs);
    [before, now] = [chainMade(chains.before), chainMade(chains.now)];
  } catch {
    return []; // no parser here (the Vite page)
  }
  const learned = new Set([
    ...old!.fields.map((f) => f.name),
    ...definitionChain(className, build).flatMap((d) => d.fields.map((f) => f.name)),
  ]);
  const stale: { name: string; in: string }[] = [];
  for (const [name, made] of before.functions) {
    if (learned.has(name) || !now.assigned.has(name) || patch.sets(name)) continue;
    const newTexts = new Set(now.functions.get(name)?.map((f) => f.text));
    const held = objects === undefined ? made : made.filter((f) => holds(objects, name, f.text));
    const changed = held.find((f) => !newTexts.has(f.text));
    if (changed !== undefined) stale.push({ name, in: changed.in });
  }
  if (stale.length === 0) return [];
  const methods = [...new Set(stale.map((s) => s.in))].map((m) =>
    m === "constructor" ? m : `${m}()`,
  );
  const names = quoted(stale.map((s) => s.name));
  return [
    warning(
      "MM_STALE_FUNCTION_FIELD",
      className,
      undefined,
      `${objects === undefined ? "the objects may hold" : "the objects hold"} functions the running version's ${methods.join(", ")} wrote into them (${names}), which the new version writes differently`,
      "existing objects keep those functions, the old code, which the new code calls with its own arguments; fresh ones get the new — roll this update back and restart, or make the live objects set them again in an afterCommit hook (ctx.instancesOf) where the new code allows it (a migrator sees a copy of the object, not the object the functions must close over)",
    ),
  ];
}

/** Whether one of `objects` holds, as its own value under `name`, a function whose text is `text`. */
function holds(objects: readonly object[], name: string, text: string): boolean {
  return objects.some((o) => {
    const d = Object.getOwnPropertyDescriptor(o, name);
    return (
      d !== undefined &&
      "value" in d &&
      typeof d.value === "function" &&
      compact(Function.prototype.toString.call(d.value)) === text
    );
  });
}
