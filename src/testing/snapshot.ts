/**
 * State snapshots for migration properties: every object reachable from a
 * world's instances — through own properties, a Map's keys and values, a
 * Set's values, a view's buffer (functions and class prototypes are
 * recorded by identity) — rendered one object a line with its own
 * properties, what a built-in holds (a Map's entries, a Date's time, a
 * buffer's bytes: see snapshotSlots.ts) and references as positions, plus
 * the namespace's bindings. Two
 * snapshots are equal exactly when the graphs are isomorphic with the same
 * values, key order, attributes and classes; `identities` lets a property
 * also demand the very same objects.
 */
import type { ClassDefinition, FieldDefinition } from "../mop/classDefinition.js";
import { currentVersion, handleOfPrototype } from "../mop/classHandle.js";
import type { Namespace } from "../namespace/namespace.js";
import { bindingValue } from "../namespace/namespace.js";
import { isRevokedProxy } from "../valueKinds.js";
import { keysOf, refuseUnknownKeys } from "./optionKeys.js";
import {
  builtinChildren,
  builtinPrototypeName,
  builtinState,
  classOfPrototype,
} from "./builtins.js";
import { isTypedArray, slotContents } from "./snapshotSlots.js";

export interface StateSnapshot {
  /** One line per walked object: `#1 Person {name: "a", friend: #0}`. */
  readonly objects: readonly string[];
  /** One line per binding of the namespace, in binding order. */
  readonly bindings: readonly string[];
  /** The walked objects, then the bindings' values, for identity checks. */
  readonly identities: readonly unknown[];
}

export interface SnapshotOptions {
  /**
   * Include class definitions' version numbers and the order of bindings
   * (the same world before and after) or not (different worlds to compare).
   */
  readonly versions?: boolean;
  /** Record V8's fast/dictionary mode of each object (when the runtime lets us see it). */
  readonly fastMode?: boolean;
  /** Objects recorded by the given label instead of being walked. */
  readonly labels?: ReadonlyMap<object, string>;
  /** Walk only the roots and plain data, not other instances they refer to (use with `labels`). */
  readonly shallow?: boolean;
  /** Name the classes of instances (default), or leave prototypes out (compare them by identity yourself). */
  readonly classNames?: boolean;
}

const SNAPSHOT_KEYS = keysOf<SnapshotOptions>({
  versions: true,
  fastMode: true,
  labels: true,
  shallow: true,
  classNames: true,
});

/** `%HasFastProperties`, when the process runs with --allow-natives-syntax. */
const hasFastProperties: ((o: object) => boolean) | undefined = (() => {
  try {
    return new Function("o", "return %HasFastProperties(o);") as (o: object) => boolean;
  } catch {
    return undefined;
  }
})();

/**
 * What the snapshots of this process cannot see, said once in a report:
 * without --allow-natives-syntax an object's V8 fast or dictionary mode is
 * invisible, and the properties that compare it (rollback, no-op) pass
 * without having compared it.
 */
export const FAST_MODE_UNCHECKED: string | undefined = hasFastProperties
  ? undefined
  : 'V8 fast mode not checked: run node with --allow-natives-syntax (Vitest: execArgv: ["--allow-natives-syntax"]) to check it';

function bindingNames(ns: Namespace): Map<unknown, string> {
  const names = new Map<unknown, string>();
  for (const b of Object.values(ns.snapshot.bindings)) {
    if (b.kind === "class") names.set(b.handle, b.name);
  }
  return names;
}

/**
 * Every object is walked — a Map, a Date, an instance of a class the kit
 * does not manage hold state a migrator may change in place — but a
 * revoked Proxy, which has nothing to read.
 */
function isWalkable(value: object): boolean {
  return typeof value === "object" && !isRevokedProxy(value);
}

function renderKey(key: PropertyKey): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  const name = String(key);
  return /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/.test(name) ? name : JSON.stringify(name);
}

function renderFields(fields: readonly FieldDefinition[]): string {
  return fields
    .map((f) => (f.initializer === undefined ? f.name : `${f.name} = ${f.initializer}`))
    .join(", ");
}

/** A class definition on one line: `class B extends A v2 { x = 0, y; area() {…} }`. */
export function renderDefinition(name: string, d: ClassDefinition, withVersion = false): string {
  const parts = [`class ${name}`];
  if (d.name !== name) parts.push(`(defined as ${d.name})`);
  if (d.superclass !== null) parts.push(`extends ${d.superclass}`);
  if (withVersion) parts.push(`v${d.version}`);
  if (d.fieldOrigin !== "created") parts.push(`(fields ${d.fieldOrigin})`);
  if (d.hasPrivateMembers) parts.push("(private members)");
  const body: string[] = [];
  if (d.fields.length > 0) body.push(renderFields(d.fields));
  if (d.staticFields.length > 0) body.push(`static ${renderFields(d.staticFields)}`);
  for (const m of d.methods) {
    const source = m.source.replace(/\s+/g, " ").trim();
    body.push(m.static && !source.startsWith("static") ? `static ${source}` : source);
  }
  return `${parts.join(" ")} { ${body.join("; ")} }`;
}

/** The objects a snapshot walks, in the order it meets them, and the labels of everything else. */
interface Walk {
  readonly walked: object[];
  readonly positions: Map<object, number>;
  readonly opaque: Map<unknown, string>;
  readonly roots: ReadonlySet<object>;
}

function enqueue(walk: Walk, o: object): number {
  let at = walk.positions.get(o);
  if (at === undefined) {
    at = walk.walked.length;
    walk.positions.set(o, at);
    walk.walked.push(o);
  }
  return at;
}

/** A value that is not walked, by identity: `<fn f @1>`, `<Symbol(s) @0>`, `<Money.prototype @2>`. */
function opaqueLabel(walk: Walk, value: symbol | object, name?: string): string {
  let id = walk.opaque.get(value);
  if (id === undefined) {
    const kind =
      name ??
      (typeof value === "symbol"
        ? value.toString()
        : typeof value === "function"
          ? `fn ${(value as Function).name}`
          : "object");
    id = `<${kind} @${walk.opaque.size}>`;
    walk.opaque.set(value, id);
  }
  return id;
}

/** A value in a snapshot line: primitives as literals, walked objects as `#i`, the rest by identity. */
function encode(walk: Walk, options: SnapshotOptions, value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "boolean":
      return String(value);
    case "symbol":
    case "function":
    case "object": {
      if (value === null) return "null";
      const label = options.labels?.get(value as object);
      if (label !== undefined) return label;
      if (typeof value === "object" && isWalkable(value)) {
        const instanceOfClass = handleOfPrototype(Object.getPrototypeOf(value) ?? {});
        const walkIt = !options.shallow || walk.roots.has(value) || instanceOfClass === undefined;
        if (walkIt) return `#${enqueue(walk, value)}`;
      }
      return opaqueLabel(walk, value);
    }
  }
}

function prototypeName(
  walk: Walk,
  options: SnapshotOptions,
  classNames: Map<unknown, string>,
  o: object,
): string {
  const proto = Object.getPrototypeOf(o);
  if (options.classNames === false && handleOfPrototype(proto ?? {}) !== undefined)
    return "instance";
  if (proto === null) return "null";
  if (Array.isArray(o) && proto === Array.prototype) return "Array";
  if (proto === Object.prototype) return "Object";
  const handle = handleOfPrototype(proto);
  if (handle) return classNames.get(handle) ?? `(unbound ${handle.name})`;
  const builtin = builtinPrototypeName(proto);
  if (builtin !== undefined) return builtin;
  // A class the kit does not manage: the same class is the same prototype object.
  const cls = classOfPrototype(proto);
  if (cls !== undefined) return opaqueLabel(walk, proto, `${cls}.prototype`);
  return `proto ${encode(walk, options, proto)}`;
}

/** One object's line: its own properties with their attributes, what a built-in holds, and its flags. */
function renderObject(walk: Walk, options: SnapshotOptions, o: object): string {
  const parts: string[] = [];
  // A typed array's elements are its buffer's bytes, written with the buffer.
  const typed = isTypedArray(o);
  for (const key of Reflect.ownKeys(o)) {
    if (typed && typeof key === "string" && /^\d+$/.test(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(o, key)!;
    let text = `${d.enumerable ? "" : "~"}${renderKey(key)}`;
    if ("value" in d) {
      text += `: ${encode(walk, options, d.value)}${d.writable ? "" : " (read-only)"}`;
    } else text += `: get ${encode(walk, options, d.get)} set ${encode(walk, options, d.set)}`;
    if (!d.configurable) text += " (non-configurable)";
    parts.push(text);
  }
  const held = slotContents(o, (v) => encode(walk, options, v));
  let flags = held === undefined ? "" : ` ${held}`;
  if (!Object.isExtensible(o)) flags += " (non-extensible)";
  if (options.fastMode && hasFastProperties && !hasFastProperties(o)) flags += " (dictionary mode)";
  return `{${parts.join(", ")}}${flags}`;
}

/** Takes a snapshot of `roots` and everything reachable from them, and of `ns`'s bindings. */
export function takeSnapshot(
  ns: Namespace,
  roots: readonly object[],
  options: SnapshotOptions = {},
): StateSnapshot {
  refuseUnknownKeys(options, SNAPSHOT_KEYS, "takeSnapshot");
  const classNames = bindingNames(ns);
  const walk: Walk = { walked: [], positions: new Map(), opaque: new Map(), roots: new Set(roots) };
  for (const r of roots) enqueue(walk, r);
  const objects: string[] = [];
  for (let i = 0; i < walk.walked.length; i++) {
    const o = walk.walked[i]!;
    // The body before the prototype: both may enqueue objects, and positions follow that order.
    const body = renderObject(walk, options, o);
    objects.push(`#${i} ${prototypeName(walk, options, classNames, o)} ${body}`);
  }
  const bindings: string[] = [];
  const values: unknown[] = [];
  for (const b of Object.values(ns.snapshot.bindings)) {
    values.push(bindingValue(b));
    if (b.kind === "class") {
      bindings.push(
        renderDefinition(b.name, currentVersion(b.handle).definition, options.versions),
      );
    } else if (b.kind === "function") {
      bindings.push(`function ${b.name} ${encode(walk, options, b.function)}`);
    } else bindings.push(`value ${b.name} ${encode(walk, options, b.box.value)}`);
  }
  // Across worlds, the order of bindings is not part of the state (a rename rebinds at the end).
  if (!options.versions) bindings.sort();
  return { objects, bindings, identities: [...walk.walked, ...values] };
}

/** Lines that differ between two renderings, at most `limit` of them, as `label: line` pairs. */
function lineDifferences(
  what: string,
  a: readonly string[],
  b: readonly string[],
  labels: readonly [string, string],
  limit: number,
): string[] {
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n && out.length < limit * 3; i++) {
    if (a[i] === b[i]) continue;
    out.push(`${what} ${i}:`);
    out.push(`  ${labels[0]}: ${a[i] ?? "(none)"}`);
    out.push(`  ${labels[1]}: ${b[i] ?? "(none)"}`);
  }
  return out;
}

export interface SnapshotComparison {
  /** Compare identities too (same objects, same bindings' values). */
  readonly identities?: boolean;
  /** Compare the bindings (classes) too (default true). */
  readonly bindings?: boolean;
  /** Names of the two sides in the explanation (default "before", "after"). */
  readonly labels?: readonly [string, string];
}

const COMPARISON_KEYS = keysOf<SnapshotComparison>({
  identities: true,
  bindings: true,
  labels: true,
});

/**
 * Undefined when the snapshots are equal, else an explanation naming the
 * first differing objects and bindings.
 */
export function compareSnapshots(
  a: StateSnapshot,
  b: StateSnapshot,
  options: SnapshotComparison = {},
): string | undefined {
  refuseUnknownKeys(options, COMPARISON_KEYS, "compareSnapshots");
  const labels = options.labels ?? ["before", "after"];
  const lines = lineDifferences("object", a.objects, b.objects, labels, 3);
  if (options.bindings !== false) {
    lines.push(...lineDifferences("binding", a.bindings, b.bindings, labels, 2));
  }
  if (lines.length === 0 && options.identities) {
    const n = Math.max(a.identities.length, b.identities.length);
    for (let i = 0; i < n; i++) {
      if (a.identities[i] !== b.identities[i]) {
        const where = i < a.objects.length ? `object #${i}` : `binding ${i - a.objects.length}`;
        lines.push(`${where} has the same contents but is not the same object any more`);
        break;
      }
    }
  }
  return lines.length === 0 ? undefined : lines.join("\n");
}

/**
 * `roots`, then every object reachable from them through own data
 * properties and built-ins' contents (a Map's keys and values, a Set's values).
 */
export function reachableObjects(roots: readonly object[]): object[] {
  const out = [...roots];
  const seen = new Set<object>(roots);
  for (let i = 0; i < out.length; i++) {
    const o = out[i]!;
    const children = Reflect.ownKeys(o).map(
      (key) => Reflect.getOwnPropertyDescriptor(o, key)!.value as unknown,
    );
    for (const v of [...children, ...builtinChildren(builtinState(o))]) {
      if (typeof v === "object" && v !== null && !seen.has(v) && isWalkable(v)) {
        seen.add(v);
        out.push(v);
      }
    }
  }
  return out;
}
