/**
 * MM_OLD_RELEASE_VALUE: a field of the objects alive now holds an object of
 * a class the running release made, which the update leaves as it is while
 * the new release's code expects its own. luxon 3.0 -> 3.7 with only
 * DateTime replaced: every DateTime's `loc` kept 3.0's Locale, and 3.4+'s
 * `isWeekend` threw `this.loc.getWeekendDays is not a function`.
 * @datastructures-js/priority-queue 5 -> 6: every queue's `_heap` kept
 * heap 3's MinHeap where 6 builds heap 4's Heap, and `front()` returned
 * heap nodes instead of values. Both committed with no word of it.
 *
 * Found on the first objects of a class given a new release (the prepare
 * phase's sample), by what the two releases' sources say about the field:
 * the running one puts a class of that name there, and the new one either
 * puts another class there (`new Heap(…)` where the objects hold a
 * MinHeap), or reads members on it that the held object lacks (and the
 * running release's code never read), or has a class of that name of its
 * own (scopeBindings.ts: two releases name their classes alike, so the
 * name alone let 5.0.1's AvlTreeNode pass for 5.4.0's). Objects in arrays,
 * Maps and Sets the field holds count too (semver's Range#set: arrays of
 * arrays of Comparator; graphology's Graph#_nodes: a Map of NodeData).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { classOrigin } from "../mop/classOrigin.js";
import {
  counterpart,
  namesClass,
  namesOf,
  renamedAlike,
  resolved,
  sameHandle,
} from "./classCounterparts.js";
import { constructed, IDENTIFIER, lastName } from "./constructedClasses.js";
import { heldByField, type Within } from "./heldValues.js";
import { runningClassFields } from "./runningClassFields.js";
import { outsideState } from "./outsideState.js";
import { releaseChains } from "./releaseChains.js";
import { type ScopeBindings, scopeBindings } from "./scopeBindings.js";
import { type BuildResult, type ClassBuild, definitionChain, fromAnotherScope } from "./build.js";
import { type FieldCover, migratorCover, unlessMigratorSets } from "./migratorWrites.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** How many of the objects are looked at. */
const OBJECTS = 16;

const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** A value that is another member of the object's (`this.options.tokenizer`): its path. */
const ALIAS = new RegExp(`^\\s*this\\s*\\.\\s*(${IDENTIFIER}(?:\\s*\\.\\s*${IDENTIFIER})*)\\s*$`);

/**
 * What the sources assign to `this.field` (`this.loc = config.loc ||
 * Locale.create()`), with the learned initialisers; and, one step on, what
 * they assign to a member of the object's the field is set from (marked's
 * Lexer: `this.options.tokenizer = this.options.tokenizer || new
 * Tokenizer(); this.tokenizer = this.options.tokenizer`).
 */
function assignedTexts(
  sources: readonly string[],
  field: string,
  initializers: readonly (string | undefined)[],
): string[] {
  const assigned = (path: readonly string[]) => {
    const to = path.map(escaped).join("\\s*\\.\\s*");
    const assignment = new RegExp(`\\bthis\\s*\\.\\s*${to}\\s*=(?!=)([^;]{0,300})`, "g");
    return sources.flatMap((s) => [...s.matchAll(assignment)].map((m) => m[1]!));
  };
  const texts = [
    ...assigned([field]),
    ...initializers.flatMap((i) => (i === undefined ? [] : [i])),
  ];
  const through = texts.flatMap((t) => {
    const path = ALIAS.exec(t)?.[1]?.split(/\s*\.\s*/);
    return path === undefined || (path.length === 1 && path[0] === field) ? [] : assigned(path);
  });
  return [...texts, ...through];
}

/** The members the sources read on `this.field` (`this.loc.getWeekendDays`), not those they write. */
function membersRead(sources: readonly string[], field: string): Set<string> {
  const read = new RegExp(
    `\\bthis\\s*\\.\\s*${escaped(field)}\\s*\\??\\.\\s*(${IDENTIFIER})(?!\\s*=[^=])`,
    "g",
  );
  return new Set(sources.flatMap((s) => [...s.matchAll(read)].map((m) => m[1]!)));
}

/** `…/node_modules/luxon/` of a package file's URL (a scoped package's two segments). */
function packageRoot(url: string): string | undefined {
  const at = url.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const rest = url.slice(at + "node_modules/".length).split("/");
  return `${url.slice(0, at)}node_modules/${rest.slice(0, rest[0]!.startsWith("@") ? 2 : 1).join("/")}`;
}

/** Where the class of the held object comes from, as the note says it. */
function whence(held: Function, running: Function): string {
  const [a, b] = [classOrigin(held), classOrigin(running)];
  if (a.kind !== "package" || b.kind !== "package") return "of the running release";
  const [from, home] = [packageRoot(a.url), packageRoot(b.url)];
  return from !== undefined && from === home
    ? "of the running release (same package)"
    : `of ${from?.slice(from.lastIndexOf("node_modules/") + "node_modules/".length) ?? a.url}, as the running release uses it`;
}

export function oldReleaseValues(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  /**
   * Some objects of the class, asked only for a class given a new release
   * (read at every update, the list cost an eager update of 10^6 objects 30
   * MiB of peak heap); undefined where none were at hand (a lazy update's
   * heap finder).
   */
  sampled: () => readonly object[] | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  const change = fromAnotherScope(cls, old);
  if (change?.running === undefined) return [];
  // Judged field by field: a migrator that sets another field says nothing about this one.
  const cover = migratorCover(className, build);
  const objects = sampled();
  if (objects?.length === 0) return [];
  const { running } = change;
  const chains = releaseChains(className, build, oldDefs);
  const source = (c: Function) => Function.prototype.toString.call(c);
  const releases: Releases = {
    before: chains.before.map(source),
    now: chains.now.map(source),
    old: old!,
    newFields: definitionChain(className, build).flatMap((d) => d.fields),
  };
  const advice = (held: readonly string[], field: string) =>
    adviceFor(className, held, field, cover(field));
  const bindings = {
    before: scopeBindings(chains.before),
    now: scopeBindings(chains.now),
  };
  const first = objects?.slice(0, OBJECTS);
  const warnings = [
    // State other code of the running release wrote into the objects (MM_UNSEEN_STATE).
    ...outsideState(className, build, chains, first, oldDefs),
    ...runningClassFields(className, build, oldDefs, chains.before, first, cover),
  ];
  if (first === undefined)
    return [
      ...warnings,
      ...kindsMade(releases, cover, bindings).map(([field, held, made, own]) =>
        warning(
          "MM_OLD_RELEASE_VALUE",
          className,
          field,
          `field \`${field}\` may hold objects of class ${held.join(" or ")}, which the running release puts there (${held.map((n) => `\`new ${n}(…)\``).join(", ")}) and this update does not replace; ${own ? `the new release's code has a class ${[...made].join(" or ")} of its own there, not this one` : `the new release puts ${some(made)} there`}`,
          advice(held, field),
        ),
      ),
    ];
  // What the sources say about the field is about its value, not about what a container in it holds.
  const say = (field: string, cls: Function, value: object, within: Within) => {
    const said =
      (within !== undefined ? undefined : judge(field, value, cls, releases, bindings)) ??
      anotherReleases(field, cls, releases, bindings);
    return said === undefined
      ? undefined
      : warning(
          "MM_OLD_RELEASE_VALUE",
          className,
          field,
          `field \`${field}\` holds ${within === undefined ? "" : `${within} of `}objects of class ${cls.name} ${whence(cls, running)}, which this update does not replace; ${said}`,
          advice([cls.name], field),
        );
  };
  return [...warnings, ...heldWarnings(first, warnings, cover, say)];
}

/** One warning a field not said yet, for the first class of object it holds that `say` finds wrong. */
function heldWarnings(
  first: readonly object[],
  said: readonly UpdateWarning[],
  cover: (field: string) => FieldCover,
  say: (field: string, cls: Function, value: object, within: Within) => UpdateWarning | undefined,
): UpdateWarning[] {
  const out: UpdateWarning[] = [];
  // An object a field holds itself is said there, not again for a container
  // that holds it too (marked's Lexer: `options.tokenizer` is `tokenizer`).
  const direct = new Set(
    first.flatMap((o) => Object.values(Object.getOwnPropertyDescriptors(o)).map((d) => d.value)),
  );
  for (const [field, held] of heldByField(first)) {
    if (said.some((w) => w.field === field) || cover(field) === "named") continue;
    for (const [cls, { value, within }] of held) {
      if (within !== undefined && direct.has(value)) continue;
      const w = say(field, cls, value, within);
      if (w === undefined) continue;
      out.push(w);
      break; // one warning a field
    }
  }
  return out;
}

/** What to do about a field holding objects of the classes `held`. */
function adviceFor(className: string, held: readonly string[], field: string, cover: FieldCover) {
  const migrate =
    cover === "unnamed"
      ? `give it the new release's object: ${unlessMigratorSets(className, field)}`
      : `give ${className} a migrator that sets \`${field}\` to the new release's object (\`target.${field} = …\`)`;
  return `register ${held.join(" and ")} and replace ${held.length > 1 ? "them" : "it"} in the same patch, or ${migrate} — or restart`;
}

type Bindings = Readonly<Record<"before" | "now", ScopeBindings>>;

/**
 * Where the held object is of the running release's class of its name while
 * the new release's code names another class so (its own release of it):
 * that code's `instanceof` refuses the object, and what it hands the object
 * the object's own code refuses (semver 7.6's Range passing its SemVer to
 * 7.5's Comparator: "Invalid version").
 */
function anotherReleases(
  field: string,
  held: Function,
  releases: Releases,
  bindings: Bindings,
): string | undefined {
  // Matched modulo a bundler's renaming: marked 12 binds its Tokenizer as
  // `_Tokenizer`; by the names the running release binds it under too.
  let ours: string[] | undefined;
  const theirs =
    counterpart([held.name], bindings.now) ??
    counterpart([held.name, ...(ours = namesOf(bindings.before, held))], bindings.now) ??
    throughModule(field, held, releases, bindings);
  if (theirs === undefined || theirs.cls === held || sameHandle(held, theirs.cls)) return undefined;
  ours ??= namesOf(bindings.before, held);
  // Where the running release's code keeps no binding of it, its sources
  // must name it there (a binding of its name to another class says the
  // object is not that release's).
  if (
    ours.length === 0 &&
    (bindings.before(held.name) !== undefined ||
      !textsOf(field, releases).running.some((t) => namesClass(t, held.name)))
  )
    return undefined;
  const called =
    theirs.name === held.name
      ? held.name
      : theirs.name.includes(".")
        ? `${held.name} (\`${theirs.name}\`)`
        : `${theirs.name} (its ${held.name}, as its bundle names it)`;
  return `the new release's code has a class ${called} of its own, not this one, and expects that class's objects there (an \`instanceof ${theirs.name}\` in it fails on these)`;
}

/**
 * The new release's class where both releases construct the held object
 * through a module's namespace object (`new Schema_1.Schema()`, as tsc's
 * CommonJS output and bundlers write an import), so that neither scope
 * binds the class under a name of its own: the path that gives the held
 * class in the running release's scope, read in the new release's (yaml
 * 2.2 → 2.6's Document, review advZ27 #3).
 */
function throughModule(
  field: string,
  held: Function,
  releases: Releases,
  bindings: Bindings,
): { readonly cls: Function; readonly name: string } | undefined {
  for (const path of constructed(textsOf(field, releases).running)) {
    if (!path.includes(".") || resolved(bindings.before, path) !== held) continue;
    const theirs = resolved(bindings.now, path);
    if (typeof theirs === "function" && Object.hasOwn(theirs, "prototype"))
      return { cls: theirs, name: path };
  }
  return undefined;
}

/** The two releases' sources (the class's and its superclasses'), and its definitions. */
interface Releases {
  readonly before: readonly string[];
  readonly now: readonly string[];
  readonly old: ClassDefinition;
  readonly newFields: ClassDefinition["fields"];
}

/** What each release assigns to `this.field`, and whether MM_FIELD_KIND_CHANGED speaks for the field. */
function textsOf(field: string, { before, now, old, newFields }: Releases) {
  const initial = (fields: ClassDefinition["fields"]) =>
    fields.find((f) => f.name === field)?.initializer;
  const [was, is] = [initial(old.fields), initial(newFields)];
  return {
    running: assignedTexts(before, field, [was]),
    made: constructed(assignedTexts(now, field, [is])),
    // Both learned, both `new …` of classes named apart: changedInitialKinds.ts says them.
    kindSaid: kindsApart(was, is),
  };
}

function kindsApart(was: string | undefined, is: string | undefined): boolean {
  const [a, b] = [NEW.exec(was ?? "")?.[1], NEW.exec(is ?? "")?.[1]];
  return a !== undefined && b !== undefined && !renamedAlike(a, b);
}

const NEW = new RegExp(`^\\s*new\\s+(${IDENTIFIER})`);

const some = (made: ReadonlySet<string>) => [...made].map((n) => `a ${n}`).join(" or ");

/**
 * With no object at hand: the fields to which the running release assigns
 * objects of classes the new one never constructs there, while it
 * constructs others (the objects that have such a field hold the former).
 */
function kindsMade(
  releases: Releases,
  cover: (field: string) => FieldCover,
  bindings: Bindings,
): [field: string, held: string[], made: Set<string>, own: boolean][] {
  const names = new Set(
    releases.before.flatMap((s) =>
      [...s.matchAll(new RegExp(`\\bthis\\s*\\.\\s*(${IDENTIFIER})\\s*=(?!=)`, "g"))].map(
        (m) => m[1]!,
      ),
    ),
  );
  return [...names].flatMap((field) => {
    const { running, made, kindSaid } = textsOf(field, releases);
    const held = [...constructed(running)];
    if (kindSaid || cover(field) === "named" || held.length === 0 || made.size === 0) return [];
    const match = matching(held, made, bindings);
    if (match === "same") return [];
    return [[field, held, made, match === "own"] as [string, string[], Set<string>, boolean]];
  });
}

/**
 * How the classes the running release constructs in a field (by name)
 * stand to those the new release constructs there: "same" where one is
 * the other (one class, or a class this update replaces and its
 * replacement: a handle's versions), or where a name is another's as a
 * bundler renames it (or names the new release's class so called) and no
 * binding tells them apart; "own" where such a name is the new release's
 * own class of it (two releases' classes); "other" where none is.
 */
function matching(
  held: readonly string[],
  made: ReadonlySet<string>,
  { before, now }: Bindings,
): "same" | "own" | "other" {
  let own = false;
  for (const h of held)
    for (const m of made) {
      const [ours, theirs] = [resolved(before, h), resolved(now, m)];
      if ((ours !== undefined && ours === theirs) || sameHandle(ours, theirs)) return "same";
      // By name, or by the new release's class's own (a minifier's `t` for `class Tokenizer`).
      const name = lastName(h);
      if (
        !renamedAlike(name, lastName(m)) &&
        !(typeof theirs === "function" && renamedAlike(name, theirs.name))
      )
        continue;
      if (typeof ours !== "function" || typeof theirs !== "function") return "same";
      own = true;
    }
  return own ? "own" : "other";
}

/** What the new release does with `field` that the held object (of class `held`) does not fit, or undefined. */
function judge(
  field: string,
  value: object,
  held: Function,
  releases: Releases,
  bindings: Bindings,
): string | undefined {
  const { running, made, kindSaid } = textsOf(field, releases);
  // Only what the running release's code put there: an object the program handed in is its own.
  if (!running.some((t) => namesClass(t, held.name))) return undefined;
  // A name of it, or of the new release's class of its name (a minifier's `t` for `class Tokenizer`).
  const alike = (n: string) => renamedAlike(lastName(n), held.name);
  const madeAlike = (n: string) => {
    const theirs = alike(n) ? undefined : resolved(bindings.now, n);
    return alike(n) || (typeof theirs === "function" && alike(theirs.name));
  };
  if (
    !kindSaid &&
    [...constructed(running)].some(alike) &&
    made.size > 0 &&
    ![...made].some(madeAlike)
  )
    return `the new release puts ${some(made)} there (\`new ${[...made][0]}(…)\`), and reads it as one`;
  const readBefore = membersRead(releases.before, field);
  const missing = [...membersRead(releases.now, field)].filter(
    (m) => !readBefore.has(m) && !(m in value),
  );
  if (missing.length === 0) return undefined;
  return `the new release reads ${quoted(missing)} on it, which those objects lack`;
}
