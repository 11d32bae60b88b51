/**
 * The `construct` option: how an instance of a world's class is built from
 * its generated field values. Every world has its own fresh copy of each
 * class, so `construct` is given that copy — an object built with the class
 * the test imported lives outside the world: the update never migrates it,
 * and totality and rollback would pass over it without having looked.
 */
import { InvalidOptionError, MetamorphError } from "../../errors.js";
import type { ConstructInstance, WorldClassConstructor, WorldModel } from "./types.js";

/**
 * `construct` returned something that is not an instance of the world's
 * class (built with the imported class, say); `details.className` names
 * the class.
 */
export class ConstructedOutsideWorldError extends MetamorphError {
  readonly code = "MM_CONSTRUCTED_OUTSIDE_WORLD";
}

/**
 * A `construct` entry threw on the values generated for an instance: it is
 * the test's code, not the patch under test, that failed — every property
 * builds worlds with it, and each would otherwise report "the property
 * threw". `details.className` names the class, `details.cause` is the error.
 */
export class ConstructFailedError extends MetamorphError {
  readonly code = "MM_CONSTRUCT_FAILED";
}

/** `construct(values, Class)`, its throw a ConstructFailedError naming the class and the instance. */
export function callConstruct(
  construct: ConstructInstance,
  values: Record<string, unknown>,
  Class: WorldClassConstructor,
  name: string,
  index: number,
): unknown {
  try {
    return construct(values, Class);
  } catch (error) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ConstructFailedError(
      `construct.${name} threw on the generated values of instance #${index}: ${what} — make it build every instance its \`values\` can give (or give it \`values\` it accepts)`,
      { className: name, index, cause: error },
    );
  }
}

/** Refuses a `construct` that is not a record of functions by names of the world's classes. */
export function checkConstructOption(construct: unknown, model: WorldModel): void {
  if (construct === undefined) return;
  if (typeof construct === "function" || typeof construct !== "object" || construct === null) {
    throw new InvalidOptionError(
      `construct: expected a record of functions by class name — \`construct: { ${model.classes[0]?.name ?? "Person"}: (values, Class) => … }\` — not ${construct === null ? "null" : `a ${typeof construct}`}`,
      { option: "construct", type: construct === null ? "null" : typeof construct },
    );
  }
  const names = model.classes.map((c) => c.name);
  for (const [name, fn] of Object.entries(construct)) {
    if (!names.includes(name)) {
      throw new InvalidOptionError(
        `construct: there is no class ${name} in the world (its classes: ${names.join(", ")})`,
        { option: "construct", className: name },
      );
    }
    if (typeof fn !== "function") {
      throw new InvalidOptionError(`construct.${name}: expected a function, not ${typeof fn}`, {
        option: "construct",
        className: name,
      });
    }
  }
}

/** What `construct` built for class `name`, once shown to be an instance of the world's class. */
export function ofWorldClass(made: unknown, Class: WorldClassConstructor, name: string): object {
  if (typeof made === "object" && made !== null && made instanceof Class) return made;
  const what =
    typeof made !== "object" || made === null
      ? String(made)
      : `an instance of ${(made as { constructor?: { name?: string } }).constructor?.name ?? "another class"} outside the world`;
  throw new ConstructedOutsideWorldError(
    `construct.${name} returned ${what}, not an instance of the world's ${name}: build it with the class it is given — \`${name}: (values, Class) => …new Class(…)\` — as the world's update migrates only its own instances`,
    { className: name },
  );
}
