/**
 * The options that shape worlds — the world source and the instance
 * options — checked against the world's classes before anything is
 * generated: a key, a class or a field the kit does not know was ignored,
 * and the check ran on worlds other than the ones written down.
 */
import { InvalidOptionError } from "../../errors.js";
import { keysOf, refuseUnknownKeys } from "../optionKeys.js";
import { checkConstructOption } from "./construct.js";
import type { InstanceOptions, WorldModel, WorldSource } from "./types.js";
import { checkValuesOption } from "./values.js";

export const INSTANCE_OPTION_KEYS = keysOf<InstanceOptions>({
  values: true,
  construct: true,
  minInstances: true,
  maxInstances: true,
  references: true,
  instantiate: true,
});

export const WORLD_SOURCE_KEYS = keysOf<WorldSource>({
  classes: true,
  scope: true,
  namespace: true,
});

/** The instance options among `options` (a check's options hold others too). */
export function instanceOptionsOf(options: InstanceOptions): InstanceOptions {
  return Object.fromEntries(
    INSTANCE_OPTION_KEYS.filter((k) => Object.hasOwn(options, k)).map((k) => [
      k,
      (options as Readonly<Record<string, unknown>>)[k],
    ]),
  );
}

/** The world source among `options`. */
export function worldSourceOf(options: WorldSource): WorldSource {
  return Object.fromEntries(
    WORLD_SOURCE_KEYS.filter((k) => Object.hasOwn(options, k)).map((k) => [
      k,
      (options as Readonly<Record<string, unknown>>)[k],
    ]),
  ) as WorldSource;
}

/** Refuses a world source with a key it does not know, or with keys of both kinds of source. */
export function checkWorldSource(source: unknown, call: string): void {
  if (typeof source !== "object" || source === null) {
    throw new InvalidOptionError(
      `${call}: give \`classes\` (classes or class specs) or \`namespace\` (a factory), not ${source === null ? "null" : typeof source}`,
      { call, type: source === null ? "null" : typeof source },
    );
  }
  refuseUnknownKeys(source, WORLD_SOURCE_KEYS, call);
  if (!Object.hasOwn(source, "namespace")) return;
  // The factory wins: classes and their scope were ignored without a word.
  const ignored = ["classes", "scope"].find((k) => Object.hasOwn(source, k));
  if (ignored !== undefined) {
    throw new InvalidOptionError(
      `${call}: \`${ignored}\` goes with \`classes\`, not with a \`namespace\` factory (which makes the classes itself): give one source`,
      { call, option: ignored },
    );
  }
}

/** Refuses an `instantiate` naming a class the world does not have (it was skipped: fewer classes instantiated). */
function checkInstantiateOption(instantiate: unknown, model: WorldModel, call: string): void {
  if (instantiate === undefined) return;
  const names = model.classes.map((c) => c.name);
  if (!Array.isArray(instantiate)) {
    throw new InvalidOptionError(`${call}: instantiate must be an array of class names`, {
      call,
      option: "instantiate",
    });
  }
  for (const name of instantiate) {
    if (!names.includes(name)) {
      throw new InvalidOptionError(
        `${call}: instantiate names ${JSON.stringify(name)}, not a class of the world (its classes: ${names.join(", ")})`,
        { call, option: "instantiate", className: name, known: names },
      );
    }
  }
}

/**
 * Refuses instance options with a key not among `known` (the instance
 * options by default), a `construct`, `values` or `instantiate` naming a
 * class the world lacks, or `values` naming a field no class there has.
 */
export function checkInstanceOptions(
  options: unknown,
  model: WorldModel,
  call: string,
  known: readonly string[] = INSTANCE_OPTION_KEYS,
): void {
  refuseUnknownKeys(options, known, call);
  if (options === undefined) return;
  const given = options as InstanceOptions;
  checkConstructOption(given.construct, model);
  checkValuesOption(given.values, model, call);
  checkInstantiateOption(given.instantiate, model, call);
}
