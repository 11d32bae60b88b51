/**
 * Parts of the live-reload tools that run in Node and in the browser alike
 * (no Node imports): change summaries and content hashes.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName } from "../mop/classDefinition.js";
import type { UpdateWarning } from "../migration/warning.js";

export interface ClassChangeSummary {
  readonly className: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** [from, to] */
  readonly renamed: readonly (readonly [string, string])[];
  /** Fields whose initialiser changed. */
  readonly initialisers: readonly string[];
  readonly methodsAdded: readonly string[];
  readonly methodsRemoved: readonly string[];
  readonly methodsChanged: readonly string[];
  /** Static fields whose initialiser changed, added or removed. */
  readonly statics?: readonly string[];
  readonly superclass?: readonly [string | null, string | null];
  readonly added_class?: boolean;
  /** Whether its constructor changed (it runs for new objects only); undefined when not compared. */
  readonly constructorChanged?: boolean;
  /** Moved from one file to another (./movedClasses.ts). */
  readonly moved?: readonly [from: string, to: string];
}

const methodId = (m: MethodDefinition) =>
  `${m.static ? "static " : ""}${m.kind === "method" ? "" : `${m.kind} `}${memberKeyName(m.key)}`;

const methodLabel = (m: MethodDefinition) => `${methodId(m)}${m.kind === "method" ? "()" : ""}`;

export function summariseClassChange(
  before: ClassDefinition,
  after: ClassDefinition,
  renames: Readonly<Record<string, string>>,
  superclass: readonly [string | null, string | null] | undefined,
  constructorChanged?: boolean,
): ClassChangeSummary {
  const oldFields = before.fields.map((f) => f.name);
  const newFields = after.fields.map((f) => f.name);
  const renamedTo = new Set(Object.keys(renames));
  const renamedFrom = new Set(Object.values(renames));
  const oldMethods = new Map(before.methods.map((m) => [methodId(m), m] as const));
  const newMethods = new Map(after.methods.map((m) => [methodId(m), m] as const));
  return {
    className: after.name,
    added: newFields.filter((f) => !oldFields.includes(f) && !renamedTo.has(f)),
    removed: oldFields.filter((f) => !newFields.includes(f) && !renamedFrom.has(f)),
    renamed: Object.entries(renames).map(([to, from]) => [from, to] as const),
    initialisers: after.fields
      .filter((f) => {
        const old = before.fields.find((o) => o.name === (renames[f.name] ?? f.name));
        return old !== undefined && old.initializer !== f.initializer;
      })
      .map((f) => f.name),
    methodsAdded: [...newMethods]
      .filter(([k]) => !oldMethods.has(k))
      .map(([, m]) => methodLabel(m)),
    methodsRemoved: [...oldMethods]
      .filter(([k]) => !newMethods.has(k))
      .map(([, m]) => methodLabel(m)),
    methodsChanged: [...newMethods]
      .filter(([k, m]) => oldMethods.has(k) && oldMethods.get(k)!.source !== m.source)
      .map(([, m]) => methodLabel(m)),
    statics: staticChanges(before, after),
    ...(superclass ? { superclass } : {}),
    ...(constructorChanged === undefined ? {} : { constructorChanged }),
  };
}

/** `~static x` (its initialiser changed), `+static x`, `-static x`. */
function staticChanges(before: ClassDefinition, after: ClassDefinition): string[] {
  const old = new Map(before.staticFields.map((f) => [f.name, f.initializer] as const));
  const now = new Map(after.staticFields.map((f) => [f.name, f.initializer] as const));
  return [
    ...[...now].flatMap(([name, init]) =>
      !old.has(name) ? [`+static ${name}`] : old.get(name) !== init ? [`~static ${name}`] : [],
    ),
    ...[...old.keys()].filter((name) => !now.has(name)).map((name) => `-static ${name}`),
  ];
}

export function describeClassChange(c: ClassChangeSummary): string {
  const parts: string[] = [];
  for (const f of c.added) parts.push(`+${f}`);
  for (const f of c.removed) parts.push(`-${f}`);
  for (const [from, to] of c.renamed) parts.push(`${from}→${to}`);
  for (const f of c.initialisers) parts.push(`${f} = …`);
  if (c.superclass)
    parts.push(`extends ${c.superclass[0] ?? "(none)"}→${c.superclass[1] ?? "(none)"}`);
  for (const m of c.methodsAdded) parts.push(`+${m}`);
  for (const m of c.methodsRemoved) parts.push(`-${m}`);
  for (const m of c.methodsChanged) parts.push(`~${m}`);
  for (const f of c.statics ?? []) parts.push(f);
  // Existing objects are not constructed again: say so, not only that it changed.
  if (c.constructorChanged) parts.push("~constructor: new objects only");
  if (c.added_class) return `${c.className} (new class)`;
  const moved = c.moved ? ` moved from ${c.moved[0]} to ${c.moved[1]}` : "";
  if (moved !== "")
    return `${c.className}${moved}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
  if (parts.length > 0) return `${c.className} (${parts.join(", ")})`;
  // Its text changed elsewhere (a static block, a field its superclass declares):
  // "constructor" only when the constructors were not compared.
  return c.constructorChanged === false
    ? `${c.className} (no field, method or constructor changed)`
    : `${c.className} (constructor or other code)`;
}

/** A short content hash (FNV-1a, 32 bits, hex) to tell file versions apart. */
export function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * The statics both versions declare with the same initialiser: those a new
 * implementation keeps at their running value (`keepStatics`), so that a
 * cache or a singleton survives an edit elsewhere in the class, while an
 * edited initialiser takes effect. Compare definitions as written.
 */
export function unchangedStatics(before: ClassDefinition, after: ClassDefinition): string[] {
  const old = new Map(before.staticFields.map((f) => [f.name, f.initializer] as const));
  return after.staticFields
    .filter((f) => old.has(f.name) && old.get(f.name) === f.initializer)
    .map((f) => f.name);
}

/**
 * The engine's warnings about an update it committed (state it could not
 * see, functions and closures left with the old code, …) as a warning line
 * says them: with their stable code, so that they can be looked up, and
 * with the advice a dev user can follow where the engine's speaks of a
 * patch (a field set from constructor arguments: a `migrate` entry of the
 * module's migrations module, `migrationsFile`).
 */
export function engineWarnings(
  warnings: readonly UpdateWarning[] | undefined,
  migrationsFile: string,
): string[] {
  return (warnings ?? []).map((w) => {
    if (w.code !== "MM_NO_INITIAL_VALUE" || w.field === undefined) return `${w.code} ${w.message}`;
    const { className: c, field: f } = w;
    const migrate = `write in ${migrationsFile}: export const migrate = { ${c}(old, obj) { obj.${f} = … } }`;
    // The engine says this of other cases too (an accessor become a field, which
    // existing objects got the initial value of): "got undefined" was wrong there (review advY5 s15).
    if (!w.message.includes("has no initial value a migration can compute"))
      return `${w.code} ${w.message} (to set it, ${migrate})`;
    return `${w.code} ${c}.${f}: new field set by the constructor (from its arguments, say), which a migration cannot run: existing objects got undefined. To give them a value, ${migrate}`;
  });
}

/**
 * The message of an error, with its stable code when it has one: metamorph's
 * errors, and the dev layer's own refusals (a class with `#` members, …),
 * which were printed as a bare `TypeError: …`.
 */
export function codedMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === "string" && code.startsWith("MM_")) {
    return `${code} ${error.message}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Why a class was left unmanaged, in a dev user's words: the namespace's
 * refusal advises `registerClass` options (`register LitElement first, or …
 * { externalSuperclass: true }`), which are not theirs to pass (review advZ5
 * 1: the page printed it for every Lit element).
 */
export function unmanagedReason(text: string): string {
  return text.replace(
    /, which namespace \S+ does not manage; register .* as it is$/,
    ", which metamorph does not manage",
  );
}
