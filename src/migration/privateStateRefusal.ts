/**
 * The refusal of a new version of a class with private `#` state, with
 * advice the user can follow: the export/import hooks for the program's own
 * classes; for a class whose source is not the program's (a package's, or
 * native), which cannot be given hooks, a restart or a class of the user's
 * own around it.
 */
import { PrivateStateError } from "../errors.js";
import { classOrigin } from "../mop/classOrigin.js";
import { METHOD_HOME } from "../mop/createClass.js";
import { readableClassSource } from "../mop/source/readableSource.js";

/** The first of `classes` whose source is not the program's, with where it comes from. */
function thirdParty(classes: readonly (Function | undefined)[]): string | undefined {
  for (const cls of classes) {
    // A constructor metamorph made carries no source of the user's either way.
    if (cls === undefined || Object.hasOwn(cls, METHOD_HOME)) continue;
    const origin = classOrigin(cls);
    if (origin.kind === "native") return `${cls.name} is built into the platform`;
    if (origin.kind === "package") return `${cls.name} comes from ${origin.url}`;
  }
  return undefined;
}

/** What to do about `name`'s private state, given the running class and the new one. */
export function privateStateAdvice(
  name: string,
  classes: readonly (Function | undefined)[],
): string | undefined {
  const where = thirdParty(classes);
  if (where === undefined) return undefined;
  return `${where}, not from the program, so its code cannot be given export hooks: restart the program to load the new version, or manage a class of your own instead — a wrapper that holds the ${name} object in a field (migrations carry the object over as it is), or a subclass you own whose new versions keep ${name} as their superclass`;
}

export function privateStateRefusal(
  name: string,
  classes: readonly (Function | undefined)[],
): PrivateStateError {
  const { kind, at, staticOnly } = privateStateKind(classes);
  // Only the new implementation has it: the running version has nothing to export.
  const newOnly = at > 0;
  const holder = classes[at];
  const advice =
    privateStateAdvice(name, [holder, ...classes.filter((c) => c !== holder)]) ??
    (staticOnly
      ? "restart the program to load it, or keep that state in a public static field or a variable of the module"
      : newOnly
        ? "apply it through the lifecycle (runUpdate, applyUpdate or a manager; see the README's lifecycle section) as a version that extends Adoptable with `static metamorphImport(instance, state)`, which builds its private state from the old object's fields"
        : "add `static metamorphExport(instance)` to the running version and apply a new version that extends Adoptable with `static metamorphImport(instance, state)` through the lifecycle (runUpdate, applyUpdate or a manager; see the README's lifecycle section)");
  return new PrivateStateError(
    `${newOnly ? `the new implementation of class ${name}` : `class ${name}`} ${kind}, ${staticOnly ? "which its static methods may reach through `this` (`this.#…`): called through metamorph's class handle, they would throw" : "which reflection cannot copy to a new version"}: ${advice}`,
    { className: name },
  );
}

/**
 * What private state the classes have, and which of them has it first: `#`
 * members, or (with none declared) private fields a transpiler lowered to
 * maps keyed by the object (TypeScript's `_Queue_pending.set(this, 0)`),
 * named by the first such call.
 */
function privateStateKind(classes: readonly (Function | undefined)[]): {
  kind: string;
  at: number;
  staticOnly?: boolean;
} {
  let lowered: { note: string; at: number } | undefined;
  for (let at = 0; at < classes.length; at++) {
    const cls = classes[at];
    if (cls === undefined || Object.hasOwn(cls, METHOD_HOME)) continue;
    const parsed = readableClassSource(cls);
    if (parsed === undefined) continue;
    if (parsed.privateMembers.length > 0) {
      const instance = parsed.members.filter((m) => m.private && !m.static);
      if (instance.length > 0) return { kind: "declares private # members", at };
      const names = parsed.members.filter((m) => m.private).map((m) => m.name);
      return {
        kind: `declares static private # members (${names.join(", ")})`,
        at,
        staticOnly: true,
      };
    }
    const note = parsed.unsupported.find((n) => n.startsWith("private state lowered"));
    if (note !== undefined) lowered ??= { note, at };
  }
  const call = lowered?.note.match(/`([^`]*)`/)?.[1];
  return call === undefined
    ? { kind: "declares private # members", at: 0 }
    : {
        kind: `keeps private fields a transpiler lowered to maps keyed by the object (\`${call}\`)`,
        at: lowered!.at,
      };
}

/**
 * The refusal of a new implementation of a class that keeps state for its
 * objects in maps outside them (`listeners.get(this)`), from another module
 * scope: its methods read the maps of the scope they were evaluated in, in
 * which the existing objects have no entry (emittery 1.0.1 -> 1.0.3 threw
 * from the first `emit` on an old emitter). Which release holds which map
 * is said: opossum 6.4 -> 8.5 was told the new code "reads maps of its own"
 * where only 6.4 had one (`CACHE`), the loss being the running release's
 * entries, which the new code never reads (review advZ22).
 */
export function outsideStateRefusal(
  name: string,
  /** The map calls of the running release's code and of the new implementation's. */
  running: readonly string[],
  implementation: readonly string[],
): PrivateStateError {
  const mapsOf = (calls: readonly string[]) => [...new Set(calls.map(mapOfCall))];
  const [before, after] = [mapsOf(running), mapsOf(implementation)];
  const shown = (maps: string[], calls: readonly string[]) =>
    `in ${maps.join(", ")} (keyed by the object: \`${calls[0]}\`)`;
  const another = "evaluated in another module scope, such as a package's next release,";
  const what =
    after.length === 0
      ? `class ${name} keeps state for its objects outside them in the running release, ${shown(before, running)}, a map of that release's module that the new implementation does not have: ${another} the new code never reads it, so the running release's entries for the existing objects are lost (the new code keeps that state another way, which the existing objects were never given)`
      : before.length === 0
        ? `the new implementation of class ${name} keeps state for its objects outside them, ${shown(after, implementation)}, a map of its own module that the running release does not have: ${another} the new code reads it for the existing objects, which have no entry there (the running release kept that state another way)`
        : `class ${name} keeps state for its objects outside them, ${shown(before, running)} in the running release${after.every((m) => before.includes(m)) ? "" : ` and ${shown(after, implementation)} in the new one`}: a new implementation ${another} reads maps of its own, in which the existing objects have no entry: the running release's entries for them are lost to the new code`;
  // Only a map both releases name can be the same one.
  const advice = after.some((m) => before.includes(m))
    ? "Restart the program to load the new version; if the new implementation was evaluated in the running version's own module scope (the maps are the same ones, as in metamorph dev's reloads), say so with replaceImplementation's { sameScope: true }"
    : "Restart the program to load the new version: no migrator can read or fill a map of a module's scope";
  return new PrivateStateError(`${what}. ${advice}`, {
    className: name,
    calls: [...new Set([...running, ...implementation])],
    runningMaps: before,
    newMaps: after,
  });
}

/**
 * The refusal of a new implementation, from another module scope, of a
 * class whose objects have no property of their own and whose constructor
 * hands each to a function of its module that keeps its state in a table
 * there (tableState.ts): the new release's code reads its own table, in
 * which the existing objects have no entry (@js-temporal/polyfill 0.4.3 ->
 * 0.4.4 applied, then every method threw `invalid receiver`).
 */
export function tableStateRefusal(name: string, call: string): PrivateStateError {
  return new PrivateStateError(
    `class ${name} keeps its objects' state outside them: its constructor hands each to \`${call}\`, and they have no property of their own, so the state is in a table of the running release's module keyed by the object. A new implementation evaluated in another module scope, such as a package's next release, reads a table of its own, in which the existing objects have no entry: every method would fail on them, and no migrator can enter them there. Restart the program to load the new version; if the new implementation was evaluated in the running version's own module scope (the table is the same one, as in metamorph dev's reloads), say so with replaceImplementation's { sameScope: true }`,
    { className: name, call },
  );
}

/**
 * The refusal of a new implementation, from another module scope, of a
 * class whose objects hold their state under symbols of the running
 * version's module (`this[kState]` with `const kState = Symbol(…)`, as
 * undici keeps every field): the next release reads symbols of its own,
 * under which the existing objects hold nothing (undici 5.22 -> 5.28
 * applied, then `headers.get()` threw).
 */
export function moduleSymbolRefusal(
  /** The classes whose objects hold such keys. */
  names: readonly string[],
  symbols: readonly symbol[],
  /** The base-most class whose own code reads state under computed keys: its migrator covers its subclasses. */
  reader: string | undefined,
): PrivateStateError {
  const shown = symbols.slice(0, 4).map(String).join(", ") + (symbols.length > 4 ? ", …" : "");
  const classes =
    names.length === 1
      ? `class ${names[0]} keeps its objects' state`
      : `classes ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""} keep their objects' state`;
  const migrated = reader ?? names[0]!;
  const readBy = names.length === 1 && names[0] === migrated ? "" : ` (read by ${migrated}'s code)`;
  return new PrivateStateError(
    `${classes} under symbols of ${names.length === 1 ? "its" : "their"} module${readBy} (${shown}): a new implementation evaluated in another module scope, such as a package's next release, reads symbols of its own, under which the existing objects hold nothing. Restart the program to load the new version, or give the patch a migrator for ${migrated}${migrated === names[0] && names.length === 1 ? "" : " (it runs for its subclasses' objects too)"} that copies the state under the new release's symbols (leave the old ones in place: functions the running release made and the objects hold, such as bound methods, still read them; a symbol another module put on the objects may stay as it is); if the new implementation was evaluated in the running version's own module scope (the symbols are the same ones, as in metamorph dev's reloads), say so with replaceImplementation's { sameScope: true }`,
    { className: names[0]!, classes: [...names], symbols: symbols.map(String) },
  );
}

/**
 * The refusal of a new implementation, from another module scope, of a
 * class whose objects hold a symbol of the running version's module as a
 * value (minimatch's `GLOBSTAR` in its parsed pattern): the next release
 * compares with symbols of its own and misreads the old objects (minimatch
 * 9.0.0 -> 9.0.5 applied, then `match` threw `p.test is not a function`).
 */
export function moduleSymbolValueRefusal(
  name: string,
  field: string,
  symbol: symbol,
  /** The symbol is a key of an object the field holds (lru_map's linked entries), not its value. */
  asKey = false,
): PrivateStateError {
  const where = asKey ? `as a key of what field "${field}" holds` : `in field "${field}"`;
  return new PrivateStateError(
    `class ${name} holds a symbol of its module ${where} (${String(symbol)}): a new implementation evaluated in another module scope, such as a package's next release, compares with symbols of its own and misreads the existing objects. Give the patch a migrator for ${name} that maps such values to the new release's symbols, or restart the program to load the new version; if the new implementation was evaluated in the running version's own module scope, say so with replaceImplementation's { sameScope: true }`,
    { className: name, field, symbol: String(symbol) },
  );
}

/** The map a call keyed by the object reads (`internals.lists` of `internals.lists.get(this…)`). */
export function mapOfCall(call: string): string {
  return call.slice(0, call.lastIndexOf(".", call.indexOf("(")));
}

/** A map keyed by the object that the new code would not share with the running code. */
export interface UnsharedMap {
  /** As the source names it (`lists`, `internals.lists`, `Bag.store`). */
  readonly map: string;
  /** The first call that reads it. */
  readonly call: string;
  /** The static of the class it is (`store`), for a static. */
  readonly static?: string;
}

/**
 * The refusal of a new implementation whose maps keyed by the object are
 * not the running code's although the patch says `sameScope` (checked
 * through the closures: two copies of one module file have a map each), or
 * which are statics the new class brings its own of (statics take the new
 * class's values unless kept).
 */
export function unsharedMapsRefusal(
  name: string,
  maps: readonly UnsharedMap[],
  sameScope: boolean,
): PrivateStateError {
  const shown = (m: UnsharedMap) => `${m.map} (\`${m.call}\`)`;
  const modules = maps.filter((m) => m.static === undefined);
  const statics = maps.filter((m) => m.static !== undefined);
  const parts: string[] = [];
  if (modules.length > 0)
    parts.push(
      `replaceImplementation was given { sameScope: true }, but ${modules.map(shown).join(", ")} ${modules.length > 1 ? "are" : "is"} not the same object in the new implementation's module scope as in the running one's: the new class was evaluated in another module scope (another evaluation or copy of the module file), whose map${modules.length > 1 ? "s have" : " has"} no entry for the existing objects. Restart the program to load the new version, or evaluate the new class in the running version's own module scope`,
    );
  if (statics.length > 0) {
    const kept = statics.filter((m) => !m.static!.includes(".")).map((m) => `"${m.static}"`);
    parts.push(
      `the new implementation reads its objects' state in static ${statics.map(shown).join(", ")} of its own, not the running class's, which holds the entries for the existing objects (a class's statics take the new class's values)${sameScope ? ", whatever the module scope" : ""}: ${kept.length > 0 ? `keep the running map${kept.length > 1 ? "s" : ""} with replaceImplementation's { keepStatics: [${kept.join(", ")}] }, or ` : ""}restart the program to load the new version`,
    );
  }
  return new PrivateStateError(
    `class ${name} keeps state for its objects outside them: ${parts.join("; ")}`,
    {
      className: name,
      maps: maps.map((m) => m.map),
      calls: maps.map((m) => m.call),
      ...(sameScope ? { sameScope: true } : {}),
    },
  );
}
