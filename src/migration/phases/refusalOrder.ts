/**
 * Which refusal an update says first. One that no change to the patch's
 * migration code can resolve (a new implementation extending another class
 * outside the namespace than the one its objects were made by) comes before
 * those asking the author to write something: csv-stringify 6.0 -> 6.6 was
 * refused first for its new field `api` (add a migrator), and, the migrator
 * written, for 6.6 extending Node's Transform where 6.0 extends a bundled
 * ES5 one, which nothing could resolve (review advZ22). The refusals that
 * would have followed are named in `details.alsoRefused`.
 */
import { MetamorphError } from "../../errors.js";
import type { ClassDefinition } from "../../mop/classDefinition.js";
import { constructorOfDefinition, versionStates } from "../../mop/classHandle.js";
import { requireParent } from "../../namespace/implementationParent.js";
import type { ClassBuild } from "../build.js";

/** The refusal `check` throws, if it throws one. */
export function refusalOf(check: () => void): MetamorphError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof MetamorphError) return error;
    throw error;
  }
}

/** `first` again, with what else the update would have been refused for in its details. */
export function withOthers(
  first: MetamorphError,
  others: readonly MetamorphError[],
): MetamorphError {
  if (others.length === 0) return first;
  const Refusal = first.constructor as new (
    message: string,
    details: Record<string, unknown>,
  ) => MetamorphError;
  return new Refusal(first.message, {
    ...first.details,
    alsoRefused: others.map((e) => ({ code: e.code, message: e.message })),
  });
}

/**
 * The shadow's check that a root class's new implementation extends the
 * very class outside the namespace its objects were made by
 * (implementationParent.ts), made before the refusals that ask for code.
 */
export function refuseOtherExternalParent(cls: ClassBuild, old: ClassDefinition | undefined): void {
  if (cls.implementation === undefined || cls.definition.superclass !== null) return;
  const running = old && constructorOfDefinition(old);
  const state = running && versionStates.get(running);
  if (state === undefined) return;
  const owner = (state.owner as { readonly name?: unknown } | null)?.name;
  requireParent(
    typeof owner === "string" ? owner : "",
    state.handle,
    cls.definition,
    null,
    cls.implementation,
    () => undefined,
  );
}
