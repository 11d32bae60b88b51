/**
 * Static data fields across versions. Installing a version made by metamorph
 * carries the old version's static values over by name (see installVersion);
 * a new implementation the user wrote keeps the values it declares and is
 * not written to, except the statics its patch names to keep their running
 * value (`keepStatics`; `metamorph dev` names those whose initialiser did
 * not change, so a cache or a singleton survives an edit of a method). On
 * top of that,
 * a renamed static takes the old value of its former name, an added or
 * re-initialised one keeps the value its initialiser gave the new version,
 * and undoing the install (a rollback) carries the values of the statics both
 * versions have back to the old version's (a re-initialised one only when
 * the program wrote it since), so a static's value survives both directions.
 */
import type { ClassVersion, Undo } from "../mop/classHandle.js";
import { currentVersion } from "../mop/classHandle.js";
import { installVersion } from "../mop/classVersions.js";
import { createdDefinition } from "../mop/createClass.js";
import { isSharedStatic } from "../mop/sharedStatics.js";

type Statics = Record<PropertyKey, unknown>;

/** `installVersion` with the static plan applied; its undo carries static values back. */
export function installWithStatics(
  handle: Function,
  version: ClassVersion,
  origins: ReadonlyMap<string, string | null> = new Map(),
): Undo {
  const old = currentVersion(handle);
  const oldCtor = old.ctor as unknown as Statics;
  const newCtor = version.ctor as unknown as Statics;
  // A class the user wrote (a new implementation): each static it declares
  // starts from its own value, as a re-initialised one, unless `origins`
  // carries it (an unchanged static keeps the running value).
  const userMade = createdDefinition(version.ctor) === undefined;
  const plan: ReadonlyMap<string, string | null> = userMade
    ? new Map(version.definition.staticFields.map((f) => [f.name, origins.get(f.name) ?? null]))
    : origins;
  const fresh = new Map<string, unknown>();
  for (const [name, origin] of plan) if (origin === null) fresh.set(name, newCtor[name]);
  // The class handed in, as it was: a rollback gives it back exactly (its
  // `defaultInstance` stayed the running release's after one).
  const handedIn = userMade ? ownStatics(newCtor, version.definition.staticFields) : undefined;
  const undoInstall = installVersion(handle, version);
  for (const [name, origin] of plan) {
    if (origin === null) {
      if (!userMade) newCtor[name] = fresh.get(name);
    } else if (isDataStatic(oldCtor, origin)) {
      keep(newCtor, name, oldCtor[origin]);
    }
  }
  const oldStatics = new Set(old.definition.staticFields.map((f) => f.name));
  return () => {
    for (const { name } of version.definition.staticFields) {
      let origin = plan.has(name) ? plan.get(name)! : name;
      // A re-initialised static the program did not write since goes back to its old value.
      if (origin === null && oldStatics.has(name) && !Object.is(newCtor[name], fresh.get(name)))
        origin = name;
      if (origin === null || !oldStatics.has(origin)) continue;
      if (isDataStatic(newCtor, name) && isDataStatic(oldCtor, origin, true))
        oldCtor[origin] = newCtor[name];
    }
    if (handedIn !== undefined) restore(newCtor, handedIn);
    undoInstall();
  };
}

/**
 * A static field's own value, functions included: a static field holding
 * one is data (superjson's `parse`, bound to its `defaultInstance`); the
 * static methods are not static fields and never come here.
 */
function isDataStatic(ctor: object, name: string, writable = false): boolean {
  const d = Reflect.getOwnPropertyDescriptor(ctor, name);
  // A derived version's static held on the class the program wrote (mop/writtenStatics.ts) is data there.
  if (d !== undefined && isSharedStatic(d)) return true;
  return d !== undefined && "value" in d && (!writable || d.writable === true);
}

/** Gives `ctor` the running value of a static it keeps, also where the new class made it read-only. */
function keep(ctor: Statics, name: string, value: unknown): void {
  const d = Reflect.getOwnPropertyDescriptor(ctor, name);
  if (d !== undefined && isSharedStatic(d)) ctor[name] = value;
  else if (d === undefined || !("value" in d) || d.configurable === true)
    Object.defineProperty(ctor, name, {
      value,
      writable: d && "value" in d ? d.writable === true : true,
      enumerable: d?.enumerable ?? true,
      configurable: true,
    });
  else if (d.writable === true) ctor[name] = value;
}

type Saved = ReadonlyMap<string, PropertyDescriptor | undefined>;

function ownStatics(ctor: Statics, fields: readonly { readonly name: string }[]): Saved {
  return new Map(fields.map((f) => [f.name, Reflect.getOwnPropertyDescriptor(ctor, f.name)]));
}

function restore(ctor: Statics, saved: Saved): void {
  for (const [name, d] of saved) {
    const now = Reflect.getOwnPropertyDescriptor(ctor, name);
    if (now !== undefined && now.configurable !== true) {
      if ("value" in now && now.writable === true && d !== undefined && "value" in d)
        ctor[name] = d.value;
      continue;
    }
    if (d === undefined) Reflect.deleteProperty(ctor, name);
    else Object.defineProperty(ctor, name, d);
  }
}
