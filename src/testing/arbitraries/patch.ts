/**
 * fast-check arbitraries for random patches that are valid against a model
 * of the classes they change, plus the model of the classes afterwards — so
 * an engine test can apply a random patch to real classes and compare.
 *
 * A patch is generated as a list of plain choices (numbers), which are then
 * interpreted step by step against the model world: each step picks one of
 * the operations that make sense *now* (a field to remove must exist, a new
 * field name must be free in the whole hierarchy, …). Generation never
 * fails, and shrinking a choice list shrinks the patch.
 *
 * Names come from small pools so that independent patches often touch the
 * same classes and fields, which is what composition tests need.
 */
import fc from "fast-check";
import type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Policy,
} from "../../patch/operations.js";
import type { Patch } from "../../patch/patch.js";
import type { PatchBuilder } from "../../patch/builder.js";
import { patch } from "../../patch/builder.js";
import type {
  FieldDefinition,
  MemberKey,
  MethodDefinition,
  MethodKind,
} from "../../mop/classDefinition.js";
import { sameMemberKey } from "../../mop/classDefinition.js";

// --- Pools ---------------------------------------------------------------------

export const PATCH_CLASS_NAMES = ["Shape", "Picture", "Person", "Item", "Box", "Label"] as const;
export const PATCH_FIELD_NAMES = ["a", "b", "c", "path", "size", "name", "owner", "tags"] as const;
export const PATCH_METHOD_NAMES = ["area", "describe", "total", "toJSON"] as const;
const VALIDATION_NAMES = [
  "sizes-positive",
  "names-set",
  "no-orphans",
  "paths-absolute",
  "tags-unique",
];
const POLICIES: readonly Policy[] = ["eager", "lazy", "progressive"];

/** Field initialisers used by generated patches: total on any old view. */
export const PATCH_INITIALISERS: readonly FieldInitialiser[] = [
  (old) => Object.keys(old).length,
  (old) => (typeof old.size === "number" ? old.size * 2 : 0),
  (old) => `${String(old.name ?? "")}!`,
];

/** Migrators used by generated patches: they only write fields that exist on every target. */
export const PATCH_MIGRATORS: readonly Migrator[] = [
  (old, target) => {
    void old;
    void target;
  },
  (old, target) => {
    if ("size" in target && typeof old.size === "number") target.size = old.size + 1;
  },
];

export const PATCH_NAMESPACE_CHECKS: readonly NamespaceValidation[] = [
  () => true,
  (world) => world.lookup("Object") === undefined || "every class is defined",
];

export const PATCH_INSTANCE_CHECKS: readonly InstanceValidation[] = [
  (instance) => typeof instance === "object" || "not an object",
  (instance) =>
    !("size" in instance) || typeof instance.size !== "string" || "size became a string",
];

const DEFAULTS: readonly ({ default: unknown } | { defaultSource: string } | object)[] = [
  {},
  { default: 0 },
  { default: "" },
  { default: [] },
  { default: { tags: ["new"] } },
  { defaultSource: "Date.now() > 0" },
];

// --- The model ---------------------------------------------------------------

/** A class as the model sees it: a definition's name, superclass, fields and methods. */
export interface ModelClass {
  readonly name: string;
  readonly superclass: string | null;
  readonly fields: readonly FieldDefinition[];
  readonly methods: readonly MethodDefinition[];
}

export interface ModelWorld {
  readonly classes: readonly ModelClass[];
}

/** A small hierarchy most generated patches start from. */
export const DEFAULT_MODEL_WORLD: ModelWorld = {
  classes: [
    {
      name: "Shape",
      superclass: null,
      fields: [{ name: "a" }, { name: "b", initializer: "0" }],
      methods: [{ key: "area", kind: "method", static: false, source: "area() { return 0; }" }],
    },
    {
      name: "Picture",
      superclass: "Shape",
      fields: [
        { name: "path", initializer: '""' },
        { name: "size", initializer: "1" },
      ],
      methods: [
        {
          key: "describe",
          kind: "method",
          static: false,
          source: "describe() { return this.path; }",
        },
      ],
    },
    { name: "Person", superclass: null, fields: [{ name: "name" }], methods: [] },
  ],
};

export interface PatchScenario {
  /** The classes the patch was generated against. */
  readonly before: ModelWorld;
  readonly patch: Patch;
  /** The classes as the patch should leave them. */
  readonly after: ModelWorld;
}

export interface PatchSequenceScenario {
  readonly before: ModelWorld;
  /** Each patch is valid against the world the previous ones leave. */
  readonly patches: readonly Patch[];
  readonly after: ModelWorld;
}

export interface PatchArbitraryOptions {
  /** The classes to patch (default: DEFAULT_MODEL_WORLD). */
  readonly world?: ModelWorld;
  readonly minOperations?: number;
  /** Default 8. */
  readonly maxOperations?: number;
  /** Patch name (default "random"). */
  readonly name?: string;
}

/** Mutable model state while one patch (or sequence) is being interpreted. */
interface State {
  classes: ModelClass[];
  /** Validation names in use: composition refuses a name used twice. */
  validations: Set<string>;
  /** Classes named by validateInstances: they must keep their name and exist until validation. */
  pinned: Set<string>;
}

/** Turns choice numbers into picks from lists; runs out gracefully by cycling. */
class Picker {
  #i = 0;
  constructor(readonly picks: readonly number[]) {}
  next(): number {
    const n = this.picks.length === 0 ? 0 : this.picks[this.#i % this.picks.length]!;
    this.#i++;
    return n;
  }
  one<T>(list: readonly T[]): T {
    return list[this.next() % list.length]!;
  }
  chance(): boolean {
    return this.next() % 2 === 0;
  }
  /** A non-empty subset of `list` (in list order) when `list` is non-empty. */
  subset<T>(list: readonly T[], atLeast = 1): T[] {
    const chosen = list.filter(() => this.chance());
    return chosen.length >= atLeast ? chosen : list.slice(0, atLeast);
  }
  permutation<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.next() % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

const byName = (s: State, name: string): ModelClass => s.classes.find((c) => c.name === name)!;
const fieldNames = (c: ModelClass): string[] => c.fields.map((f) => f.name);

function ancestors(s: State, name: string): ModelClass[] {
  const out: ModelClass[] = [];
  for (let c = byName(s, name).superclass; c !== null; c = byName(s, c).superclass)
    out.push(byName(s, c));
  return out;
}

function descendants(s: State, name: string): ModelClass[] {
  const children = s.classes.filter((c) => c.superclass === name);
  return children.flatMap((c) => [c, ...descendants(s, c.name)]);
}

/** Every field an instance of `name`, or of any subclass, can hold. */
function hierarchyFields(s: State, name: string): Set<string> {
  return new Set(
    [byName(s, name), ...ancestors(s, name), ...descendants(s, name)].flatMap(fieldNames),
  );
}

const freeClassNames = (s: State): string[] =>
  PATCH_CLASS_NAMES.filter((n) => !s.classes.some((c) => c.name === n));

const freeFieldNames = (s: State, cls: string, taken: Iterable<string> = []): string[] => {
  const used = hierarchyFields(s, cls);
  for (const t of taken) used.add(t);
  return PATCH_FIELD_NAMES.filter((f) => !used.has(f));
};

function update(s: State, name: string, change: (c: ModelClass) => Partial<ModelClass>): void {
  s.classes = s.classes.map((c) => (c.name === name ? { ...c, ...change(c) } : c));
}

function methodSource(key: MemberKey, kind: MethodKind, variant: number): string {
  const name = typeof key === "string" ? key : `[${key.symbol}]`;
  if (typeof key !== "string") return `*${name}() { yield ${variant}; }`;
  if (kind === "get") return `get ${name}() { return ${variant}; }`;
  return `${name}() { return ${variant}; }`;
}

function randomMethod(p: Picker, taken: readonly MethodDefinition[]): MethodDefinition | undefined {
  const candidates: MethodDefinition[] = [];
  for (const name of PATCH_METHOD_NAMES) {
    for (const kind of ["method", "get"] as const) {
      for (const isStatic of [false, true])
        candidates.push({ key: name, kind, static: isStatic, source: "" });
    }
  }
  candidates.push({
    key: { symbol: "Symbol.iterator" },
    kind: "method",
    static: false,
    source: "",
  });
  const free = candidates.filter(
    (m) => !taken.some((t) => sameMemberKey(t.key, m.key) && t.static === m.static),
  );
  if (free.length === 0) return undefined;
  const m = p.one(free);
  return { ...m, source: methodSource(m.key, m.kind, p.next() % 10) };
}

type Builder = PatchBuilder;

interface Generator {
  readonly applicable: (s: State) => boolean;
  readonly apply: (b: Builder, s: State, p: Picker) => Builder;
}

const classes = (s: State, filter: (c: ModelClass) => boolean = () => true): ModelClass[] =>
  s.classes.filter(filter);

const GENERATORS: readonly Generator[] = [
  {
    // addClass
    applicable: (s) => freeClassNames(s).length > 0,
    apply: (b, s, p) => {
      const name = p.one(freeClassNames(s));
      const superclass = p.chance() || s.classes.length === 0 ? null : p.one(s.classes).name;
      const inherited = new Set(
        superclass === null
          ? []
          : [byName(s, superclass), ...ancestors(s, superclass)].flatMap(fieldNames),
      );
      const fields = PATCH_FIELD_NAMES.filter((f) => !inherited.has(f) && p.next() % 3 === 0).map(
        (f): FieldDefinition => (p.chance() ? { name: f } : { name: f, initializer: "null" }),
      );
      const method = p.chance() ? randomMethod(p, []) : undefined;
      const methods = method ? [method] : [];
      s.classes.push({ name, superclass, fields, methods });
      return b.addClass({ name, ...(superclass === null ? {} : { superclass }), fields, methods });
    },
  },
  {
    // removeClass: only leaves of the hierarchy that no validation names
    applicable: (s) =>
      classes(s, (c) => descendants(s, c.name).length === 0 && !s.pinned.has(c.name)).length > 0,
    apply: (b, s, p) => {
      const c = p.one(
        classes(s, (c) => descendants(s, c.name).length === 0 && !s.pinned.has(c.name)),
      );
      s.classes = s.classes.filter((x) => x !== c);
      return b.removeClass(c.name);
    },
  },
  {
    // renameClass
    applicable: (s) =>
      freeClassNames(s).length > 0 && classes(s, (c) => !s.pinned.has(c.name)).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => !s.pinned.has(c.name)));
      const to = p.one(freeClassNames(s));
      s.classes = s.classes.map((x) => ({
        ...x,
        name: x.name === c.name ? to : x.name,
        superclass: x.superclass === c.name ? to : x.superclass,
      }));
      return b.renameClass(c.name, to);
    },
  },
  {
    // addField
    applicable: (s) => classes(s, (c) => freeFieldNames(s, c.name).length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => freeFieldNames(s, c.name).length > 0));
      const field = p.one(freeFieldNames(s, c.name));
      const defaults = p.one(DEFAULTS);
      const initial = p.chance() ? { initial: p.one(PATCH_INITIALISERS) } : {};
      const before = c.fields.length > 0 && p.chance() ? p.one(fieldNames(c)) : undefined;
      const options = { ...defaults, ...initial, ...(before === undefined ? {} : { before }) };
      const initializer =
        "default" in defaults
          ? JSON.stringify(defaults.default)
          : "defaultSource" in defaults
            ? defaults.defaultSource
            : undefined;
      const definition: FieldDefinition =
        initializer === undefined ? { name: field } : { name: field, initializer };
      const at = before === undefined ? c.fields.length : fieldNames(c).indexOf(before);
      update(s, c.name, (x) => ({
        fields: [...x.fields.slice(0, at), definition, ...x.fields.slice(at)],
      }));
      return b.addField(c.name, field, options);
    },
  },
  {
    // removeField
    applicable: (s) => classes(s, (c) => c.fields.length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => c.fields.length > 0));
      const field = p.one(fieldNames(c));
      update(s, c.name, (x) => ({ fields: x.fields.filter((f) => f.name !== field) }));
      return b.removeField(c.name, field);
    },
  },
  {
    // renameField
    applicable: (s) =>
      classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(
        classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0),
      );
      const field = p.one(fieldNames(c));
      const to = p.one(freeFieldNames(s, c.name));
      update(s, c.name, (x) => ({
        fields: x.fields.map((f) => (f.name === field ? { ...f, name: to } : f)),
      }));
      return b.renameField(c.name, field, to);
    },
  },
  {
    // reorderFields
    applicable: (s) => classes(s, (c) => c.fields.length > 1).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => c.fields.length > 1));
      const fields = p.permutation(c.fields);
      update(s, c.name, () => ({ fields }));
      return b.reorderFields(
        c.name,
        fields.map((f) => f.name),
      );
    },
  },
  {
    // pullUpField: the field must fit the superclass's whole hierarchy once the siblings lose it
    applicable: (s) => pullUpCandidates(s).length > 0,
    apply: (b, s, p) => {
      const [c, field] = p.one(pullUpCandidates(s));
      const parent = c.superclass!;
      const definition = c.fields.find((f) => f.name === field)!;
      for (const sibling of classes(s, (x) => x.superclass === parent)) {
        update(s, sibling.name, (x) => ({ fields: x.fields.filter((f) => f.name !== field) }));
      }
      update(s, parent, (x) => ({ fields: [...x.fields, definition] }));
      return b.pullUpField(c.name, field);
    },
  },
  {
    // pushDownField: into each direct subclass, at the end of its own fields
    applicable: (s) =>
      classes(s, (c) => c.fields.length > 0 && s.classes.some((x) => x.superclass === c.name))
        .length > 0,
    apply: (b, s, p) => {
      const c = p.one(
        classes(s, (c) => c.fields.length > 0 && s.classes.some((x) => x.superclass === c.name)),
      );
      const definition = p.one(c.fields);
      update(s, c.name, (x) => ({ fields: x.fields.filter((f) => f !== definition) }));
      for (const child of classes(s, (x) => x.superclass === c.name)) {
        update(s, child.name, (x) => ({ fields: [...x.fields, definition] }));
      }
      return b.pushDownField(c.name, definition.name);
    },
  },
  {
    // changeSuperclass: no cycle, no field seen twice by one object
    applicable: (s) => superclassCandidates(s).length > 0,
    apply: (b, s, p) => {
      const [c, superclass] = p.one(superclassCandidates(s));
      update(s, c.name, () => ({ superclass }));
      return b.changeSuperclass(c.name, superclass);
    },
  },
  {
    // insertSuperclass
    applicable: (s) => freeClassNames(s).length > 0 && s.classes.length > 0,
    apply: (b, s, p) => {
      const c = p.one(s.classes);
      const name = p.one(freeClassNames(s));
      const fields = freeFieldNames(s, c.name)
        .filter(() => p.next() % 3 === 0)
        .map((f): FieldDefinition => ({ name: f }));
      s.classes = s.classes.map((x) => (x.name === c.name ? { ...x, superclass: name } : x));
      s.classes.push({ name, superclass: c.superclass, fields, methods: [] });
      return b.insertSuperclass(c.name, { name, fields });
    },
  },
  {
    // addMethod
    applicable: (s) => s.classes.length > 0,
    apply: (b, s, p) => {
      const c = p.one(s.classes);
      const method = randomMethod(p, c.methods);
      if (!method) return b;
      update(s, c.name, (x) => ({ methods: [...x.methods, method] }));
      return b.addMethod(c.name, method);
    },
  },
  {
    // replaceMethod
    applicable: (s) => classes(s, (c) => c.methods.length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => c.methods.length > 0));
      const old = p.one(c.methods);
      const method = { ...old, source: methodSource(old.key, old.kind, 10 + (p.next() % 10)) };
      update(s, c.name, (x) => ({ methods: x.methods.map((m) => (m === old ? method : m)) }));
      return b.replaceMethod(c.name, method);
    },
  },
  {
    // removeMethod, with or without its kind
    applicable: (s) => classes(s, (c) => c.methods.length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(classes(s, (c) => c.methods.length > 0));
      const old = p.one(c.methods);
      const withKind = p.chance();
      update(s, c.name, (x) => ({
        methods: x.methods.filter(
          (m) =>
            !(
              sameMemberKey(m.key, old.key) &&
              m.static === old.static &&
              (!withKind || m.kind === old.kind)
            ),
        ),
      }));
      return b.removeMethod(c.name, old.key, {
        static: old.static,
        ...(withKind ? { kind: old.kind } : {}),
      });
    },
  },
  {
    // splitClass
    applicable: (s) =>
      freeClassNames(s).length > 0 &&
      classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0).length > 0,
    apply: (b, s, p) => {
      const c = p.one(
        classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0),
      );
      const moved = p.subset(c.fields);
      const into = p.one(freeClassNames(s));
      const via = p.one(freeFieldNames(s, c.name));
      update(s, c.name, (x) => ({
        fields: [...x.fields.filter((f) => !moved.includes(f)), { name: via }],
      }));
      s.classes.push({ name: into, superclass: null, fields: moved, methods: [] });
      // The new objects must exist when the update runs: keep the class.
      s.pinned.add(into);
      return b.splitClass(
        c.name,
        moved.map((f) => f.name),
        { into, via },
      );
    },
  },
  {
    // migrate
    applicable: (s) => s.classes.length > 0,
    apply: (b, s, p) => b.migrate(p.one(s.classes).name, p.one(PATCH_MIGRATORS)),
  },
  {
    // validate
    applicable: (s) => VALIDATION_NAMES.some((n) => !s.validations.has(n)),
    apply: (b, s, p) => {
      const name = p.one(VALIDATION_NAMES.filter((n) => !s.validations.has(n)));
      s.validations.add(name);
      return b.validate(name, p.one(PATCH_NAMESPACE_CHECKS));
    },
  },
  {
    // validateInstances
    applicable: (s) => s.classes.length > 0 && VALIDATION_NAMES.some((n) => !s.validations.has(n)),
    apply: (b, s, p) => {
      const name = p.one(VALIDATION_NAMES.filter((n) => !s.validations.has(n)));
      const c = p.one(s.classes);
      s.validations.add(name);
      s.pinned.add(c.name);
      return b.validateInstances(name, c.name, p.one(PATCH_INSTANCE_CHECKS));
    },
  },
  {
    // policy
    applicable: () => true,
    apply: (b, _s, p) => b.policy(p.one(POLICIES)),
  },
];

function pullUpCandidates(s: State): [ModelClass, string][] {
  const out: [ModelClass, string][] = [];
  for (const c of s.classes) {
    if (c.superclass === null) continue;
    const parent = c.superclass;
    const directChildren = new Set(classes(s, (x) => x.superclass === parent).map((x) => x.name));
    const above = new Set([byName(s, parent), ...ancestors(s, parent)].flatMap(fieldNames));
    const deeper = new Set(
      descendants(s, parent)
        .filter((x) => !directChildren.has(x.name))
        .flatMap(fieldNames),
    );
    for (const f of fieldNames(c)) if (!above.has(f) && !deeper.has(f)) out.push([c, f]);
  }
  return out;
}

function superclassCandidates(s: State): [ModelClass, string | null][] {
  const out: [ModelClass, string | null][] = [];
  for (const c of s.classes) {
    if (c.superclass !== null) out.push([c, null]);
    const below = new Set([c, ...descendants(s, c.name)].map((x) => x.name));
    const belowFields = new Set([c, ...descendants(s, c.name)].flatMap(fieldNames));
    for (const candidate of s.classes) {
      if (below.has(candidate.name) || candidate.name === c.superclass) continue;
      const aboveFields = [candidate, ...ancestors(s, candidate.name)].flatMap(fieldNames);
      if (aboveFields.some((f) => belowFields.has(f))) continue;
      out.push([c, candidate.name]);
    }
  }
  return out;
}

const stepArbitrary = fc.record({
  kind: fc.nat({ max: 10_000 }),
  picks: fc.array(fc.nat({ max: 10_000 }), { minLength: 8, maxLength: 8 }),
});

type Step = { readonly kind: number; readonly picks: readonly number[] };

function interpret(state: State, name: string, steps: readonly Step[]): Patch {
  let builder: Builder = patch(name);
  for (const step of steps) {
    const applicable = GENERATORS.filter((g) => g.applicable(state));
    const generator = applicable[step.kind % applicable.length]!;
    builder = generator.apply(builder, state, new Picker(step.picks));
  }
  return builder.build();
}

const snapshot = (s: State): ModelWorld => ({ classes: s.classes.map((c) => ({ ...c })) });

const freshState = (world: ModelWorld): State => ({
  classes: [...world.classes],
  validations: new Set(),
  pinned: new Set(),
});

/** A random patch valid against `options.world`, with the world it should produce. */
export function patchScenarioArbitrary(
  options: PatchArbitraryOptions = {},
): fc.Arbitrary<PatchScenario> {
  const world = options.world ?? DEFAULT_MODEL_WORLD;
  const steps = fc.array(stepArbitrary, {
    minLength: options.minOperations ?? 0,
    maxLength: options.maxOperations ?? 8,
  });
  return steps.map((chosen) => {
    const state = freshState(world);
    const built = interpret(state, options.name ?? "random", chosen);
    return { before: world, patch: built, after: snapshot(state) };
  });
}

/** A random patch valid against `options.world` (default DEFAULT_MODEL_WORLD). */
export function patchArbitrary(options: PatchArbitraryOptions = {}): fc.Arbitrary<Patch> {
  return patchScenarioArbitrary(options).map((s) => s.patch);
}

/**
 * `count` patches, each valid against the world the previous ones leave
 * (so `Patch.compose(patches)` succeeds unless the patches disagree on
 * policy or a later migrator reads fields an earlier patch changed).
 */
export function patchSequenceArbitrary(
  count: number,
  options: Omit<PatchArbitraryOptions, "name"> = {},
): fc.Arbitrary<PatchSequenceScenario> {
  const world = options.world ?? DEFAULT_MODEL_WORLD;
  const steps = fc.array(stepArbitrary, {
    minLength: options.minOperations ?? 0,
    maxLength: options.maxOperations ?? 8,
  });
  return fc.array(steps, { minLength: count, maxLength: count }).map((perPatch) => {
    const state = freshState(world);
    // Validation names and pinned classes carry over: the patches must compose into one valid patch.
    const patches = perPatch.map((chosen, i) => interpret(state, `p${i + 1}`, chosen));
    return { before: world, patches, after: snapshot(state) };
  });
}
