/**
 * MM_STALE_FUNCTION_FIELD: a field both versions give a function. Each
 * object keeps the function its constructor made, so a new body reaches
 * fresh objects only.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import {
  type BuildResult,
  type ClassBuild,
  fromAnotherScope,
  oldFieldsUnmigrated,
} from "./build.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/** An initial value that makes a function: an arrow function, a function expression, a bound method. */
const FUNCTION_VALUE =
  /^(?:async\s*)?(?:\([^)]*\)|[\p{ID_Start}$_][\p{ID_Continue}$]*)\s*=>|^(?:async\s+)?function\b|\.bind\(\s*this\s*\)$/u;

/**
 * Fields both versions have whose initial value is a function with another
 * body in the new version (`format = () => `$…`` becoming `€…`): each
 * existing object holds its own function, made by the old constructor, and
 * keeps calling the old body; no layout change migrates it.
 */
export function staleFunctionFields(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  const before = oldFieldsUnmigrated(className, cls, build, old);
  if (before === undefined) return [];
  const oldInitial = new Map(old!.fields.map((f) => [f.name, f.initializer]));
  // A function made by the running release closes over its module, whatever its text.
  const elsewhere = fromAnotherScope(cls, old) !== undefined;
  // Functions the constructors write in place, also those closing over their
  // locals (msgpackr's `let structures; this.pack = function (v) { … }`),
  // which have no initial value: compared by their text.
  const running = old && constructorOfDefinition(old);
  const made = (c: Function | undefined) => new Map(readableClassSource(c)?.functionFields);
  const [madeBefore, madeNow] = [made(running), made(cls.implementation)];
  return cls.definition.fields.flatMap((f) => {
    const was = oldInitial.get(f.name) ?? madeBefore.get(f.name);
    // An initial value reading the module is not kept for another scope (classOperations.ts).
    const now = f.initializer ?? madeNow.get(f.name) ?? (elsewhere ? was : undefined);
    if (!before.has(f.name) || was === undefined || now === undefined) return [];
    if (!FUNCTION_VALUE.test(was.trim()) && !FUNCTION_VALUE.test(now.trim())) return [];
    const bound = BOUND_METHOD.exec(was.trim())?.[1];
    const note =
      was !== now
        ? `field \`${f.name}\` holds a function whose body the new version changes`
        : elsewhere
          ? `field \`${f.name}\` holds a function the running release made, closing over its module; the new implementation comes from another module scope`
          : bound !== undefined && methodChanged(bound, old!, cls.definition)
            ? `field \`${f.name}\` holds method ${bound}() bound to the object, and the new version changes ${bound}()`
            : undefined;
    if (note === undefined) return [];
    return [
      warning(
        "MM_STALE_FUNCTION_FIELD",
        className,
        f.name,
        note,
        `existing objects keep their own \`${f.name}\` (the old code, bound to them), fresh ones get the new — write it as a method (methods change on every object) where old objects must run the new code, or restart`,
      ),
    ];
  });
}

/** `this.name.bind(this)`: the method a bound-method field holds. */
const BOUND_METHOD = /^this\.([\p{ID_Start}$_][\p{ID_Continue}$]*)\.bind\(\s*this\s*\)$/u;

/** Whether instance method `name`'s source differs between the two definitions. */
function methodChanged(name: string, old: ClassDefinition, now: ClassDefinition): boolean {
  const source = (d: ClassDefinition) =>
    d.methods.find((m) => !m.static && m.key === name && m.kind === "method")?.source;
  return source(old) !== source(now);
}
