/**
 * `this.m.bind(this)`: an initial value that binds one of the class's
 * methods to the object (a handler passed around, zod's `parse`).
 */
const BOUND = /^this\.([\p{ID_Start}$_][\p{ID_Continue}$]*)\.bind\(\s*this\s*\)$/u;

/** The method an initial value `this.m.bind(this)` binds, or undefined. */
export function boundMethodName(initializer: string | undefined): string | undefined {
  return initializer === undefined ? undefined : BOUND.exec(initializer.trim())?.[1];
}

const COPIED = /^this\.([\p{ID_Start}$_][\p{ID_Continue}$]*)$/u;

/**
 * The method a field initialised `this.m = this.m` copies onto the object
 * (tapable 2's Hook does so for `tap`, `tapAsync`, `tapPromise` and
 * `compile`: an own property V8 finds first), or undefined. The field holds
 * the method itself, unbound.
 */
export function copiedMethodName(initializer: string | undefined): string | undefined {
  return initializer === undefined ? undefined : COPIED.exec(initializer.trim())?.[1];
}
