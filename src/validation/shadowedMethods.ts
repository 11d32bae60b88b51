/**
 * A field that an update gives the same name as an instance method of its
 * class chain (or a method named like an existing field) makes the method
 * unreachable on every instance — almost always a mistake (`comment` and
 * `comment()`). Shadowing that already existed before the update is left
 * alone, and a field initialised `this.m.bind(this)` is the method, bound
 * (`this.m`, the method itself).
 *
 * Chains are followed only through classes that exist: a superclass missing
 * from the world (removed while a subclass still extends it) is the
 * definitions rules' `unknown-superclass` failure, not a reason to crash here.
 */
import { boundMethodName, copiedMethodName } from "../mop/boundMethod.js";
import type { ClassDefinition } from "../mop/classDefinition.js";
import type { ValidationFailure } from "./report.js";
import { SYSTEM_RULES } from "./systemRules.js";

/** A class of the new world and the name it had before the update (null for a new class). */
export interface RenamedClass {
  readonly name: string;
  readonly oldName: string | null;
}

export function validateShadowedMethods(
  before: ReadonlyMap<string, ClassDefinition>,
  after: ReadonlyMap<string, ClassDefinition>,
  classes: Iterable<RenamedClass>,
): ValidationFailure[] {
  const failures: ValidationFailure[] = [];
  for (const { name, oldName } of classes) {
    // A chain of the very same definitions clashes as it did (a patch leaves
    // the definitions of the classes it does not touch as they were): the
    // check then costs nothing for them, whatever the number of classes.
    if (oldName !== null && sameChain(existingChain(name, after), existingChain(oldName, before)))
      continue;
    const existed = oldName === null ? new Set<string>() : clashes(oldName, before);
    for (const field of clashes(name, after)) {
      if (existed.has(field)) continue;
      failures.push({
        rule: SYSTEM_RULES.fieldShadowsMethod,
        className: name,
        field,
        message: `class ${name} would have both a field and a method named "${field}": the field hides the method on every instance; rename one of them`,
      });
    }
  }
  return failures;
}

/** Fields of `name`'s chain that share their name with one of its instance methods. */
function clashes(name: string, world: ReadonlyMap<string, ClassDefinition>): Set<string> {
  const chain = existingChain(name, world);
  const methods = new Set(
    chain.flatMap((d) =>
      d.methods.flatMap((m) =>
        !m.static && m.kind === "method" && typeof m.key === "string" ? [m.key] : [],
      ),
    ),
  );
  // A class the program wrote binds its method in its constructor; a field
  // a patch declares so is computed on the object before its methods are
  // installed, and stays a clash.
  const fields = [...chain]
    .reverse()
    .flatMap((d) => d.fields.map((f) => ({ ...f, ordinary: d.fieldOrigin === "source" })));
  return new Set(
    fields
      .filter((f) => methods.has(f.name) && !(f.ordinary && bindsItself(f.name, f.initializer)))
      .map((f) => f.name),
  );
}

/**
 * `this.m = this.m.bind(this)`: the field is the method, bound to the object
 * (zod binds `parse`, `readonly` and the others so; a release adding one
 * was refused, with advice no package can follow); `this.m = this.m`, the
 * method itself (tapable 2's Hook copies `tap` and `compile` so: review
 * advZ10). Not a clash.
 */
function bindsItself(name: string, initializer: string | undefined): boolean {
  return boundMethodName(initializer) === name || copiedMethodName(initializer) === name;
}

/** The definitions from `name` up to its root, stopping at a missing class or a cycle. */
function existingChain(
  name: string,
  world: ReadonlyMap<string, ClassDefinition>,
): ClassDefinition[] {
  const chain: ClassDefinition[] = [];
  const seen = new Set<string>();
  for (let d = world.get(name); d !== undefined && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.push(d);
    d = d.superclass === null ? undefined : world.get(d.superclass);
  }
  return chain;
}

const sameChain = (a: readonly ClassDefinition[], b: readonly ClassDefinition[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);
