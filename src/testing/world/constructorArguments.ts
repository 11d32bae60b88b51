/**
 * Which of an ordinary class's constructor parameters set which field:
 * `constructor(public owner = "")` (TypeScript's parameter property, emitted
 * as `this.owner = owner`) or `constructor(owner) { this.owner = owner; }`.
 * A generated instance is made by passing its generated field values as
 * those arguments, so the constructor's own checks see them — an owner the
 * constructor would refuse is never an owner of a generated instance.
 */
import type { AnyNode } from "acorn";
import { currentVersion } from "../../mop/classHandle.js";
import { readClassSource } from "../../mop/source/parse.js";
import { parseJavaScript } from "../../mop/source/parser.js";
import type { Namespace } from "../../namespace/namespace.js";
import { copyValue } from "./copy.js";
import type { InstanceOptions, ValueSpec, WorldModel } from "./types.js";

/** Per parameter position, the field it sets (undefined for a parameter that sets none). */
export type ParameterFields = readonly (string | undefined)[];

/** By source text: every world has its own copy of an ordinary class, all of one source. */
const cache = new Map<string, ParameterFields>();

function parameterName(param: AnyNode): string | undefined {
  if (param.type === "Identifier") return param.name;
  if (param.type === "AssignmentPattern" && param.left.type === "Identifier")
    return param.left.name;
  return undefined;
}

/** `this.field = name;` as a top-level statement: the pair, else undefined. */
function assignmentOf(statement: AnyNode): readonly [string, string] | undefined {
  if (statement.type !== "ExpressionStatement") return undefined;
  const e = statement.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=") return undefined;
  const { left, right } = e;
  if (left.type !== "MemberExpression" || left.object.type !== "ThisExpression") return undefined;
  if (left.computed || left.property.type !== "Identifier" || right.type !== "Identifier")
    return undefined;
  return [left.property.name, right.name];
}

function read(ctor: Function): ParameterFields {
  const source = readClassSource(ctor).constructorSource;
  if (source === null) return [];
  const parsed = parseJavaScript(`(class { ${source} })`, "script");
  if (!parsed.ok) return [];
  const statement = parsed.program.body[0];
  let cls: AnyNode | undefined =
    statement?.type === "ExpressionStatement" ? statement.expression : undefined;
  if (cls?.type === "ParenthesizedExpression") cls = cls.expression;
  if (cls?.type !== "ClassExpression") return [];
  const method = cls.body.body.find(
    (m) => m.type === "MethodDefinition" && m.kind === "constructor",
  );
  if (method?.type !== "MethodDefinition") return [];
  const names = method.value.params.map(parameterName);
  const fieldOf = new Map<string, string>();
  for (const s of method.value.body.body) {
    const pair = assignmentOf(s);
    if (pair && !fieldOf.has(pair[1])) fieldOf.set(pair[1], pair[0]);
  }
  return names.map((n) => (n === undefined ? undefined : fieldOf.get(n)));
}

/** The fields `ctor`'s parameters set, by position (cached; empty when the source cannot be read). */
export function parameterFields(ctor: Function): ParameterFields {
  const source = Function.prototype.toString.call(ctor);
  let fields = cache.get(source);
  if (fields === undefined) {
    try {
      fields = read(ctor);
    } catch {
      fields = [];
    }
    cache.set(source, fields);
  }
  return fields;
}

/** The arguments that give `values` to the fields `ctor`'s parameters set (undefined for the others). */
export function constructorArguments(
  ctor: Function,
  values: Readonly<Record<string, unknown>>,
): unknown[] {
  const fields = parameterFields(ctor);
  const args = fields.map((f) => (f === undefined ? undefined : values[f]));
  // Trailing undefined arguments dropped: `arguments.length` is as `new C()` would have it.
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return args;
}

/**
 * Field values as the constructor accepts them: returns `fields` when
 * constructing with them as arguments succeeds, else `fields` with the
 * values its parameters set taken from a fresh instance (what `new C()`
 * gave): a generated instance is one the constructor could have made.
 */
export type ConstructorProbe = (
  className: string,
  fields: Readonly<Record<string, ValueSpec>>,
) => Readonly<Record<string, ValueSpec>>;

/**
 * The probe of `model`'s ordinary classes (class specs and the classes
 * `construct` builds take their values as they are): it constructs in a
 * namespace of the model's own, made on first use, so no world sees it.
 */
export function constructorProbe(
  model: WorldModel,
  construct: InstanceOptions["construct"],
): ConstructorProbe {
  let namespace: Namespace | undefined;
  return (className, fields) => {
    const cls = model.classes.find((c) => c.name === className);
    if (!cls || cls.definition.fieldOrigin === "created" || construct?.[className]) return fields;
    namespace ??= model.make();
    const handle = namespace.classNamed(className);
    const ctor = currentVersion(handle).ctor;
    const seen = new Map<object, unknown>();
    const values = Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [
        k,
        "value" in v ? copyValue(v.value, seen) : undefined,
      ]),
    );
    const args = constructorArguments(ctor, values);
    if (args.length === 0 || cls.samples === undefined) return fields;
    try {
      Reflect.construct(handle, args);
      return fields;
    } catch {
      const repaired = { ...fields };
      for (const f of parameterFields(ctor)) {
        if (f !== undefined && Object.hasOwn(repaired, f))
          repaired[f] = { value: copyValue(cls.samples[f]) };
      }
      return repaired;
    }
  };
}
