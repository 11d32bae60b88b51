/**
 * fast-check arbitraries for random live object graphs — shared references,
 * cycles, instances of several small classes, arrays with holes, null
 * prototypes, symbol keys, accessors and non-enumerable properties — and a
 * structural snapshot that records identities, so a test can say "every
 * value, prototype and reference is exactly as before".
 *
 * An arbitrary yields a plain-data *spec*; `buildObjectGraph` turns it into
 * fresh objects. Tests mutate the objects they get, so each generated value
 * (and each shrink) builds its own.
 */
import fc from "fast-check";
import { refuseUnknownKeys } from "../optionKeys.js";

// --- The classes and keys graphs are made of ------------------------------

export class GraphPoint {
  x: unknown = 0;
  y: unknown = 0;
  describe(): string {
    return `point(${String(this.x)}, ${String(this.y)})`;
  }
}

export class GraphLink {
  value: unknown = null;
  next: unknown = null;
  describe(): string {
    return `link(${String(this.value)})`;
  }
}

export class GraphBox {
  content: unknown = undefined;
  get isEmpty(): boolean {
    return this.content === undefined;
  }
  describe(): string {
    return "box";
  }
}

export class GraphLabeledBox extends GraphBox {
  label: unknown = "";
  override describe(): string {
    return `labeled box ${String(this.label)}`;
  }
}

export const GRAPH_SYMBOLS: readonly symbol[] = [Symbol("graph.local"), Symbol.for("graph.shared")];

export const GRAPH_NODE_KINDS = [
  "plain",
  "point",
  "link",
  "box",
  "labeledBox",
  "nullPrototype",
  "array",
] as const;
export type GraphNodeKind = (typeof GRAPH_NODE_KINDS)[number];

/** Keys fields are drawn from: some collide with class fields, two are symbols. */
export const GRAPH_FIELD_KEYS: readonly (string | { readonly symbol: number })[] = [
  "a",
  "b",
  "c",
  "x",
  "value",
  "content",
  { symbol: 0 },
  { symbol: 1 },
];

// --- Specs -----------------------------------------------------------------

export type PrimitiveSpec = number | string | boolean | null | undefined;
/** A primitive, or a reference to node `ref` (modulo the node count). */
export type ValueSpec = { readonly primitive: PrimitiveSpec } | { readonly ref: number };

export interface FieldSpec {
  /** Index into GRAPH_FIELD_KEYS. */
  readonly key: number;
  readonly value: ValueSpec;
  readonly enumerable: boolean;
  /** Stored behind a getter/setter pair closing over the value. */
  readonly accessor: boolean;
}

export interface NodeSpec {
  readonly kind: GraphNodeKind;
  /** Own properties defined after construction, in this order (keys unique). */
  readonly fields: readonly FieldSpec[];
  /** For arrays: elements, null for a hole. */
  readonly elements: readonly (ValueSpec | null)[];
  /** For arrays: holes added after the last element. */
  readonly trailingHoles: number;
}

export interface ObjectGraphSpec {
  readonly nodes: readonly NodeSpec[];
}

export interface ObjectGraphOptions {
  readonly minNodes?: number;
  readonly maxNodes?: number;
  readonly maxFields?: number;
  /** Kinds to draw from (all by default). */
  readonly kinds?: readonly GraphNodeKind[];
  /** Symbol-keyed fields (default true). */
  readonly symbols?: boolean;
  /** Accessor fields (default true). */
  readonly accessors?: boolean;
}

const GRAPH_KEYS = ["minNodes", "maxNodes", "maxFields", "kinds", "symbols", "accessors"];

export function primitiveArbitrary(): fc.Arbitrary<PrimitiveSpec> {
  return fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: false }),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );
}

export function valueSpecArbitrary(): fc.Arbitrary<ValueSpec> {
  return fc.oneof(
    primitiveArbitrary().map((primitive) => ({ primitive })),
    fc.nat({ max: 1000 }).map((ref) => ({ ref })),
  );
}

export function fieldSpecsArbitrary(
  options: ObjectGraphOptions = {},
): fc.Arbitrary<readonly FieldSpec[]> {
  const keyIndices = GRAPH_FIELD_KEYS.flatMap((k, i) =>
    typeof k === "string" || options.symbols !== false ? [i] : [],
  );
  return fc.uniqueArray(
    fc.record({
      key: fc.constantFrom(...keyIndices),
      value: valueSpecArbitrary(),
      enumerable: fc.boolean(),
      accessor: options.accessors === false ? fc.constant(false) : fc.boolean(),
    }),
    { maxLength: options.maxFields ?? 4, selector: (f) => f.key },
  );
}

export function nodeSpecArbitrary(options: ObjectGraphOptions = {}): fc.Arbitrary<NodeSpec> {
  return fc.record({
    kind: fc.constantFrom(...(options.kinds ?? GRAPH_NODE_KINDS)),
    fields: fieldSpecsArbitrary(options),
    elements: fc.array(fc.option(valueSpecArbitrary(), { nil: null }), { maxLength: 4 }),
    trailingHoles: fc.nat({ max: 2 }),
  });
}

export function objectGraphSpecArbitrary(
  options: ObjectGraphOptions = {},
): fc.Arbitrary<ObjectGraphSpec> {
  refuseUnknownKeys(options, GRAPH_KEYS, "objectGraphSpecArbitrary");
  return fc
    .array(nodeSpecArbitrary(options), {
      minLength: options.minNodes ?? 1,
      maxLength: options.maxNodes ?? 8,
    })
    .map((nodes) => ({ nodes }));
}

// --- Building ----------------------------------------------------------------

export interface ObjectGraph {
  readonly spec: ObjectGraphSpec;
  /** One object per node spec; the graph's identities. */
  readonly nodes: readonly object[];
}

export function graphKey(index: number): PropertyKey {
  const key = GRAPH_FIELD_KEYS[index]!;
  return typeof key === "string" ? key : GRAPH_SYMBOLS[key.symbol]!;
}

function construct(kind: GraphNodeKind): object {
  switch (kind) {
    case "plain":
      return {};
    case "point":
      return new GraphPoint();
    case "link":
      return new GraphLink();
    case "box":
      return new GraphBox();
    case "labeledBox":
      return new GraphLabeledBox();
    case "nullPrototype": {
      // Object.create(null) starts in dictionary mode; this one stays fast.
      const o = {};
      Object.setPrototypeOf(o, null);
      return o;
    }
    case "array":
      return [];
  }
}

/** Builds fresh objects for `spec`: every node first, then fields (so references may form cycles). */
export function buildObjectGraph(spec: ObjectGraphSpec): ObjectGraph {
  const nodes = spec.nodes.map((n) => construct(n.kind));
  const resolve = (v: ValueSpec): unknown =>
    "ref" in v ? nodes[v.ref % nodes.length] : v.primitive;
  spec.nodes.forEach((n, i) => {
    const obj = nodes[i]!;
    if (n.kind === "array") {
      const arr = obj as unknown[];
      n.elements.forEach((e, j) => {
        if (e !== null) arr[j] = resolve(e);
      });
      arr.length = n.elements.length + n.trailingHoles;
    }
    for (const f of n.fields) {
      let value = resolve(f.value);
      const descriptor: PropertyDescriptor = f.accessor
        ? {
            get: () => value,
            set: (v: unknown) => {
              value = v;
            },
          }
        : { value, writable: true };
      Object.defineProperty(obj, graphKey(f.key), {
        ...descriptor,
        enumerable: f.enumerable,
        configurable: true,
      });
    }
  });
  return { spec, nodes };
}

export function objectGraphArbitrary(options: ObjectGraphOptions = {}): fc.Arbitrary<ObjectGraph> {
  refuseUnknownKeys(options, GRAPH_KEYS, "objectGraphArbitrary");
  return objectGraphSpecArbitrary(options).map(buildObjectGraph);
}

/**
 * Whether the node's own properties were added in `Reflect.ownKeys` order
 * (string keys before symbol keys). Only then can an in-place rewrite know the
 * real property order and keep the object in V8's fast mode.
 */
export function insertionOrderIsOwnKeysOrder(node: NodeSpec): boolean {
  let sawSymbol = false;
  for (const f of node.fields) {
    const isSymbol = typeof graphKey(f.key) === "symbol";
    if (sawSymbol && !isSymbol) return false;
    sawSymbol ||= isSymbol;
  }
  return true;
}

/** Random disjoint pairs of node indices, arrays paired with arrays and other objects with other objects. */
export function disjointPairsArbitrary(
  graph: ObjectGraph,
): fc.Arbitrary<{ readonly olds: number[]; readonly news: number[] }> {
  const arrays: number[] = [];
  const others: number[] = [];
  graph.nodes.forEach((n, i) => {
    (Array.isArray(n) ? arrays : others).push(i);
  });
  return fc
    .tuple(
      fc.shuffledSubarray(arrays),
      fc.shuffledSubarray(others),
      fc.array(fc.boolean(), { maxLength: graph.nodes.length }),
    )
    .map(([a, o, flips]) => {
      const olds: number[] = [];
      const news: number[] = [];
      for (const group of [a, o]) {
        for (let i = 0; i + 1 < group.length; i += 2) {
          olds.push(group[i]!);
          news.push(group[i + 1]!);
        }
      }
      // Interleave the array pairs among the others so neither kind is always first.
      const order = olds
        .map((_, i) => i)
        .sort((x, y) => Number(flips[x] ?? 0) - Number(flips[y] ?? 0));
      return { olds: order.map((i) => olds[i]!), news: order.map((i) => news[i]!) };
    });
}

/** A graph together with random disjoint pairs of its nodes. */
export function graphWithPairsArbitrary(
  options: ObjectGraphOptions = {},
): fc.Arbitrary<{ graph: ObjectGraph; olds: number[]; news: number[] }> {
  return objectGraphArbitrary(options).chain((graph) =>
    disjointPairsArbitrary(graph).map(({ olds, news }) => ({ graph, olds, news })),
  );
}

// --- Snapshots ---------------------------------------------------------------

/** Gives every object and function a stable number; share one registry between snapshots to compare them. */
export interface IdentityRegistry {
  idOf(value: object): number;
}

export function createIdentityRegistry(): IdentityRegistry {
  const ids = new Map<object, number>();
  return {
    idOf(value) {
      let id = ids.get(value);
      if (id === undefined) ids.set(value, (id = ids.size));
      return id;
    },
  };
}

export type SnapshotValue =
  | { readonly primitive: unknown }
  /** A node of the snapshot's own list, by position: stays put when contents move. */
  | { readonly node: number }
  | { readonly identity: number };

export interface PropertySnapshot {
  readonly key: string;
  readonly enumerable: boolean;
  readonly configurable: boolean;
  readonly writable?: boolean;
  readonly value?: SnapshotValue;
  readonly get?: SnapshotValue;
  readonly set?: SnapshotValue;
  /** What the getter returns now. */
  readonly current?: SnapshotValue;
}

export interface ObjectSnapshot {
  readonly prototype: SnapshotValue;
  readonly isArray: boolean;
  readonly length?: number;
  readonly extensible: boolean;
  readonly properties: readonly PropertySnapshot[];
}

function keyName(key: PropertyKey): string {
  return typeof key === "symbol" ? `@@${key.description ?? ""}` : String(key);
}

/**
 * A structural snapshot of `objects` that records identities: a reference to
 * one of `objects` is recorded by its position in the list, any other object
 * or function by its registry id, so two snapshots are equal exactly when every
 * value, prototype, attribute and reference is the same.
 */
export function snapshotObjects(
  objects: readonly object[],
  registry: IdentityRegistry,
): ObjectSnapshot[] {
  const positions = new Map<unknown, number>();
  objects.forEach((o, i) => {
    if (!positions.has(o)) positions.set(o, i);
  });
  const encode = (v: unknown): SnapshotValue => {
    const position = positions.get(v);
    if (position !== undefined) return { node: position };
    if ((typeof v === "object" && v !== null) || typeof v === "function") {
      return { identity: registry.idOf(v) };
    }
    return { primitive: v };
  };
  return objects.map((obj) => {
    const properties = Reflect.ownKeys(obj).map((key): PropertySnapshot => {
      const d = Reflect.getOwnPropertyDescriptor(obj, key)!;
      const base = {
        key: keyName(key),
        enumerable: !!d.enumerable,
        configurable: !!d.configurable,
      };
      if ("value" in d) return { ...base, writable: !!d.writable, value: encode(d.value) };
      return {
        ...base,
        get: encode(d.get),
        set: encode(d.set),
        current: encode(d.get?.call(obj)),
      };
    });
    return {
      prototype: encode(Reflect.getPrototypeOf(obj)),
      isArray: Array.isArray(obj),
      ...(Array.isArray(obj) ? { length: obj.length } : {}),
      extensible: Reflect.isExtensible(obj),
      properties,
    };
  });
}
