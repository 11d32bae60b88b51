/**
 * MM_UNSEEN_STATE for a symbol-keyed property a constructor defines under a
 * key its source names (`Object.defineProperty(this, Symbol.for("…"), …)`,
 * symbolDefinitions.ts), said only where the releases differ.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { definedSymbol } from "../mop/source/symbolDefinitions.js";
import type { UpdateWarning } from "./warning.js";
import { notesOf, warning } from "./warning.js";

/**
 * The symbol-keyed properties one release's constructor defines and the
 * other's does not (same key, same kind of descriptor: symbolDefinitions.ts).
 * One both define, every live object already has, as fresh ones do: said,
 * it was a false MM_UNSEEN_STATE (yaml's Schema, seven of them).
 */
export function symbolsDefinedOnlyBy(
  className: string,
  old: ClassDefinition | undefined,
  definition: ClassDefinition,
): UpdateWarning[] {
  const defined = (d: ClassDefinition | undefined) =>
    new Map(
      notesOf(d).flatMap((note) => {
        const symbol = definedSymbol(note);
        return symbol === undefined ? [] : [[symbol, note] as const];
      }),
    );
  const [running, next] = [defined(old), defined(definition)];
  const only = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) =>
    [...a].filter(([symbol]) => !b.has(symbol)).map(([, note]) => note);
  return [
    ...only(running, next).map((note) =>
      warning(
        "MM_UNSEEN_STATE",
        className,
        undefined,
        note,
        "the new release does not define it so: the objects alive now keep it as the running release made it, where fresh ones do not have it; give the class a migrator that deletes or changes it",
      ),
    ),
    ...only(next, running).map((note) =>
      warning(
        "MM_UNSEEN_STATE",
        className,
        undefined,
        note.replace(/ defined in the constructor:/, " defined in the new release's constructor:"),
        "the objects alive now never get it, where fresh ones do; give the class a migrator that defines it",
      ),
    ),
  ];
}
