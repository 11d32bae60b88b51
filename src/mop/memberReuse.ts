/**
 * A new version of a created class keeps the running version's function
 * objects for the members it leaves as they were: same source, same kind,
 * compiled against the same scope and superclass (what reusing the field
 * initialiser asks too, initialiserReuse.ts `compiledAlike`). Each version
 * is compiled afresh, and every member landed on the stable prototype as a
 * new function: a call site already hot on `o.m()` then saw two targets and
 * V8 stopped inlining it — about 3× slower for good, after any update, even
 * one that did not touch `m` (review advZ8: 0.95 → 3.2 ns a call; the same
 * change made by hand left it at 0.9). Kept, the prototype's property holds
 * the same value and the site its feedback.
 *
 * Reused, a method keeps the running version's home object for `super`:
 * the same superclass's prototype, as the condition requires.
 */
import type { ClassDefinition, MethodDefinition } from "./classDefinition.js";
import { compiledAlike, type Reuse } from "./initialiserReuse.js";

/** Instance members by property key, for string keys (what a definition names plainly). */
function byKey(definition: ClassDefinition): Map<string, MethodDefinition[]> {
  const members = new Map<string, MethodDefinition[]>();
  for (const method of definition.methods) {
    if (method.static || typeof method.key !== "string") continue;
    const list = members.get(method.key) ?? [];
    list.push(method);
    members.set(method.key, list);
  }
  return members;
}

const sameMember = (a: readonly MethodDefinition[], b: readonly MethodDefinition[]): boolean =>
  a.length === b.length &&
  a.every((m) => b.some((n) => n.kind === m.kind && n.source.trim() === m.source.trim()));

/**
 * Puts on `home` (the new version's method holder) the running version's
 * member for every key whose definition is unchanged from `before`'s, where
 * `previousHome` (the running version's holder) has it.
 */
export function reuseUnchangedMembers(
  home: object,
  definition: ClassDefinition,
  before: ClassDefinition,
  previousHome: object,
): void {
  const previous = byKey(before);
  for (const [key, members] of byKey(definition)) {
    const was = previous.get(key);
    if (was === undefined || !sameMember(members, was)) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(previousHome, key);
    const now = Reflect.getOwnPropertyDescriptor(home, key);
    if (descriptor === undefined || now === undefined || "value" in descriptor !== "value" in now)
      continue;
    Object.defineProperty(home, key, descriptor);
  }
}

/**
 * reuseUnchangedMembers onto `home`, the new version's method holder, where
 * the running version's (`previousHome`) was compiled as this one is.
 */
export function keepUnchangedMembers(reuse: Reuse, home: object, previousHome: unknown): void {
  if (typeof previousHome !== "object" || previousHome === null || !compiledAlike(reuse)) return;
  // `super` in a reused method reads its own home's [[Prototype]].
  if (Object.getPrototypeOf(previousHome) !== Object.getPrototypeOf(home)) return;
  reuseUnchangedMembers(home, reuse.definition, reuse.before!, previousHome);
}
