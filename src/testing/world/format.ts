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

/**
 * A printer of a world's values, field after field, that writes an object
 * it met before as `same as #0.address`: two instances sharing one object
 * and two holding equal copies print alike otherwise, and differ in what a
 * migrator may do to them.
 */
export function sharingPrinter(): (value: unknown, where: string) => string {
  const first = new Map<unknown, string>();
  return (value, where) => {
    if (typeof value !== "object" || value === null) return fc.stringify(value);
    const seen = first.get(value);
    if (seen !== undefined) return `same as ${seen}`;
    first.set(value, where);
    return fc.stringify(value);
  };
}

/** A world spec, one instance a line: `#0 Person { name: "", age: 3, friend: →#1, home: same as #1.home }`. */
export function formatWorldSpec(spec: WorldSpec): string {
  if (spec.instances.length === 0) return "(no instances)";
  const print = sharingPrinter();
  return spec.instances
    .map((instance, i) => {
      const fields = Object.entries(instance.fields).map(
        ([k, v]) => `${k}: ${"ref" in v ? formatValueSpec(v) : print(v.value, `#${i}.${k}`)}`,
      );
      return `#${i} ${instance.className} { ${fields.join(", ")} }${formatContents(instance.contents)}`;
    })
    .join("\n");
}

/** A Map or Set subclass instance's entries after its fields: ` holding new Map([["a",→#1]])`. */
export function formatContents(contents: unknown): string {
  return contents === undefined ? "" : ` holding ${fc.stringify(contents)}`;
}
