/**
 * Which class of the new release stands for a class of the running one.
 * Bundlers rename classes as they join modules (marked 12's bundle binds
 * `_Tokenizer`, `_Lexer`, `_TextRenderer`; rollup writes `Tokenizer$1`,
 * esbuild `Tokenizer2`), so names compared as written found no counterpart
 * of marked 4.3's `Tokenizer` in 12 (a Lexer kept 4.3's Tokenizer with no
 * word, and every lex threw), and took 12's `_TextRenderer` for another
 * class than the `TextRenderer` the same patch replaced (false
 * MM_FIELD_KIND_CHANGED and MM_OLD_RELEASE_VALUE). A class the patch
 * replaces is its replacement's by identity: both are versions of one
 * handle.
 */
import { versionStates } from "../mop/classHandle.js";
import type { ScopeBindings } from "./scopeBindings.js";

/** A name without a bundler's decorations: `_Tokenizer`, `Tokenizer$1` -> `Tokenizer`. */
const stem = (name: string) => name.replace(/^_+/, "").replace(/\$\d+$/, "");

/**
 * Whether two names are one class's as bundlers write it. A digit suffix
 * counts only against no suffix (esbuild's `Tokenizer2` for `Tokenizer`):
 * `Vec2` and `Vec3` are two classes.
 */
export function renamedAlike(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [stem(a), stem(b)];
  if (x === "" || y === "") return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return long.startsWith(short) && /^\d+$/.test(long.slice(short.length));
}

/** Whether `text` names a class called `name`, or a bundler's renaming of it. */
export function namesClass(text: string, name: string): boolean {
  for (const [word] of text.matchAll(/[A-Za-z_$][\w$]*/g))
    if (renamedAlike(word, name)) return true;
  return false;
}

/**
 * Whether `a` and `b` are versions of one class handle: a running class
 * and the replacement this update installed for it.
 */
export function sameHandle(a: unknown, b: unknown): boolean {
  if (typeof a !== "function" || typeof b !== "function") return false;
  const state = versionStates.get(a);
  return state !== undefined && state === versionStates.get(b);
}

/** What a name, or a dotted path from one (`ns.Pool`), means in `scope`. */
export function resolved(scope: ScopeBindings, path: string): unknown {
  const [head, ...rest] = path.split(".");
  return rest.reduce<unknown>(
    (v, k) => (v as Record<string, unknown> | null | undefined)?.[k],
    scope(head!),
  );
}

/** A value a name can stand for as a class: a function that has a prototype (not an arrow, not a method). */
const classLike = (value: unknown): value is Function =>
  typeof value === "function" && Object.hasOwn(value, "prototype");

/** The names under which `scope` binds `value`. */
export function namesOf(scope: ScopeBindings, value: unknown): string[] {
  try {
    return [...scope.entries()].flatMap(([name, v]) => (v === value ? [name] : []));
  } catch {
    return [];
  }
}

/**
 * The class the new release's scope has for one the running release calls
 * `names` (its `.name`, the names its scope binds it under): the one bound
 * under one of those names, else the one bound under a name, or with a
 * `.name`, a bundler's renaming of one. Undefined where there is none, or
 * where several classes would do (no guess).
 */
export function counterpart(
  names: readonly string[],
  scope: ScopeBindings,
): { readonly cls: Function; readonly name: string } | undefined {
  for (const name of names) {
    const exact = scope(name);
    if (classLike(exact)) return { cls: exact, name };
  }
  const found = new Map<Function, string>();
  try {
    for (const [name, value] of scope.entries())
      if (
        classLike(value) &&
        !found.has(value) &&
        names.some((n) => renamedAlike(name, n) || renamedAlike(value.name, n))
      )
        found.set(value, name);
  } catch {
    return undefined;
  }
  if (found.size !== 1) return undefined;
  const [cls, name] = [...found][0]!;
  return { cls, name };
}
