/**
 * MM_STALE_FUNCTION_FIELD: a field both versions give a function. Each
 * object keeps the function its constructor made, so a new body reaches
 * fresh objects only.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { boundMethodName } from "../mop/boundMethod.js";
import { isArrow } from "../mop/readClassDefinition.js";
import { readableClassSource } from "../mop/source/readableSource.js";
import {
  type BuildResult,
  type ClassBuild,
  fromAnotherScope,
  oldFieldsUnmigrated,
} from "./build.js";
import { methodsCalledOnThis } from "./constructorCalls.js";
import { staleMethodFunctions } from "./methodFunctions.js";
import { staleFunctionObjects } from "./staleFunctionObjects.js";
import { sampledObjects } from "./sampledObjects.js";
import type { UpdateWarning } from "./warning.js";
import { warning } from "./warning.js";

/** An initial value that makes a function: a function expression or a bound method (arrows: isArrow). */
const FUNCTION_VALUE = /^(?:async\s+)?function\b|\.bind\(\s*this\s*\)$/u;
const makesFunction = (text: string) => FUNCTION_VALUE.test(text) || isArrow(text);
/** An initial value naming a value of the module (`this.parse = defaultParse`). */
const NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$]*(?:\.[\p{ID_Start}$_][\p{ID_Continue}$]*)*$/u;

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
  /** Some objects of the class, migrated or alive (one is looked at). */
  migrated: () => readonly object[] | undefined = () => undefined,
  /** The running version's definitions, the class's superclasses' among them. */
  oldDefs: ReadonlyMap<string, ClassDefinition> = new Map(
    old && cls.oldName !== null ? [[cls.oldName, old]] : [],
  ),
): UpdateWarning[] {
  // The prepare phase's sample first: the first objects, where the commit's may be none (lazy).
  // Asked only where a check needs them: read at every update, the migrated
  // objects' list cost an eager update of 10^6 objects 30 MiB of peak heap.
  let asked = false;
  let found: readonly object[] | undefined;
  const objects = (): readonly object[] | undefined => {
    if (!asked) [asked, found] = [true, sampledObjects(build, className) ?? migrated()];
    return found;
  };
  return [
    ...learnedFunctionFields(className, cls, build, old, objects),
    ...staleMethodFunctions(className, cls, build, old, objects, oldDefs),
    // Functions inside plain objects the fields hold (csv-parse's `api`).
    ...staleFunctionObjects(className, cls, build, old, objects(), oldDefs),
  ];
}

function learnedFunctionFields(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  migrated: () => readonly object[] | undefined,
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
    // The function written in place first: what a later `this.f = this.f.bind(this)` binds.
    const was = madeBefore.get(f.name) ?? oldInitial.get(f.name);
    // An initial value reading the module is not kept for another scope (classOperations.ts).
    const now = madeNow.get(f.name) ?? f.initializer ?? (elsewhere ? was : undefined);
    if (!before.has(f.name) || was === undefined || now === undefined) return [];
    const [w, n] = [was.trim(), now.trim()];
    // A function of the running release's module held by name (log4js's
    // `this.parseCallStack = defaultParseCallStack`): its text says nothing;
    // what the migrated objects hold says it is a function.
    const named =
      elsewhere && NAME.test(w) && !LITERAL.has(w) && holdsFunction(migrated(), f.name, w);
    // Made by code the text only calls or falls back to (keyv's
    // `this.iterator = this.generateIterator(…)`, tinybench's
    // `o.setup ?? (() => {})`): what the objects hold says it is a function.
    // With no object at hand (the heap finder gives none to an update that
    // migrates nothing), a changed method called there that returns a
    // function written in it says so.
    const indirect =
      !makesFunction(w) &&
      !makesFunction(n) &&
      !named &&
      (methodsCalledOnThis(w).length > 0 || FUNCTION_WRITTEN.test(w)) &&
      (holdsFunction(migrated(), f.name, "")
        ? was !== now || elsewhere || calledMethodChanged(w, old!, cls.definition) !== undefined
        : calledMethodChanged(w, old!, cls.definition)?.returnsFunction === true);
    // Written in place by a constructor, also as a fallback (`o.f ?? (() => …)`).
    const inPlace = madeBefore.has(f.name) || madeNow.has(f.name);
    if (!makesFunction(w) && !makesFunction(n) && !named && !indirect && !inPlace) return [];
    // A fallback holds the program's own function as often as its own: said
    // only where the fallback's text changes, not for its module alone.
    if (inPlace && !makesFunction(w) && !makesFunction(n) && was === now) return [];
    const bound = boundMethodName(w);
    const note =
      was !== now
        ? `field \`${f.name}\` holds a function whose body the new version changes`
        : named
          ? `field \`${f.name}\` holds the running release's function \`${w}\`, from its module; the new implementation comes from another module scope`
          : indirect
            ? `field \`${f.name}\` holds a function the running version's constructor made (\`${w}\`)`
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

/** A function written somewhere in a constructor's value (a fallback's): with a call on `this`, what makes one indirectly. */
const FUNCTION_WRITTEN = /=>|\bfunction\b/u;

/**
 * The method `text` calls on `this` (`this.make()`) if its source differs
 * between the two definitions, with whether the running one returns a
 * function written in it (`return (k) => …`).
 */
function calledMethodChanged(
  text: string,
  old: ClassDefinition,
  now: ClassDefinition,
): { readonly returnsFunction: boolean } | undefined {
  const called = methodsCalledOnThis(text)[0];
  if (called === undefined || !methodChanged(called, old, now)) return undefined;
  const source = old.methods.find((m) => !m.static && m.key === called)?.source ?? "";
  return {
    returnsFunction: /\breturn\s+(?:async\s+)?(?:function\b|\(?[\w$,\s]*\)?\s*=>)/u.test(source),
  };
}

/** Whether instance method `name`'s source differs between the two definitions. */
function methodChanged(name: string, old: ClassDefinition, now: ClassDefinition): boolean {
  const source = (d: ClassDefinition) =>
    d.methods.find((m) => !m.static && m.key === name && m.kind === "method")?.source;
  return source(old) !== source(now);
}

/** Words that name no module value. */
const LITERAL: ReadonlySet<string> = new Set([
  "null",
  "undefined",
  "true",
  "false",
  "this",
  "NaN",
  "Infinity",
]);

/**
 * Whether one of the first `objects` holds, in field `name`, a function of a
 * module: not a class, not a built-in (`[native code]`: `Date.now`, Node's
 * bound `console.log`), not what `path` names on the global object (every
 * module sees the same one).
 */
function holdsFunction(
  objects: readonly object[] | undefined,
  name: string,
  path: string,
): boolean {
  const global = path
    .split(".")
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], globalThis);
  return (objects ?? []).slice(0, 16).some((o) => {
    const value = (o as Record<string, unknown>)[name];
    if (typeof value !== "function" || value === global) return false;
    const text = Function.prototype.toString.call(value);
    return !/^class\b/.test(text) && !text.includes("[native code]");
  });
}
