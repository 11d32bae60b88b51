/**
 * A built world as it really is, beside its spec: `construct` and the
 * classes' own constructors may give an instance state the spec does not
 * list — symbol keys, non-enumerable or accessor properties, fields
 * deleted — and a counterexample printed from the spec alone would hide
 * exactly what made it fail.
 */
import { buildWorld } from "./build.js";
import { builtinState } from "../builtins.js";
import { formatContents, formatValueSpec, sharingPrinter } from "./format.js";
import { asWorldRefs } from "./worldRefs.js";
import type { InstanceOptions, LiveWorld, WorldModel, WorldSpec } from "./types.js";

function renderKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${key.toString()}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$|^\d+$/.test(key) ? key : JSON.stringify(key);
}

/** The spec's lines, with references as they were built (modulo the instance count). */
function specLines(spec: WorldSpec): string[] {
  const n = spec.instances.length;
  const print = sharingPrinter();
  return spec.instances.map((instance, i) => {
    const fields = Object.entries(instance.fields).map(
      ([k, v]) =>
        `${renderKey(k)}: ${"ref" in v ? formatValueSpec({ ref: v.ref % n }) : print(v.value, `#${i}.${k}`)}`,
    );
    return `#${i} ${instance.className} { ${fields.join(", ")} }${formatContents(instance.contents)}`;
  });
}

/** What a Map or Set subclass instance holds now, as a plain Map or Set, instances as `→#j`. */
function liveContents(o: object, index: ReadonlyMap<object, number>): unknown {
  const state = builtinState(o);
  const plain =
    state?.kind === "Map"
      ? new Map(state.entries)
      : state?.kind === "Set"
        ? new Set(state.values)
        : undefined;
  return plain === undefined ? undefined : asWorldRefs(plain, index);
}

/**
 * Each instance's own properties, in order, like a spec line: `~` before a
 * non-enumerable one, accessors as `get`/`set` (never called), references
 * to the world's instances as `→#j`, an object met before as `same as …`.
 */
function liveLines(world: LiveWorld): string[] {
  const index = new Map(world.instances.map((x, j) => [x, j] as const));
  const print = sharingPrinter();
  return world.instances.map((o, i) => {
    const parts = Reflect.ownKeys(o).map((key) => {
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      const shown = `${d.enumerable ? "" : "~"}${renderKey(key)}`;
      if (!("value" in d)) {
        return `${shown}: ${[d.get && "get", d.set && "set"].filter(Boolean).join("/")}`;
      }
      const at = index.get(d.value as object);
      return `${shown}: ${at !== undefined ? `→#${at}` : print(asWorldRefs(d.value, index), `#${i}.${String(key)}`)}`;
    });
    const spec = world.spec.instances[i]!;
    const contents = spec.contents === undefined ? undefined : liveContents(o, index);
    return `#${i} ${spec.className} { ${parts.join(", ")} }${formatContents(contents)}`;
  });
}

/** The instances whose live state differs from their spec, one a line (undefined when none does). */
export function formatLiveDifferences(world: LiveWorld): string | undefined {
  const spec = specLines(world.spec);
  const lines = liveLines(world).filter((line, i) => line !== spec[i]);
  return lines.length === 0 ? undefined : lines.join("\n");
}

/**
 * What a counterexample's world is when built, where that differs from its
 * spec, as lines to print below it (undefined when nothing differs or it
 * cannot be built).
 */
export function liveStateOf(
  model: WorldModel,
  spec: WorldSpec,
  options: Pick<InstanceOptions, "construct">,
): string | undefined {
  let world: LiveWorld;
  try {
    world = buildWorld(model, spec, options);
  } catch {
    return undefined; // the failure says why: building is what failed
  }
  const lines = formatLiveDifferences(world);
  return lines === undefined ? undefined : `live state, where it differs:\n${lines}`;
}
