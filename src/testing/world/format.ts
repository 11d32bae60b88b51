/** Printing worlds: specs as readable lines, attached where fast-check prints a counterexample. */
import fc from "fast-check";
import type { ValueSpec, WorldSpec } from "./types.js";

/** Attaches a readable rendering to a spec, used by fast-check when it prints a counterexample. */
export function printable<T extends object>(value: T, render: (v: T) => string): T {
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => render(value),
    enumerable: false,
  });
  return value;
}

/** A value spec in one line: references as `→#i`, values as fast-check prints them. */
export function formatValueSpec(v: ValueSpec): string {
  return "ref" in v ? `→#${v.ref}` : fc.stringify(v.value);
}

/** A world spec, one instance a line: `#0 Person { name: "", age: 3, friend: →#1 }`. */
export function formatWorldSpec(spec: WorldSpec): string {
  if (spec.instances.length === 0) return "(no instances)";
  return spec.instances
    .map((instance, i) => {
      const fields = Object.entries(instance.fields).map(([k, v]) => `${k}: ${formatValueSpec(v)}`);
      return `#${i} ${instance.className} { ${fields.join(", ")} }`;
    })
    .join("\n");
}
