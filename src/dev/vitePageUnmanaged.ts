/**
 * Classes the page leaves unmanaged: one that extends a class metamorph does
 * not manage (a package's class: Lit's `LitElement`, React's `Component`),
 * or a second class of a name another module manages. Their edits were
 * accepted and dropped — no update, no reload, the old code kept running
 * (review advZ5 1, 2). As under `metamorph dev` (./unmanagedClasses.ts), an
 * edit now replaces their methods and accessors in place; their fields and
 * existing objects stay as they are. The module's binding keeps the class
 * of the first evaluation, which the objects, `instanceof` and
 * `customElements` know.
 */
import { PREFIX } from "./prefix.js";
import {
  readOnceReason,
  staticsReadOnce,
  transplantMethods,
  unmanagedWarning,
} from "./unmanagedClasses.js";

/** An unmanaged class: the one its objects were made by, why it is unmanaged, and the source applied last. */
export interface UnmanagedClass {
  readonly live: Function;
  readonly reason: string;
  text: string;
}

/** The edit of an unmanaged class, applied with the module's update (or alone). */
export interface Transplant {
  readonly name: string;
  /**
   * The class's source is the one applied last: its methods are replaced only
   * when the module is evaluated again because a module it imports changed
   * (they read the new one).
   */
  readonly same: boolean;
  /** Why only a reload applies the edit (a static the package read once), if it is so. */
  readonly reload: string | undefined;
  /** Replaces the methods; returns the warning that says what was not done. */
  apply(): string;
}

const sourceOf = (cls: Function): string => Function.prototype.toString.call(cls);

/** Records `cls` as unmanaged: later evaluations replace its methods. */
export function leave(
  classes: Map<string, UnmanagedClass>,
  name: string,
  cls: Function,
  reason: string,
): void {
  classes.set(name, { live: cls, reason, text: sourceOf(cls) });
}

/**
 * A later evaluation of an unmanaged class: returns what the module's binding
 * must hold (the running class), and adds its transplant to `out`.
 */
export function revisit(
  unmanaged: UnmanagedClass,
  name: string,
  cls: Function,
  out: Transplant[],
): Function {
  const text = sourceOf(cls);
  const same = text === unmanaged.text;
  const readOnce = same ? undefined : staticsReadOnce(cls, unmanaged.live);
  out.push({
    name,
    same,
    reload: readOnce && readOnceReason(name, readOnce),
    apply() {
      const statics = transplantMethods(cls, unmanaged.live);
      unmanaged.text = text;
      return unmanagedWarning(name, unmanaged.reason, statics);
    },
  });
  return unmanaged.live;
}

/**
 * A class a module variable holds (`let X = class …`; TypeScript's
 * experimentalDecorators compile a decorated class so, `X = __decorate([…],
 * X)` after it): left unmanaged, so that an edit of it gives the running
 * class its methods, as for a class extending a package's (review advZ16
 * 2: each edit of a decorated Lit element reloaded the page, with no word).
 * Returns what the variable holds: the class at first, then the running
 * value (`running`, what the decorators made of it: their calls are not run
 * again while unchanged).
 */
export function hold(
  classes: Map<string, UnmanagedClass>,
  path: string,
  name: string,
  cls: Function,
  decorated: boolean,
  running: unknown,
  out: Transplant[],
): Function {
  const known = classes.get(name);
  if (known) {
    revisit(known, name, cls, out);
    return typeof running === "function" ? running : known.live;
  }
  const reason = decorated
    ? `TypeScript's experimentalDecorators compile it to a module-level variable, \`let ${name} = class …\``
    : `a module-level variable holds it, \`let ${name} = class …\``;
  leave(classes, name, cls, reason);
  console.warn(
    `${PREFIX} ${path}: class ${name} is not managed: ${reason}; its methods are still reloaded, its fields are not`,
  );
  return cls;
}
