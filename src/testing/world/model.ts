/**
 * Resolving a world source once: the classes (ordinary classes and class
 * specs, made afresh in a new namespace for every world, or a namespace
 * factory), their
 * fields, inherited first, and the values a fresh instance starts with.
 */
import type { ClassDefinition, ClassSpec } from "../../mop/classDefinition.js";
import { currentVersion } from "../../mop/classHandle.js";
import type { BuiltinState } from "../builtins.js";
import { builtinState } from "../builtins.js";
import type { Constructor } from "../../mop/createClass.js";
import { Namespace } from "../../namespace/namespace.js";
import { checkWorldSource } from "./options.js";
import {
  classesBuiltRaw,
  registeringThroughHandles,
  rememberAsWritten,
} from "./factoryRegistration.js";
import { ordinaryClassRegistrar } from "./ordinaryClasses.js";
import type { WorldClass, WorldModel, WorldSource } from "./types.js";

export function hierarchyOrder(specs: readonly ClassSpec[]): ClassSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s] as const));
  const out: ClassSpec[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (spec: ClassSpec) => {
    if (placed.has(spec.name) || visiting.has(spec.name)) return;
    visiting.add(spec.name);
    const parent = spec.superclass ? byName.get(spec.superclass) : undefined;
    if (parent) place(parent);
    visiting.delete(spec.name);
    placed.add(spec.name);
    out.push(spec);
  };
  for (const spec of specs) place(spec);
  return out;
}

let worlds = 0;

/** A `namespace` factory's maker, as written and with its classes registered as the kit uses them. */
function factoryMakers(factory: unknown): { make: () => Namespace; asWritten: () => Namespace } {
  if (typeof factory !== "function") {
    throw new TypeError(
      "checkMigration: `namespace` must be a function returning a fresh Namespace",
    );
  }
  const asWritten = () => {
    const ns: unknown = factory();
    if (!(ns instanceof Namespace)) {
      throw new TypeError("checkMigration: the `namespace` factory did not return a Namespace");
    }
    return ns;
  };
  let builtRaw: ReadonlySet<string> | undefined;
  const make = () => {
    builtRaw ??= classesBuiltRaw(asWritten());
    return registeringThroughHandles(asWritten, builtRaw);
  };
  return { make, asWritten };
}

function makerOf(source: WorldSource): () => Namespace {
  if ("namespace" in source) return factoryMakers(source.namespace).make;
  if (!Array.isArray(source.classes)) {
    throw new TypeError("checkMigration: give `classes` (class specs) or `namespace` (a factory)");
  }
  const scope = source.scope ?? {};
  const register = ordinaryClassRegistrar(
    source.classes.filter((c): c is Function => typeof c === "function"),
    scope,
  );
  const ordered = hierarchyOrder(
    source.classes.filter((c): c is ClassSpec => typeof c !== "function"),
  );
  return () => {
    const ns = new Namespace(`world${++worlds}`);
    // Ordinary classes first: a class spec may extend one of them.
    register(ns);
    for (const spec of ordered) ns.defineClass(spec, { scope });
    return ns;
  };
}

/** The class bindings of a namespace, in binding order. */
export function classBindings(ns: Namespace): { name: string; handle: Constructor }[] {
  return Object.values(ns.snapshot.bindings).flatMap((b) =>
    b.kind === "class" ? [{ name: b.name, handle: b.handle }] : [],
  );
}

function fieldChainOf(name: string, defs: ReadonlyMap<string, ClassDefinition>): string[] {
  const chain: ClassDefinition[] = [];
  const seen = new Set<string>();
  for (let d = defs.get(name); d && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.unshift(d);
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  return chain.flatMap((d) => d.fields.map((f) => f.name));
}

/** Evaluates field initialisers on a scratch object, without constructing anything. */
function initialValues(
  name: string,
  defs: ReadonlyMap<string, ClassDefinition>,
): Record<string, unknown> | undefined {
  const scratch: Record<string, unknown> = {};
  const chain: ClassDefinition[] = [];
  for (let d = defs.get(name); d && !chain.includes(d); ) {
    chain.unshift(d);
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  for (const d of chain) {
    for (const f of d.fields) {
      try {
        scratch[f.name] =
          f.initializer === undefined || f.initializer.trim() === ""
            ? undefined
            : new Function(`"use strict"; return (${f.initializer});`).call(scratch);
      } catch {
        scratch[f.name] = undefined;
      }
    }
  }
  return scratch;
}

/**
 * A fresh instance's field values: `new C()` ran the real initialisers and
 * parameter defaults (`constructor(public owner = "")` gives owner ""), in
 * their context. Undefined when the constructor needs arguments.
 */
function freshValues(
  handle: Function,
  fields: readonly string[],
): Record<string, unknown> | undefined {
  try {
    const fresh = new (handle as unknown as new () => Record<string, unknown>)();
    return Object.fromEntries(fields.map((f) => [f, fresh[f]]));
  } catch {
    return undefined;
  }
}

/** For a class extending Map or Set, what a fresh instance holds (see WorldClass.contents). */
function contentsOf(
  handle: Function,
  construct: boolean,
): Map<unknown, unknown> | Set<unknown> | undefined {
  const proto = handle.prototype as object;
  const kind = Map.prototype.isPrototypeOf(proto)
    ? "Map"
    : Set.prototype.isPrototypeOf(proto)
      ? "Set"
      : undefined;
  if (kind === undefined) return undefined;
  let state: BuiltinState | undefined;
  try {
    state = construct ? builtinState(new (handle as new () => object)()) : undefined;
  } catch {
    state = undefined;
  }
  if (kind === "Map") return new Map(state?.kind === "Map" ? state.entries : []);
  return new Set(state?.kind === "Set" ? state.values : []);
}

/**
 * Resolves a world source once: a sample namespace tells the classes, their
 * fields and their defaults. With `construct`, defaults are read from a fresh
 * instance of each class (the sample namespace is thrown away), or, for a
 * class whose constructor needs arguments, from its initialisers evaluated
 * on their own; without, only the latter, and nothing is constructed.
 */
export function worldModel(source: WorldSource, construct = true): WorldModel {
  checkWorldSource(source, "worldModel");
  const factory = "namespace" in source ? factoryMakers(source.namespace) : undefined;
  const make = factory?.make ?? makerOf(source);
  const sample = make();
  const bindings = classBindings(sample);
  const defs = new Map(bindings.map((b) => [b.name, currentVersion(b.handle).definition] as const));
  const classes = bindings.map(({ name, handle }): WorldClass => {
    const definition = defs.get(name)!;
    const fields = fieldChainOf(name, defs);
    const samples =
      (construct ? freshValues(handle, fields) : undefined) ?? initialValues(name, defs);
    const contents = contentsOf(handle, construct);
    return { name, definition, fields, samples, ...(contents ? { contents } : {}) };
  });
  const model = { make, classes };
  if (factory) rememberAsWritten(model, factory.asWritten);
  return model;
}
