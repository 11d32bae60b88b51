/**
 * How the properties name what they saw: errors, refusals, validation
 * failures and the world's instances, in terms that do not depend on the
 * engine's internals.
 */
import { MigrationError } from "../../errors.js";
import { currentVersion, handleOfPrototype } from "../../mop/classHandle.js";
import type { Namespace } from "../../namespace/namespace.js";
import { ValidationError } from "../../validation/report.js";
import type { LiveWorld } from "../world/types.js";
import { classBindings } from "../world/model.js";
import { userFrame } from "./userFrame.js";

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** An object of the world by its position (`#2`). */
export function label(world: LiveWorld, object: unknown): string {
  const at = world.instances.indexOf(object as object);
  return at >= 0 ? `#${at}` : "an object made by the update";
}

/** The name `ns` binds the class of `object` to. */
export function className(ns: Namespace, object: object): string | undefined {
  const handle = handleOfPrototype(Object.getPrototypeOf(object) ?? {});
  if (!handle) return undefined;
  for (const b of classBindings(ns)) if (b.handle === handle) return b.name;
  return undefined;
}

/** The refusal of an update, in terms that do not depend on the world's object order. */
export function refusalText(error: unknown): string {
  if (error instanceof ValidationError) {
    const rules = [...new Set(error.report.failures.map((f) => f.rule))].sort();
    return `refused by ValidationError [${rules.join(", ")}]`;
  }
  if (error instanceof MigrationError) return "a migrator threw";
  return `refused by ${error instanceof Error ? error.name : typeof error}`;
}

export function validationText(error: ValidationError, world: LiveWorld): string {
  return error.report.failures
    .slice(0, 8)
    .map((f) => {
      const where = [f.className, f.field].filter(Boolean).join(".");
      const who = f.object ? ` (instance ${label(world, f.object)})` : "";
      return `  - [${f.rule}]${where ? ` ${where}` : ""}${who}: ${f.message}`;
    })
    .join("\n");
}

export function migrationText(error: MigrationError, world: LiveWorld): string {
  const object = error.details.object;
  return `${error.message} (world instance ${label(world, object)})${userFrame(error)}`;
}

/** Every field of class `name` in `ns`, inherited first. */
export function fieldsOf(name: string, ns: Namespace): string[] {
  const defs = new Map(
    classBindings(ns).map((b) => [b.name, currentVersion(b.handle).definition] as const),
  );
  const chain: string[][] = [];
  const seen = new Set<string>();
  for (let d = defs.get(name); d && !seen.has(d.name); ) {
    seen.add(d.name);
    chain.unshift(d.fields.map((f) => f.name));
    d = d.superclass === null ? undefined : defs.get(d.superclass);
  }
  return chain.flat();
}
