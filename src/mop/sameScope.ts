/**
 * Implementations a patch says were evaluated in their running version's
 * module scope (`replaceImplementation(name, cls, { sameScope: true })`, as
 * `metamorph dev`'s reloads are): their module's bindings name the handles,
 * so the program never names such a class itself — it builds nothing
 * outside the handle (no update has to search for such objects,
 * migration/outsideBuilt.ts) and tests nothing with `instanceof` it (the
 * stable prototype need not be linked onto its prototype, classVersions.ts).
 */
const sameScope = new WeakSet<Function>();

export function noteSameScope(implementation: Function): void {
  sameScope.add(implementation);
}

export function isSameScope(implementation: Function): boolean {
  return sameScope.has(implementation);
}
