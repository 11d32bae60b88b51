/**
 * `this.m.bind(this)`: an initial value that binds one of the class's
 * methods to the object (a handler passed around, zod's `parse`).
 */
const BOUND = /^this\.([\p{ID_Start}$_][\p{ID_Continue}$]*)\.bind\(\s*this\s*\)$/u;

/** The method an initial value `this.m.bind(this)` binds, or undefined. */
export function boundMethodName(initializer: string | undefined): string | undefined {
  return initializer === undefined ? undefined : BOUND.exec(initializer.trim())?.[1];
}
