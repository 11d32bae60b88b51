/**
 * After a hot update of a module that exports more than classes: its classes
 * were updated in place; when its other exports changed (or cannot be
 * compared) the update goes on to its importers through Vite, saying why
 * (./vitePageRuntime.ts `accepted`).
 */
import { isClassHandle } from "../mop/classHandle.js";
import { PREFIX } from "./prefix.js";

/** The part of Vite's `import.meta.hot` used here. */
export interface HotContext {
  invalidate(message?: string): void;
}

/** Whether a new export is the same as the old: the same value, or a function with the same source. */
function sameExport(before: unknown, after: unknown): boolean {
  if (Object.is(before, after)) return true;
  return (
    typeof before === "function" &&
    typeof after === "function" &&
    !isClassHandle(before) &&
    Function.prototype.toString.call(before) === Function.prototype.toString.call(after)
  );
}

/**
 * After a hot update: when the module's other exports changed (or cannot be
 * compared), the update goes on to its importers through Vite, saying why.
 */
export function handOn(
  path: string,
  hot: HotContext,
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
  opaque: string | null,
  /**
   * When the module was evaluated again because a module it imports changed:
   * its other exports that read what it imports. Their source is the same,
   * but the importers' copies still read the earlier module (its state, its
   * code) while the new classes read the new one (review advZ16 1).
   */
  importing?: readonly string[],
): void {
  const reimported = (importing ?? []).filter((name) => !Object.is(previous[name], next[name]));
  const changed = Object.keys(previous).filter((name) => !sameExport(previous[name], next[name]));
  const they = (names: readonly string[]) => (names.length === 1 ? "it" : "they");
  const reason = opaque
    ? `${path} cannot be updated in place because ${opaque}`
    : changed.length > 0
      ? `${path} exports ${changed.join(", ")} besides its classes, and ${they(changed)} changed`
      : reimported.length > 0
        ? `${path} exports ${reimported.join(", ")} besides its classes, and ${they(reimported)} read${reimported.length === 1 ? "s" : ""} a module it imports, which changed`
        : undefined;
  if (reason === undefined) return;
  console.info(
    `${PREFIX} ${reason}: its classes were updated in place; Vite now updates its importers (a page reload if none accepts the update)`,
  );
  hot.invalidate(`metamorph: ${reason}`);
}
