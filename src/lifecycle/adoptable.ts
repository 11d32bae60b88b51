/**
 * The cooperation a class offers for its private `#` state (see
 * privateState.ts): the `Adoptable` base class, whose constructor hands back
 * an existing object so that a new version's private fields are installed on
 * it, and the export/import hooks a version declares.
 */

/** The object the next Adoptable constructor returns instead of a fresh one. */
let adoptee: object | undefined;
/** The object being adopted, for the whole of the adopting construction. */
let adopting: object | undefined;

/**
 * Base class for new versions that bring private `#` fields to existing
 * objects. For ordinary `new`, it is an empty base class.
 */
export class Adoptable {
  constructor() {
    const target = adoptee;
    if (target !== undefined) {
      adoptee = undefined;
      // Return override: the derived constructor's fields are installed on `target`.
      // biome-ignore lint/correctness/noConstructorReturn: this is the technique
      return target as Adoptable;
    }
  }

  /** True while `instance` is being adopted by a new version (its constructor runs on an existing object). */
  static isAdopting(instance: object): boolean {
    return adopting !== undefined && adopting === instance;
  }
}

/** The hooks' names, as a class writes them. */
export const EXPORT_HOOK = "metamorphExport";
export const IMPORT_HOOK = "metamorphImport";

export type ExportHook = (instance: object) => unknown;
export type ImportHook = (instance: object, state: unknown) => void;

/** Objects each new-version class has adopted (it cannot adopt them twice). */
const adoptedBy = new WeakMap<Function, WeakSet<object>>();

export function extendsAdoptable(cls: Function): boolean {
  for (
    let p: unknown = Object.getPrototypeOf(cls);
    typeof p === "function";
    p = Object.getPrototypeOf(p)
  ) {
    if (p === Adoptable) return true;
  }
  return false;
}

export function ownHook<F>(cls: Function, name: string): F | undefined {
  const d = Object.getOwnPropertyDescriptor(cls, name);
  return d && typeof d.value === "function" ? (d.value as F) : undefined;
}

/** Whether `implementation` already installed its private fields on `object` (in an attempt that failed). */
export function alreadyAdopted(implementation: Function, object: object): boolean {
  return adoptedBy.get(implementation)?.has(object) ?? false;
}

/**
 * Runs `implementation`'s constructor (a class extending Adoptable) on the
 * existing `object`, which installs the new version's private fields and
 * brand on it, keeping its identity.
 */
export function constructOnto(implementation: Function, object: object): void {
  adoptee = object;
  adopting = object;
  try {
    const result = Reflect.construct(implementation, [], implementation);
    if (result !== object) {
      throw new TypeError(
        `${implementation.name}'s constructor returned another object; an adopting constructor must not return one`,
      );
    }
  } finally {
    adoptee = undefined;
    adopting = undefined;
  }
  let set = adoptedBy.get(implementation);
  if (!set) adoptedBy.set(implementation, (set = new WeakSet()));
  set.add(object);
}
