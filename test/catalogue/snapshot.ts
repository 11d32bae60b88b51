// A deep snapshot of everything a refusal must leave as it was: every object
// reachable from the world's instances and from its namespaces' bindings (own
// keys in order, property descriptors, values, identities, prototypes,
// extensibility, V8 fast mode), the hidden-class partition of the instances,
// each namespace's observable state (name, version, live snapshot, history,
// bindings, class definitions, scopes, instances found) and the intrinsics a
// patch could reach (Object.prototype, Array.prototype, Function.prototype,
// the global object's own keys).
//
// It is kept here rather than built on src/testing/snapshot.ts: that one
// renders one world for migration properties (classes by name, no
// descriptors of functions, no namespace internals), and the catalogue must
// see more than the kit it holds to account.
import { types } from "node:util";
import { allInstances, type Namespace, readClassDefinition } from "../../src/index.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

/**
 * V8 replaces a deprecated hidden class lazily, at an object's next access;
 * the partition is compared after that replacement (what the program's next
 * access would see), so it does not depend on which object was read last.
 */
const migrateInstance = new Function("o", "%TryMigrateInstance(o)") as (o: object) => void;

export interface World {
  readonly ns?: Namespace | readonly Namespace[];
  /** The program's objects (instances); their hidden-class partition is recorded. */
  readonly objects?: readonly object[];
  /** Anything else the program holds (classes, plain objects, user-supplied classes). */
  readonly extra?: readonly unknown[];
  /** Count instances with the heap finder too (a heap query costs ~100 ms, so only where asked). */
  readonly heapCounts?: boolean;
}

export interface DeepSnapshot {
  readonly lines: readonly string[];
  readonly identities: readonly unknown[];
}

const MAX_OBJECTS = 20_000;

const INTRINSICS: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [Object.prototype, "%Object.prototype%"],
  [Function.prototype, "%Function.prototype%"],
  [Array.prototype, "%Array.prototype%"],
  [Map.prototype, "%Map.prototype%"],
  [Set.prototype, "%Set.prototype%"],
  [Error.prototype, "%Error.prototype%"],
  [Promise.prototype, "%Promise.prototype%"],
  [Date.prototype, "%Date.prototype%"],
  [RegExp.prototype, "%RegExp.prototype%"],
  [globalThis, "%globalThis%"],
  [Object, "%Object%"],
  [Function, "%Function%"],
  [Array, "%Array%"],
  [Map, "%Map%"],
  [Set, "%Set%"],
  [Error, "%Error%"],
  [Promise, "%Promise%"],
]);

function namespacesOf(world: World): readonly Namespace[] {
  if (world.ns === undefined) return [];
  return Array.isArray(world.ns) ? (world.ns as readonly Namespace[]) : [world.ns as Namespace];
}

function keyText(key: PropertyKey): string {
  return typeof key === "symbol" ? `[${key.toString()}]` : JSON.stringify(key);
}

const isInternal = (key: PropertyKey): boolean =>
  typeof key === "symbol" && (key.description ?? "").startsWith("metamorph.");

class Walker {
  readonly walked: object[] = [];
  readonly positions = new Map<object, number>();
  readonly data = new Set<object>();
  readonly opaque = new Map<unknown, string>();

  enqueue(value: object, isData: boolean): number {
    let at = this.positions.get(value);
    if (at === undefined) {
      at = this.walked.length;
      this.positions.set(value, at);
      this.walked.push(value);
    }
    if (isData) this.data.add(value);
    return at;
  }

  encode(value: unknown, isData: boolean): string {
    switch (typeof value) {
      case "string":
        return JSON.stringify(value);
      case "number":
        return Object.is(value, -0) ? "-0" : String(value);
      case "bigint":
        return `${value}n`;
      case "undefined":
      case "boolean":
        return String(value);
      case "symbol": {
        let id = this.opaque.get(value);
        if (id === undefined) {
          id = `${value.toString()}@${this.opaque.size}`;
          this.opaque.set(value, id);
        }
        return id;
      }
      default: {
        if (value === null) return "null";
        const intrinsic = INTRINSICS.get(value);
        if (intrinsic !== undefined) return intrinsic;
        if (types.isProxy(value)) {
          let id = this.opaque.get(value);
          if (id === undefined) {
            id = `<proxy @${this.opaque.size}>`;
            this.opaque.set(value, id);
          }
          return id;
        }
        if (this.walked.length >= MAX_OBJECTS && !this.positions.has(value as object)) {
          return "<beyond the walk>";
        }
        return `#${this.enqueue(value as object, isData)}`;
      }
    }
  }

  render(o: object, index: number): string {
    const isData = this.data.has(o);
    const parts: string[] = [];
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key)!;
      const flags = `${d.enumerable ? "e" : "-"}${d.configurable ? "c" : "-"}`;
      if ("value" in d) {
        parts.push(
          `${keyText(key)}:${flags}${d.writable ? "w" : "-"} ${this.encode(d.value, isData)}`,
        );
      } else if (isInternal(key)) {
        // metamorph's own forwarding accessors on a class handle: which
        // function objects implement them is not the program's state.
        parts.push(`${keyText(key)}:${flags} internal accessor`);
      } else {
        parts.push(
          `${keyText(key)}:${flags} get ${this.encode(d.get, false)} set ${this.encode(d.set, false)}`,
        );
      }
    }
    // By brand, not `instanceof`: a Map subclass's prototype is no Map.
    if (types.isMap(o)) {
      for (const [k, v] of Map.prototype.entries.call(o))
        parts.push(`entry ${this.encode(k, isData)} => ${this.encode(v, isData)}`);
    } else if (types.isSet(o)) {
      for (const v of Set.prototype.values.call(o)) parts.push(`member ${this.encode(v, isData)}`);
    }
    const proto = this.encode(Reflect.getPrototypeOf(o), false);
    let flags = Object.isExtensible(o)
      ? ""
      : Object.isFrozen(o)
        ? " frozen"
        : Object.isSealed(o)
          ? " sealed"
          : " non-extensible";
    // Fast mode is part of the program's state for its data; prototypes and
    // functions change mode by V8's own choice (when first used as prototypes).
    if (isData && typeof o === "object" && !hasFastProperties(o)) flags += " dictionary-mode";
    return `#${index} ${typeof o === "function" ? "function" : "object"} proto ${proto}${flags} { ${parts.join(", ")} }`;
  }
}

function describeIntrinsic(name: string, o: object): string {
  const keys = Reflect.ownKeys(o).map((key) => {
    const d = Reflect.getOwnPropertyDescriptor(o, key)!;
    const attrs = `${d.enumerable ? "e" : "-"}${d.configurable ? "c" : "-"}${"value" in d ? (d.writable ? "w" : "-") : "a"}`;
    return `${keyText(key)}:${attrs}`;
  });
  return `${name} extensible=${Object.isExtensible(o)} proto=${String(INTRINSICS.get(Reflect.getPrototypeOf(o)) ?? "other")} { ${keys.join(", ")} }`;
}

/** Takes the deep snapshot of `world`. */
export function deepSnapshot(world: World): DeepSnapshot {
  const walker = new Walker();
  const lines: string[] = [];
  const identities: unknown[] = [];
  const objects = world.objects ?? [];
  for (const o of objects) walker.enqueue(o, true);
  for (const x of world.extra ?? [])
    if (typeof x === "object" || typeof x === "function") walker.encode(x, false);

  for (const [n, ns] of namespacesOf(world).entries()) {
    identities.push(ns.snapshot);
    const history = ns.history.map((s) => s.version).join(",");
    lines.push(
      `namespace ${n} ${JSON.stringify(ns.name)} version ${ns.version} history [${history}] finder ${ns.finder.kind}`,
    );
    for (const name of ns.bindingNames()) {
      const value = ns.lookup(name);
      identities.push(value);
      const encoded = walker.encode(value, false);
      if (typeof value === "function" && ns.owns(value)) {
        let definition: string;
        try {
          definition = JSON.stringify(readClassDefinition(value as new () => object));
        } catch (error) {
          definition = `unreadable: ${(error as Error).message}`;
        }
        let instances = "";
        if (ns.finder.kind === "registry" || world.heapCounts) {
          const found = allInstances(value as new () => object);
          identities.push(...found);
          instances = ` instances ${found.length}`;
        }
        lines.push(`  class ${name} = ${encoded}${instances} ${definition}`);
      } else {
        lines.push(`  ${typeof value === "function" ? "function" : "value"} ${name} = ${encoded}`);
      }
    }
    const scopes = [...ns.scopes].map(([handle, scope]) => {
      identities.push(handle, scope);
      return `${walker.encode(handle, false)}→${walker.encode(scope, false)}`;
    });
    lines.push(`  scopes ${ns.scopes.size} [${scopes.join(", ")}]`);
  }

  for (let i = 0; i < walker.walked.length; i++) {
    lines.push(walker.render(walker.walked[i]!, i));
  }
  identities.push(...walker.walked);

  for (const o of objects) if (!types.isProxy(o)) migrateInstance(o);
  const partition = objects.map((o, i) => {
    if (types.isProxy(o)) return -1;
    return objects.findIndex((p, j) => j <= i && !types.isProxy(p) && haveSameMap(o, p));
  });
  lines.push(`hidden classes of the instances: [${partition.join(", ")}]`);

  lines.push(describeIntrinsic("Object.prototype", Object.prototype));
  lines.push(describeIntrinsic("Array.prototype", Array.prototype));
  lines.push(describeIntrinsic("Function.prototype", Function.prototype));
  lines.push(`globalThis keys ${Reflect.ownKeys(globalThis).map(keyText).join(", ")}`);
  return { lines, identities };
}

/** Undefined when `a` and `b` are the same state, else the first differences. */
export function snapshotDifference(a: DeepSnapshot, b: DeepSnapshot): string | undefined {
  const out: string[] = [];
  const n = Math.max(a.lines.length, b.lines.length);
  for (let i = 0; i < n && out.length < 12; i++) {
    if (a.lines[i] === b.lines[i]) continue;
    out.push(`- ${a.lines[i] ?? "(none)"}`, `+ ${b.lines[i] ?? "(none)"}`);
  }
  if (out.length > 0) return out.join("\n");
  if (a.identities.length !== b.identities.length) {
    return `${a.identities.length} identities before, ${b.identities.length} after`;
  }
  for (let i = 0; i < a.identities.length; i++) {
    if (a.identities[i] !== b.identities[i]) return `identity ${i} is not the same object any more`;
  }
  return undefined;
}
