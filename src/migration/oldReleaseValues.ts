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
import { heldByField } from "./heldValues.js";
import { releaseChains } from "./releaseChains.js";
import { scopeBindings } from "./scopeBindings.js";
import { type BuildResult, type ClassBuild, definitionChain, fromAnotherScope } from "./build.js";
import { type FieldCover, migratorCover, unlessMigratorSets } from "./migratorWrites.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** How many of the objects are looked at. */
const OBJECTS = 16;

const IDENTIFIER = "[A-Za-z_$][\\w$]*";
const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** What the sources assign to `this.field` (`this.loc = config.loc || Locale.create()`), with the learned initialisers. */
function assignedTexts(
  sources: readonly string[],
  field: string,
  initializers: readonly (string | undefined)[],
): string[] {
  const assignment = new RegExp(`\\bthis\\s*\\.\\s*${escaped(field)}\\s*=(?!=)([^;]{0,300})`, "g");
  return [
    ...sources.flatMap((s) => [...s.matchAll(assignment)].map((m) => m[1]!)),
    ...initializers.flatMap((i) => (i === undefined ? [] : [i])),
  ];
}

/**
 * The classes `texts` construct (`new Heap(…)`), other than the platform's
 * (`new Map()` becoming `new Set()` is no other release's object).
 */
const constructed = (texts: readonly string[]) =>
  new Set(
    texts.flatMap((t) =>
      [...t.matchAll(new RegExp(`\\bnew\\s+(${IDENTIFIER})`, "g"))]
        .map((m) => m[1]!)
        .filter((n) => n !== "this" && !(n in globalThis)),
    ),
  );

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
  const replaced = replacedRunningClasses(build, oldDefs);
  if (objects === undefined)
    return [
      ...classFields(className, classesAssigned(chains.before, replaced), "may hold", cover),
      ...kindsMade(releases, cover).map(([field, held, made]) =>
        warning(
          "MM_OLD_RELEASE_VALUE",
          className,
          field,
          `field \`${field}\` may hold objects of class ${held.join(" or ")}, which the running release puts there (${held.map((n) => `\`new ${n}(…)\``).join(", ")}) and this update does not replace; the new release puts ${some(made)} there`,
          advice(held, field),
        ),
      ),
    ];
  const bindings = {
    before: scopeBindings(chains.before),
    now: scopeBindings(chains.now),
  };
  const warnings = classFields(
    className,
    classesHeld(objects.slice(0, OBJECTS), replaced),
    "holds",
    cover,
  );
  for (const [field, held] of heldByField(objects.slice(0, OBJECTS))) {
    if (warnings.some((w) => w.field === field) || cover(field) === "named") continue;
    for (const [cls, { value, within }] of held) {
      // What the sources say about the field is about its value, not about what a container in it holds.
      const said =
        (within !== undefined ? undefined : judge(field, value, cls, releases)) ??
        anotherReleases(field, cls, releases, bindings);
      if (said === undefined) continue;
      warnings.push(
        warning(
          "MM_OLD_RELEASE_VALUE",
          className,
          field,
          `field \`${field}\` holds ${within === undefined ? "" : `${within} of `}objects of class ${cls.name} ${whence(cls, running)}, which this update does not replace; ${said}`,
          advice([cls.name], field),
        ),
      );
      break; // one warning a field
    }
  }
  return warnings;
}

/** What to do about a field holding objects of the classes `held`. */
function adviceFor(className: string, held: readonly string[], field: string, cover: FieldCover) {
  const migrate =
    cover === "unnamed"
      ? `give it the new release's object: ${unlessMigratorSets(className, field)}`
      : `give ${className} a migrator that sets \`${field}\` to the new release's object (\`target.${field} = …\`)`;
  return `register ${held.join(" and ")} and replace ${held.length > 1 ? "them" : "it"} in the same patch, or ${migrate} — or restart`;
}

/**
 * Fields holding the running release's class itself (`this.kind = Circle`,
 * a factory's `this.Node = Node`) where this update gives that class a new
 * release: the objects keep the running release's constructor, so what
 * they construct after the commit has its fields (with the new release's
 * methods: a `d` the new `area()` reads is missing, and it returns NaN).
 */
function classFields(
  className: string,
  fields: ReadonlyMap<string, string>,
  verb: "holds" | "may hold",
  cover: (field: string) => FieldCover,
): UpdateWarning[] {
  return [...fields].flatMap(([field, name]) =>
    cover(field) === "named"
      ? []
      : [
          warning(
            "MM_OLD_RELEASE_VALUE",
            className,
            field,
            `field \`${field}\` ${verb} the running release's class ${name} itself (its constructor), which this update replaces: what the objects construct with it after the update is made by the running release's constructor, with its fields, not the new release's`,
            cover(field) === "unnamed"
              ? `${unlessMigratorSets(className, field)} to the class of the namespace (\`target.${field} = ${name}\`), or restart`
              : `give ${className} a migrator that sets \`${field}\` to the class of the namespace (\`target.${field} = ${name}\`, its handle, which makes the current release), or restart`,
          ),
        ],
  );
}

/** The running implementations this update replaces with another release's, with the class's name. */
function replacedRunningClasses(
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): Map<Function, string> {
  const replaced = new Map<Function, string>();
  for (const [name, c] of build.classes) {
    const running = c.oldName === null ? undefined : oldDefs.get(c.oldName);
    const change = fromAnotherScope(c, running);
    if (change?.running !== undefined) replaced.set(change.running, name);
  }
  return replaced;
}

/** The fields of `objects` holding a replaced running class, with its name. */
function classesHeld(
  objects: readonly object[],
  replaced: ReadonlyMap<Function, string>,
): Map<string, string> {
  const fields = new Map<string, string>();
  for (const object of objects)
    for (const field of Object.keys(object)) {
      const d = Object.getOwnPropertyDescriptor(object, field);
      const name = d !== undefined && "value" in d ? replaced.get(d.value as Function) : undefined;
      if (name !== undefined && !fields.has(field)) fields.set(field, name);
    }
  return fields;
}

/**
 * With no object at hand: the fields the running release's classes assign a
 * replaced class by name (`this.kind = Circle`), where the name is that
 * class in their scope (or, where no scope can be read, its name).
 */
function classesAssigned(
  before: readonly Function[],
  replaced: ReadonlyMap<Function, string>,
): Map<string, string> {
  const binding = scopeBindings(before);
  const assignment = new RegExp(
    `\\bthis\\s*\\.\\s*(${IDENTIFIER})\\s*=\\s*(${IDENTIFIER})\\s*[;,}\\n]`,
    "g",
  );
  const fields = new Map<string, string>();
  for (const text of before.map((c) => Function.prototype.toString.call(c)))
    for (const [, field, value] of text.matchAll(assignment)) {
      const bound = binding(value!);
      const held = [...replaced].find(([running]) =>
        bound === undefined ? running.name === value : running === bound,
      );
      if (held !== undefined && !fields.has(field!)) fields.set(field!, held[1]);
    }
  return fields;
}

type Bindings = Readonly<Record<"before" | "now", (name: string) => unknown>>;

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
  const theirs = bindings.now(held.name);
  if (typeof theirs !== "function" || theirs === held) return undefined;
  const ours = bindings.before(held.name);
  const named = (t: string) => new RegExp(`\\b${escaped(held.name)}\\b`).test(t);
  // Where the running release's code keeps no binding of the name, its sources must name it there.
  if (ours !== held && !(ours === undefined && textsOf(field, releases).running.some(named)))
    return undefined;
  return `the new release's code has a class ${held.name} of its own, not this one, and expects that class's objects there (an \`instanceof ${held.name}\` in it fails on these)`;
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
    // Both learned, both `new …`: changedInitialKinds.ts compares them.
    kindSaid: NEW.test(was ?? "") && NEW.test(is ?? ""),
  };
}

const NEW = /^\s*new\s/;

const some = (made: ReadonlySet<string>) => [...made].map((n) => `a ${n}`).join(" or ");

/**
 * With no object at hand: the fields to which the running release assigns
 * objects of classes the new one never constructs there, while it
 * constructs others (the objects that have such a field hold the former).
 */
function kindsMade(
  releases: Releases,
  cover: (field: string) => FieldCover,
): [field: string, held: string[], made: Set<string>][] {
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
    if (
      kindSaid ||
      cover(field) === "named" ||
      held.length === 0 ||
      made.size === 0 ||
      held.some((n) => made.has(n))
    )
      return [];
    return [[field, held, made] as [string, string[], Set<string>]];
  });
}

/** What the new release does with `field` that the held object (of class `held`) does not fit, or undefined. */
function judge(
  field: string,
  value: object,
  held: Function,
  releases: Releases,
): string | undefined {
  const { running, made, kindSaid } = textsOf(field, releases);
  // Only what the running release's code put there: an object the program handed in is its own.
  if (!running.some((t) => new RegExp(`\\b${escaped(held.name)}\\b`).test(t))) return undefined;
  if (!kindSaid && constructed(running).has(held.name) && made.size > 0 && !made.has(held.name))
    return `the new release puts ${some(made)} there (\`new ${[...made][0]}(…)\`), and reads it as one`;
  const readBefore = membersRead(releases.before, field);
  const missing = [...membersRead(releases.now, field)].filter(
    (m) => !readBefore.has(m) && !(m in value),
  );
  if (missing.length === 0) return undefined;
  return `the new release reads ${quoted(missing)} on it, which those objects lack`;
}
