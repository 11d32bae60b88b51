/**
 * Whether a field initialiser's value can hold the object it is computed
 * for: `this.remove.bind(this)`, `(p) => this.remove(p)`, `new Helper(this)`,
 * `[this]`, `this` itself. Run before the commit on a shadow copy (as other
 * initialisers are, to read the object's state as the new version would see
 * it without touching the live object), its value would hold that copy: a
 * bound handler that writes to a phantom object (chokidar 4's `FSWatcher`),
 * a timer ticking it for ever. The migration runs it only on the object
 * itself, once the object has its new fields and its class the new version
 * (instanceMigration.ts `rebindFields`); the copy holds `undefined` there.
 *
 * Read from the source text, without a parser (the update engine is
 * loaded into pages, which carry none): `this` other than as the object of
 * a member read (`this.x`, `this[k]`, `this?.x`), a method called on it
 * (`this.makeHandler()` may return a closure over its `this`), or `this`
 * after an arrow (`(p) => this.remove(p)`) captures it. The test is
 * conservative: `this` in a string, or in a `function` with its own `this`,
 * counts too: such an initialiser then runs on the object rather than on
 * the copy, which differs only in that it sees what the migrators set.
 */
import { MigrationError } from "../errors.js";
import { asyncRefusal, isThenable } from "./synchronous.js";

const THIS = /\bthis\b/;
/** `this` not followed by a member access. */
const BARE_THIS = /(?<![\w$.])this\b(?!\s*(?:\.|\[|\?\.))/;
/** A method called on `this`: `this.m(`, `this[k](`, `this.m?.(`. */
const METHOD_CALL = /(?<![\w$.])this\s*(?:\??\.\s*[\w$]+|\[[^\]]*\])\s*(?:\?\.\s*)?\(/;
/** `this` after an arrow. */
const ARROW_THIS = /=>[\s\S]*(?<![\w$.])this\b/;

export function capturesThis(source: string): boolean {
  if (!THIS.test(source)) return false;
  return BARE_THIS.test(source) || METHOD_CALL.test(source) || ARROW_THIS.test(source);
}

/**
 * A field of a migrated object that must be computed again on the object
 * itself: `fn` (a default initialiser that captures `this`), or, without
 * one, the object itself (a value that was the shadow copy: a migrator's
 * `target.self = target`).
 */
export interface Rebind {
  readonly index: number;
  readonly fn?: (this: object) => unknown;
}

/**
 * The fields of a freshly prepared migration to compute again on the
 * object (see the top of this file): capturing defaults whose value no
 * migrator replaced, and values that are the copy itself. Null if none.
 */
export function rebindsOf(
  capturing: readonly Rebind[],
  copy: object | null,
  computed: readonly unknown[],
  final: readonly unknown[],
): Rebind[] | null {
  let out: Rebind[] | null = null;
  for (const r of capturing) {
    // A migrator that gave the field another value decided it.
    if (Object.is(computed[r.index], final[r.index])) (out ??= []).push(r);
  }
  if (copy === null) return out;
  for (let i = 0; i < final.length; i++) {
    if (final[i] === copy && !capturing.some((r) => r.index === i)) (out ??= []).push({ index: i });
  }
  return out;
}

/**
 * Computes the `rebinds` of a just rewritten `object` on it, in field order,
 * and writes them in place (its fields are there: no layout change, no
 * setter runs), recording each value in `values` (what was installed).
 * Runs after the new version is installed (its methods are the prototype's);
 * a throw leaves the object to be reverted by the caller, as any failure
 * of its rewrite.
 */
export function rebindFields(
  object: object,
  plan: { readonly className: string; readonly fields: readonly string[] },
  rebinds: readonly Rebind[],
  values: unknown[],
): void {
  let field = "";
  try {
    for (const { index, fn } of rebinds) {
      field = plan.fields[index]!;
      const value = fn ? fn.call(object) : object;
      if (isThenable(value)) throw asyncRefusal(value, `the initialiser of field "${field}"`);
      // Put back meanwhile: the initialiser touched another object whose
      // lazy migration failed, and the update was rolled back under it.
      if (!Object.hasOwn(object, field)) throw new TypeError(`the object was put back`);
      if (!Reflect.defineProperty(object, field, { value }))
        throw new TypeError(`field "${field}" cannot be written`);
      values[index] = value;
    }
  } catch (error) {
    throw new MigrationError(
      `computing field "${field}" of a ${plan.className} instance on the object itself (its initialiser captures \`this\`) threw: ${(error as Error)?.message ?? String(error)}`,
      { className: plan.className, field, object, cause: error },
    );
  }
}
