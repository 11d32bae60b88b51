/**
 * fast-check arbitraries for class definitions: single definitions, valid
 * hierarchies (forests whose chains never declare a field twice), and invalid
 * hierarchies that carry one known injected defect, so a property can say
 * "this defect is reported, under this rule, for this class".
 *
 * Everything is built with `map` over plain records (no `chain`), so failing
 * cases shrink well.
 */
import fc from "fast-check";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { keysOf, refuseUnknownKeys } from "../optionKeys.js";

/**
 * Class names: capitalised identifiers, never reserved words. They contain no
 * `_`, so the fixed names below that do (`Base_`, `Missing_`) are always fresh.
 */
export const classNameArb: fc.Arbitrary<string> = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,7}$/);

/**
 * Field names: a small common pool (so siblings often share names, which is
 * legal) plus arbitrary identifiers; any identifier, reserved or not, is a
 * valid field name.
 */
export const fieldNameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("id", "name", "value", "x", "y", "count"),
  fc.stringMatching(/^[a-z][A-Za-z0-9_$]{0,6}$/),
);

/** A definition with the defaults metamorph gives a freshly created class. */
export function makeDefinition(
  name: string,
  superclass: string | null,
  fields: readonly string[],
): ClassDefinition {
  return {
    name,
    superclass,
    fields: fields.map((field) => ({ name: field })),
    methods: [],
    staticFields: [],
    hasPrivateMembers: false,
    version: 1,
    fieldOrigin: "created",
  };
}

export interface HierarchyOptions {
  readonly minClasses?: number;
  readonly maxClasses?: number;
  readonly maxFields?: number;
}

const HIERARCHY_KEYS = keysOf<HierarchyOptions>({
  minClasses: true,
  maxClasses: true,
  maxFields: true,
});

/** One root class definition: a valid name and unique valid field names. */
export const classDefinitionArb: fc.Arbitrary<ClassDefinition> = fc
  .record({ name: classNameArb, fields: fc.uniqueArray(fieldNameArb, { maxLength: 6 }) })
  .map(({ name, fields }) => makeDefinition(name, null, fields));

/**
 * A valid forest of classes: unique names, every superclass is an earlier
 * class of the array, and no field is declared twice along any chain.
 */
export function hierarchyArb(options: HierarchyOptions = {}): fc.Arbitrary<ClassDefinition[]> {
  refuseUnknownKeys(options, HIERARCHY_KEYS, "hierarchyArbitrary");
  const maxClasses = options.maxClasses ?? 8;
  const minClasses = Math.min(options.minClasses ?? 0, maxClasses);
  const maxFields = options.maxFields ?? 4;
  return fc
    .record({
      names: fc.uniqueArray(classNameArb, { minLength: minClasses, maxLength: maxClasses }),
      shapes: fc.array(
        fc.record({
          parent: fc.nat(),
          fields: fc.uniqueArray(fieldNameArb, { maxLength: maxFields }),
        }),
        { minLength: maxClasses, maxLength: maxClasses },
      ),
    })
    .map(({ names, shapes }) => {
      const inherited: Set<string>[] = [];
      return names.map((name, i) => {
        const shape = shapes[i]!;
        // -1 (a root) or an earlier class, so the result is always a forest.
        const parent = (shape.parent % (i + 1)) - 1;
        const above = parent < 0 ? new Set<string>() : inherited[parent]!;
        const fields = shape.fields.filter((f) => !above.has(f));
        inherited.push(new Set([...above, ...fields]));
        return makeDefinition(name, parent < 0 ? null : names[parent]!, fields);
      });
    });
}

// --- Invalid hierarchies ------------------------------------------------------

/** A defect injected into a valid hierarchy, with the rule that must report it. */
export type InjectedDefect =
  /** `className` re-declares `field`, inherited from `ancestor`. */
  | {
      readonly kind: "duplicate-field-up";
      readonly rule: "duplicate-field";
      readonly className: string;
      readonly ancestor: string;
      readonly field: string;
    }
  /** `ancestor` was given `field`, which its descendant `className` already declares. */
  | {
      readonly kind: "duplicate-field-down";
      readonly rule: "duplicate-field";
      readonly className: string;
      readonly ancestor: string;
      readonly field: string;
    }
  /** `className` declares `field` twice. */
  | {
      readonly kind: "duplicate-field-own";
      readonly rule: "duplicate-field";
      readonly className: string;
      readonly field: string;
    }
  /** The superclass chain loops through exactly the classes of `cycle` (a self-cycle when it has one). */
  | {
      readonly kind: "cycle";
      readonly rule: "cyclic-superclass";
      readonly className: string;
      readonly cycle: readonly string[];
    }
  /** A class renamed to an invalid name (its subclasses follow it). */
  | { readonly kind: "bad-class-name"; readonly rule: "class-name"; readonly className: string }
  /** A field of `className` renamed to an invalid name. */
  | {
      readonly kind: "bad-field-name";
      readonly rule: "field-name";
      readonly className: string;
      readonly field: string;
    }
  /** `className` now extends `superclass`, which is not in the hierarchy. */
  | {
      readonly kind: "unknown-superclass";
      readonly rule: "unknown-superclass";
      readonly className: string;
      readonly superclass: string;
    };

export type DefectKind = InjectedDefect["kind"];

export const DEFECT_KINDS: readonly DefectKind[] = [
  "duplicate-field-up",
  "duplicate-field-down",
  "duplicate-field-own",
  "cycle",
  "bad-class-name",
  "bad-field-name",
  "unknown-superclass",
];

export interface InvalidHierarchy {
  readonly definitions: ClassDefinition[];
  readonly defect: InjectedDefect;
}

export const INVALID_CLASS_NAMES: readonly string[] = [
  "class",
  "enum",
  "1Up",
  "",
  "has-dash",
  "with space",
];
export const INVALID_FIELD_NAMES: readonly string[] = ["", "#secret", "__proto__"];

/**
 * A valid hierarchy with exactly one injected defect of the given kinds (all
 * by default). Where the random hierarchy has no place for the defect (no
 * chain with a field, say), a small fixed chain is added first.
 */
export function invalidHierarchyArb(
  options: HierarchyOptions & { readonly kinds?: readonly DefectKind[] } = {},
): fc.Arbitrary<InvalidHierarchy> {
  refuseUnknownKeys(options, [...HIERARCHY_KEYS, "kinds"], "invalidHierarchyArbitrary");
  const { kinds, ...hierarchy } = options;
  return fc
    .record({
      hierarchy: hierarchyArb(hierarchy),
      kind: fc.constantFrom(...(kinds ?? DEFECT_KINDS)),
      pick: fc.nat(),
      pick2: fc.nat(),
      badClassName: fc.constantFrom(...INVALID_CLASS_NAMES),
      badFieldName: fc.constantFrom(...INVALID_FIELD_NAMES),
    })
    .map((input) => inject(input));
}

interface Mutable {
  name: string;
  superclass: string | null;
  fields: string[];
}

interface InjectInput {
  readonly hierarchy: readonly ClassDefinition[];
  readonly kind: DefectKind;
  readonly pick: number;
  readonly pick2: number;
  readonly badClassName: string;
  readonly badFieldName: string;
}

/** The hierarchy being made invalid, and the questions the injectors ask of it. */
interface Work {
  readonly classes: Mutable[];
  /** Proper ancestors, nearest first. */
  readonly ancestors: (c: Mutable) => Mutable[];
}

const choose = <T>(items: readonly T[], n: number): T => items[n % items.length]!;

type Injector = (work: Work, input: InjectInput) => InjectedDefect;

/** A class re-declares a field of one of its ancestors. */
const duplicateFieldUp: Injector = ({ classes, ancestors }, input) => {
  let candidates = upCandidates(classes, ancestors);
  if (candidates.length === 0) {
    classes.push({ name: "Base_", superclass: null, fields: ["shared_"] });
    classes.push({ name: "Derived_", superclass: "Base_", fields: [] });
    candidates = upCandidates(classes, ancestors);
  }
  const { sub, ancestor, field } = choose(candidates, input.pick);
  sub.fields.splice(input.pick2 % (sub.fields.length + 1), 0, field);
  return {
    kind: "duplicate-field-up",
    rule: "duplicate-field",
    className: sub.name,
    ancestor: ancestor.name,
    field,
  };
};

/** An ancestor is given a field one of its subclasses declares. */
const duplicateFieldDown: Injector = ({ classes, ancestors }, input) => {
  let candidates = downCandidates(classes, ancestors);
  if (candidates.length === 0) {
    classes.push({ name: "Base_", superclass: null, fields: [] });
    classes.push({ name: "Derived_", superclass: "Base_", fields: ["shared_"] });
    candidates = downCandidates(classes, ancestors);
  }
  const { sub, ancestor, field } = choose(candidates, input.pick);
  ancestor.fields.splice(input.pick2 % (ancestor.fields.length + 1), 0, field);
  return {
    kind: "duplicate-field-down",
    rule: "duplicate-field",
    className: sub.name,
    ancestor: ancestor.name,
    field,
  };
};

/** A class declares one of its own fields twice. */
const duplicateFieldOwn: Injector = ({ classes }, input) => {
  let candidates = classes.filter((c) => c.fields.length > 0);
  if (candidates.length === 0) {
    classes.push({ name: "Lone_", superclass: null, fields: ["only_"] });
    candidates = classes.filter((c) => c.fields.length > 0);
  }
  const target = choose(candidates, input.pick);
  const field = choose(target.fields, input.pick2);
  target.fields.push(field);
  return { kind: "duplicate-field-own", rule: "duplicate-field", className: target.name, field };
};

/** The chain from a class is closed back to the class or one of its ancestors. */
const cycle: Injector = ({ classes, ancestors }, input) => {
  ensureOne(classes);
  const from = choose(classes, input.pick);
  const path = [from, ...ancestors(from)];
  const depth = input.pick2 % path.length;
  path[depth]!.superclass = from.name;
  return {
    kind: "cycle",
    rule: "cyclic-superclass",
    className: from.name,
    cycle: path.slice(0, depth + 1).map((c) => c.name),
  };
};

const badClassName: Injector = ({ classes }, input) => {
  ensureOne(classes);
  const target = choose(classes, input.pick);
  const old = target.name;
  for (const c of classes) if (c.superclass === old) c.superclass = input.badClassName;
  target.name = input.badClassName;
  return { kind: "bad-class-name", rule: "class-name", className: input.badClassName };
};

const badFieldName: Injector = ({ classes }, input) => {
  ensureOne(classes);
  const target = choose(classes, input.pick);
  if (target.fields.length === 0) target.fields.push(input.badFieldName);
  else target.fields[input.pick2 % target.fields.length] = input.badFieldName;
  return {
    kind: "bad-field-name",
    rule: "field-name",
    className: target.name,
    field: input.badFieldName,
  };
};

const unknownSuperclass: Injector = ({ classes }, input) => {
  ensureOne(classes);
  const target = choose(classes, input.pick);
  target.superclass = "Missing_";
  return {
    kind: "unknown-superclass",
    rule: "unknown-superclass",
    className: target.name,
    superclass: "Missing_",
  };
};

const INJECTORS: Readonly<Record<DefectKind, Injector>> = {
  "duplicate-field-up": duplicateFieldUp,
  "duplicate-field-down": duplicateFieldDown,
  "duplicate-field-own": duplicateFieldOwn,
  cycle,
  "bad-class-name": badClassName,
  "bad-field-name": badFieldName,
  "unknown-superclass": unknownSuperclass,
};

function inject(input: InjectInput): InvalidHierarchy {
  const classes: Mutable[] = input.hierarchy.map((d) => ({
    name: d.name,
    superclass: d.superclass,
    fields: d.fields.map((f) => f.name),
  }));
  const byName = (name: string): Mutable => classes.find((c) => c.name === name)!;
  const ancestors = (c: Mutable): Mutable[] => {
    const out: Mutable[] = [];
    for (let s = c.superclass; s !== null; s = byName(s).superclass) out.push(byName(s));
    return out;
  };
  const defect = INJECTORS[input.kind]({ classes, ancestors }, input);
  return {
    definitions: classes.map((c) => makeDefinition(c.name, c.superclass, c.fields)),
    defect,
  };
}

interface FieldPair {
  readonly sub: Mutable;
  readonly ancestor: Mutable;
  readonly field: string;
}

/** (class, ancestor, field of the ancestor): the class could re-declare the field. */
function upCandidates(
  classes: readonly Mutable[],
  ancestors: (c: Mutable) => Mutable[],
): FieldPair[] {
  return classes.flatMap((sub) =>
    ancestors(sub).flatMap((ancestor) =>
      ancestor.fields.map((field) => ({ sub, ancestor, field })),
    ),
  );
}

/** (class, ancestor, field of the class): the ancestor could be given the field. */
function downCandidates(
  classes: readonly Mutable[],
  ancestors: (c: Mutable) => Mutable[],
): FieldPair[] {
  return classes.flatMap((sub) =>
    ancestors(sub).flatMap((ancestor) => sub.fields.map((field) => ({ sub, ancestor, field }))),
  );
}

function ensureOne(classes: Mutable[]): void {
  if (classes.length === 0) classes.push({ name: "Lone_", superclass: null, fields: [] });
}
