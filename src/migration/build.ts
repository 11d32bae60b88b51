/**
 * Building is pure: the patch's operations are applied to the current class
 * definitions (plain data) and produce the new definitions plus everything the
 * migration needs to know about where each new field's value comes from.
 * Nothing live is touched; a malformed operation is an InvalidPatchError
 * naming the operation and what it refers to.
 */
import { InvalidPatchError } from "../errors.js";
import type { ClassDefinition, FieldDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName, sameMemberKey } from "../mop/classDefinition.js";
import type { Constructor } from "../mop/createClass.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import type {
  ClassShape,
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Operation,
  Policy,
} from "../patch/operations.js";
import { requireTrustedOperations } from "../patch/trust.js";
import { applyStaticFieldOperation, isStaticFieldOperation } from "./staticFields.js";

/** Where a field of the new definition takes its value from in an old instance. */
export interface ClassBuild {
  /** The class's name before the patch, or null for a class the patch adds. */
  readonly oldName: string | null;
  readonly definition: ClassDefinition;
  /** New field name → old field name (renames), or null for a field that must not carry any old value. */
  readonly fieldOrigins: ReadonlyMap<string, string | null>;
  readonly initialisers: ReadonlyMap<string, FieldInitialiser>;
  readonly migrators: readonly Migrator[];
  /** Fields moved into a new class by splitClass: the new field `via` holds a new `into` object. */
  readonly splits: readonly {
    readonly into: string;
    readonly via: string;
    /** Moved fields: their name in `into`, and the old field their value comes from (null: none). */
    readonly fields: readonly { readonly to: string; readonly from: string | null }[];
  }[];
  /** Whether any operation touched this class's fields, superclass or migration. */
  readonly layoutTouched: boolean;
  /** Static fields whose value does not come from the old static of the same name (see staticFields.ts). */
  readonly staticOrigins: ReadonlyMap<string, string | null>;
  /** A new implementation given by replaceImplementation, used instead of a generated version. */
  readonly implementation?: Constructor;
}

export interface BuildResult {
  /** The new world, by (new) class name, in the patch's order: existing classes first. */
  readonly classes: ReadonlyMap<string, ClassBuild>;
  /** Old names of classes the patch removes. */
  readonly removed: readonly string[];
  readonly namespaceValidations: readonly {
    readonly name: string;
    readonly check: NamespaceValidation;
  }[];
  readonly instanceValidations: readonly {
    readonly name: string;
    readonly className: string;
    readonly check: InstanceValidation;
  }[];
  readonly policy: Policy;
}

interface Draft {
  oldName: string | null;
  name: string;
  superclass: string | null;
  fields: FieldDefinition[];
  methods: MethodDefinition[];
  staticFields: FieldDefinition[];
  staticOrigins: Map<string, string | null>;
  base: ClassDefinition | null;
  fieldOrigins: Map<string, string | null>;
  initialisers: Map<string, FieldInitialiser>;
  migrators: Migrator[];
  splits: { into: string; via: string; fields: { to: string; from: string | null }[] }[];
  layoutTouched: boolean;
  touched: boolean;
  implementation?: Constructor;
  hasPrivateMembers?: boolean;
}

function describe(op: Operation, index: number): string {
  return `operation ${index + 1} (${op.op})`;
}

function live<F extends Function>(fn: { source: string; fn?: F }, where: string): F {
  if (!fn.fn) {
    throw new InvalidPatchError(
      `${where}: its function is not hydrated; call patch.hydrate() first`,
      {
        operation: where,
      },
    );
  }
  return fn.fn;
}

/** Applies `operations` to `current` (old definitions by name). Pure. */
export function buildDefinitions(
  current: ReadonlyMap<string, ClassDefinition>,
  operations: readonly Operation[],
): BuildResult {
  // Nothing of a patch read from JSON is compiled unless someone vouched for it.
  requireTrustedOperations(operations, "be applied");
  const drafts = new Map<string, Draft>();
  for (const [name, d] of current) {
    drafts.set(name, {
      oldName: name,
      name,
      superclass: d.superclass,
      fields: [...d.fields],
      methods: [...d.methods],
      staticFields: [...d.staticFields],
      staticOrigins: new Map(),
      base: d,
      fieldOrigins: new Map(),
      initialisers: new Map(),
      migrators: [],
      splits: [],
      layoutTouched: false,
      touched: false,
    });
  }
  const removed: string[] = [];
  const namespaceValidations: BuildResult["namespaceValidations"][number][] = [];
  const instanceValidations: BuildResult["instanceValidations"][number][] = [];
  let policy: Policy = "eager";

  operations.forEach((op, index) => {
    const where = describe(op, index);
    const classNamed = (name: string): Draft => {
      const d = drafts.get(name);
      if (!d) {
        throw new InvalidPatchError(
          `${where}: there is no class "${name}" (classes: ${[...drafts.keys()].join(", ") || "none"})`,
          { operation: index, className: name },
        );
      }
      d.touched = true;
      return d;
    };
    const ownField = (d: Draft, field: string): number => {
      const i = d.fields.findIndex((f) => f.name === field);
      if (i < 0) {
        throw new InvalidPatchError(
          `${where}: class ${d.name} has no field "${field}" of its own (fields: ${d.fields.map((f) => f.name).join(", ") || "none"})`,
          { operation: index, className: d.name, field },
        );
      }
      return i;
    };
    const noField = (d: Draft, field: string) => {
      if (d.fields.some((f) => f.name === field)) {
        throw new InvalidPatchError(`${where}: class ${d.name} already has a field "${field}"`, {
          operation: index,
          className: d.name,
          field,
        });
      }
    };
    const addDraft = (shape: ClassShape) => {
      if (drafts.has(shape.name)) {
        throw new InvalidPatchError(`${where}: a class "${shape.name}" already exists`, {
          operation: index,
          className: shape.name,
        });
      }
      const draft: Draft = {
        oldName: null,
        name: shape.name,
        superclass: shape.superclass ?? null,
        fields: [...(shape.fields ?? [])],
        methods: [...(shape.methods ?? [])],
        staticFields: [...(shape.staticFields ?? [])],
        staticOrigins: new Map(),
        base: null,
        // A new class has no old instances of its own; its fields reach old
        // objects only as a new superclass's, and then they start fresh (a
        // field of that name removed earlier in the patch must not come back).
        fieldOrigins: new Map((shape.fields ?? []).map((f) => [f.name, null])),
        initialisers: new Map(),
        migrators: [],
        splits: [],
        layoutTouched: true,
        touched: true,
      };
      drafts.set(shape.name, draft);
      return draft;
    };
    const originOf = (d: Draft, field: string): string | null =>
      d.fieldOrigins.has(field) ? d.fieldOrigins.get(field)! : field;

    if (isStaticFieldOperation(op)) {
      applyStaticFieldOperation(classNamed(op.className), op, where, index);
      return;
    }
    switch (op.op) {
      case "addClass":
        addDraft(op.shape);
        break;
      case "removeClass": {
        const d = classNamed(op.className);
        const splitter = [...drafts.values()].find((x) =>
          x.splits.some((sp) => sp.into === op.className),
        );
        if (splitter) {
          throw new InvalidPatchError(
            `${where}: ${op.className} holds the fields split off ${splitter.name} by this patch; it cannot be removed in the same patch`,
            { operation: index, className: op.className },
          );
        }
        drafts.delete(op.className);
        if (d.oldName !== null) removed.push(d.oldName);
        break;
      }
      case "renameClass": {
        const d = classNamed(op.className);
        if (drafts.has(op.to)) {
          throw new InvalidPatchError(
            `${where}: cannot rename ${op.className} to ${op.to}: that name is taken`,
            {
              operation: index,
              className: op.className,
            },
          );
        }
        drafts.delete(op.className);
        d.name = op.to;
        drafts.set(op.to, d);
        for (const other of drafts.values()) {
          if (other.superclass === op.className) {
            other.superclass = op.to;
            other.touched = true;
          }
          for (const sp of other.splits) if (sp.into === op.className) sp.into = op.to;
        }
        break;
      }
      case "addField": {
        const d = classNamed(op.className);
        noField(d, op.field);
        const field: FieldDefinition =
          op.defaultSource === undefined
            ? { name: op.field }
            : { name: op.field, initializer: op.defaultSource };
        const at = op.before === undefined ? d.fields.length : ownField(d, op.before);
        d.fields.splice(at, 0, field);
        d.fieldOrigins.set(op.field, null);
        if (op.initial) d.initialisers.set(op.field, live(op.initial, where));
        d.layoutTouched = true;
        break;
      }
      case "removeField": {
        const d = classNamed(op.className);
        d.fields.splice(ownField(d, op.field), 1);
        d.fieldOrigins.delete(op.field);
        d.initialisers.delete(op.field);
        d.layoutTouched = true;
        break;
      }
      case "renameField": {
        const d = classNamed(op.className);
        const i = ownField(d, op.field);
        noField(d, op.to);
        d.fields[i] = { ...d.fields[i]!, name: op.to };
        d.fieldOrigins.set(op.to, originOf(d, op.field));
        d.fieldOrigins.delete(op.field);
        const init = d.initialisers.get(op.field);
        if (init) {
          d.initialisers.delete(op.field);
          d.initialisers.set(op.to, init);
        }
        d.layoutTouched = true;
        break;
      }
      case "reorderFields": {
        const d = classNamed(op.className);
        const names = d.fields.map((f) => f.name);
        if (op.order.length !== names.length || !names.every((n) => op.order.includes(n))) {
          throw new InvalidPatchError(
            `${where}: the new order of ${d.name}'s fields must list each of ${names.join(", ")} once`,
            { operation: index, className: d.name },
          );
        }
        d.fields = op.order.map((n) => d.fields.find((f) => f.name === n)!);
        d.layoutTouched = true;
        break;
      }
      case "pullUpField": {
        const d = classNamed(op.className);
        const field = d.fields[ownField(d, op.field)]!;
        if (d.superclass === null) {
          throw new InvalidPatchError(
            `${where}: ${d.name} has no superclass to pull "${op.field}" up to`,
            {
              operation: index,
              className: d.name,
              field: op.field,
            },
          );
        }
        const parent = classNamed(d.superclass);
        noField(parent, op.field);
        for (const sibling of drafts.values()) {
          if (sibling.superclass !== parent.name) continue;
          const i = sibling.fields.findIndex((f) => f.name === op.field);
          if (i >= 0) {
            sibling.fields.splice(i, 1);
            sibling.layoutTouched = true;
            sibling.touched = true;
          }
        }
        parent.fields.push(field);
        parent.fieldOrigins.set(op.field, originOf(d, op.field));
        const pulledInit = d.initialisers.get(op.field);
        if (pulledInit) parent.initialisers.set(op.field, pulledInit);
        d.initialisers.delete(op.field);
        parent.layoutTouched = true;
        break;
      }
      case "pushDownField": {
        const d = classNamed(op.className);
        const field = d.fields[ownField(d, op.field)]!;
        d.fields.splice(ownField(d, op.field), 1);
        const pushed = d.initialisers.get(op.field);
        d.initialisers.delete(op.field);
        for (const child of drafts.values()) {
          if (child.superclass !== d.name) continue;
          noField(child, op.field);
          child.fields.push(field);
          child.fieldOrigins.set(op.field, originOf(d, op.field));
          if (pushed) child.initialisers.set(op.field, pushed);
          child.layoutTouched = true;
          child.touched = true;
        }
        d.layoutTouched = true;
        break;
      }
      case "changeSuperclass": {
        const d = classNamed(op.className);
        if (op.superclass !== null) classNamed(op.superclass);
        d.superclass = op.superclass;
        d.layoutTouched = true;
        break;
      }
      case "insertSuperclass": {
        const d = classNamed(op.className);
        addDraft({ ...op.shape, superclass: d.superclass });
        d.superclass = op.shape.name;
        d.layoutTouched = true;
        break;
      }
      case "addMethod":
      case "replaceMethod": {
        const d = classNamed(op.className);
        const m = op.method;
        const i = d.methods.findIndex(
          (x) => sameMemberKey(x.key, m.key) && x.static === m.static && x.kind === m.kind,
        );
        if (op.op === "addMethod" && i >= 0) {
          throw new InvalidPatchError(
            `${where}: ${d.name} already has ${m.static ? "static " : ""}${m.kind} ${memberKeyName(m.key)}; use replaceMethod`,
            { operation: index, className: d.name, member: memberKeyName(m.key) },
          );
        }
        if (op.op === "replaceMethod" && i < 0) {
          throw new InvalidPatchError(
            `${where}: ${d.name} has no ${m.static ? "static " : ""}${m.kind} ${memberKeyName(m.key)} to replace`,
            { operation: index, className: d.name, member: memberKeyName(m.key) },
          );
        }
        if (i >= 0) d.methods[i] = m;
        else d.methods.push(m);
        break;
      }
      case "removeMethod": {
        const d = classNamed(op.className);
        const before = d.methods.length;
        d.methods = d.methods.filter(
          (x) =>
            !(
              sameMemberKey(x.key, op.key) &&
              x.static === op.static &&
              (op.kind === undefined || x.kind === op.kind)
            ),
        );
        if (d.methods.length === before) {
          throw new InvalidPatchError(
            `${where}: ${d.name} has no method ${memberKeyName(op.key)} to remove`,
            {
              operation: index,
              className: d.name,
              member: memberKeyName(op.key),
            },
          );
        }
        break;
      }
      case "splitClass": {
        const d = classNamed(op.className);
        const moved = op.fields.map((f) => d.fields[ownField(d, f)]!);
        noField(d, op.via);
        d.fields = d.fields.filter((f) => !op.fields.includes(f.name));
        d.fields.push({ name: op.via });
        d.fieldOrigins.set(op.via, null);
        addDraft({ name: op.into, superclass: null, fields: moved });
        d.splits.push({
          into: op.into,
          via: op.via,
          fields: op.fields.map((f) => ({ to: f, from: originOf(d, f) })),
        });
        d.layoutTouched = true;
        break;
      }
      case "replaceImplementation": {
        const d = classNamed(op.className);
        const implementation = live(op.implementation, where) as Constructor;
        const read = readClassDefinition(implementation);
        const renames = op.renames ?? {};
        const before = new Set(d.fields.map((f) => f.name));
        for (const [to, from] of Object.entries(renames)) {
          if (!before.has(from)) {
            throw new InvalidPatchError(
              `${where}: ${d.name} has no field "${from}" to rename to "${to}"`,
              {
                operation: index,
                className: d.name,
                field: from,
              },
            );
          }
        }
        const origins = new Map<string, string | null>();
        for (const f of read.fields) {
          const from = renames[f.name] ?? f.name;
          origins.set(f.name, before.has(from) ? originOf(d, from) : null);
        }
        d.fields = [...read.fields];
        d.methods = [...read.methods];
        d.staticFields = [...read.staticFields];
        d.fieldOrigins = origins;
        d.implementation = implementation;
        d.hasPrivateMembers = read.hasPrivateMembers;
        d.layoutTouched = true;
        break;
      }
      case "migrator": {
        const d = classNamed(op.className);
        d.migrators.push(live(op.migrator, where));
        d.layoutTouched = true;
        break;
      }
      case "validateNamespace":
        namespaceValidations.push({ name: op.name, check: live(op.check, where) });
        break;
      case "validateInstances":
        classNamed(op.className);
        instanceValidations.push({
          name: op.name,
          className: op.className,
          check: live(op.check, where),
        });
        break;
      case "policy":
        policy = op.policy;
        break;
    }
  });

  const classes = new Map<string, ClassBuild>();
  for (const d of drafts.values()) {
    const base = d.base;
    const definition: ClassDefinition = {
      name: d.name,
      superclass: d.superclass,
      fields: d.fields,
      methods: d.methods,
      staticFields: d.staticFields,
      hasPrivateMembers: d.hasPrivateMembers ?? base?.hasPrivateMembers ?? false,
      version: base === null ? 1 : d.touched ? base.version + 1 : base.version,
      fieldOrigin: base?.fieldOrigin ?? "created",
    };
    classes.set(d.name, {
      oldName: d.oldName,
      definition: d.touched || base === null ? definition : base,
      fieldOrigins: d.fieldOrigins,
      initialisers: d.initialisers,
      migrators: d.migrators,
      splits: d.splits,
      layoutTouched: d.layoutTouched,
      staticOrigins: d.staticOrigins,
      ...(d.implementation ? { implementation: d.implementation } : {}),
    });
  }
  return { classes, removed, namespaceValidations, instanceValidations, policy };
}
