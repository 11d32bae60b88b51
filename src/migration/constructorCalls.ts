/**
 * Fields a constructor gives a value and then changes through a method it
 * calls (croner 10: `this.year = Array(1e4).fill(0)`, then `this.parse()`
 * sets its bits). A migration can compute the initialiser, not the call:
 * such a new field gets the bare initial value on every migrated object,
 * where a fresh one has what the method made of it.
 */
import type { MethodDefinition } from "../mop/classDefinition.js";
import { readableClassSource } from "../mop/source/readableSource.js";

const CALL_ON_THIS = /\bthis\s*\.\s*([\p{ID_Start}$_][\p{ID_Continue}$]*)\s*\(/gu;

/** The methods `text` calls on `this` (`this.parse()`), in order. */
export function methodsCalledOnThis(text: string): string[] {
  return [...text.matchAll(CALL_ON_THIS)].map((m) => m[1]!);
}

const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/**
 * For each of `fields`, the first method of `methods` that the constructor of
 * `implementation` calls on `this` and that names the field on `this`.
 */
export function fieldsChangedByCalls(
  implementation: Function | undefined,
  methods: readonly MethodDefinition[],
  fields: readonly string[],
): Map<string, string> {
  const changed = new Map<string, string>();
  const source = readableClassSource(implementation)?.constructorSource;
  if (!source || fields.length === 0) return changed;
  const called = new Set(methodsCalledOnThis(source));
  const bodies = methods.filter(
    (m) => !m.static && m.kind === "method" && typeof m.key === "string" && called.has(m.key),
  );
  for (const field of fields) {
    const named = new RegExp(`\\bthis\\s*\\.\\s*${escaped(field)}(?![\\w$])`);
    const method = bodies.find((m) => named.test(m.source));
    if (method !== undefined) changed.set(field, method.key as string);
  }
  return changed;
}
