/**
 * Fields a package's next release keeps by name whose constructor
 * expressions moved to another kept name: a minifier's names traded places
 * (@js-sdsl/ordered-map 4.4.1 -> 4.4.2: `this.A = Node` became `this.N =
 * Node`), so every object's values sit under the wrong names for the new
 * code — as when names are dropped and others added (warnings.ts
 * `droppedFields`), with no name dropped.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readClassDefinition } from "../mop/readClassDefinition.js";
import type { ClassBuild } from "./build.js";

/**
 * Initial values that name what a field holds (`Node`, `options.compare`):
 * a binding or a member of one. Not a literal, nor a new container
 * (`new Map()`): two fields may well trade those on purpose.
 */
const NAMED_VALUE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const NOT_NAMES = new Set(["null", "undefined", "true", "false", "this", "NaN", "Infinity"]);

/** Each field's expression, where it names something and no other field has it. */
function expressions(definition: ClassDefinition): Map<string, string> {
  const names = new Map<string, string[]>();
  for (const f of definition.fields) {
    const e = f.initializer?.trim();
    if (e !== undefined && NAMED_VALUE.test(e) && !NOT_NAMES.has(e))
      names.set(e, [...(names.get(e) ?? []), f.name]);
  }
  const unique = [...names].filter(([, fields]) => fields.length === 1);
  return new Map(unique.map(([e, [field]]) => [field!, e]));
}

/**
 * [running name, new name, expression] for each field of `old` whose
 * expression the new implementation gives to another field it carries
 * under that field's own name (no rename said).
 */
export function movedFields(
  old: ClassDefinition,
  cls: ClassBuild,
  implementation: Function,
): [string, string, string][] {
  // Read from the class itself: the build drops expressions that read its module.
  const now = new Map(
    [...expressions(readClassDefinition(implementation))].map(([f, e]) => [e, f]),
  );
  const moved: [string, string, string][] = [];
  for (const [from, expression] of expressions(old)) {
    const to = now.get(expression);
    if (to !== undefined && to !== from && cls.fieldOrigins.get(to) === to)
      moved.push([from, to, expression]);
  }
  return moved;
}
