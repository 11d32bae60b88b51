/**
 * What the code of a class metamorph builds (`defineClass`, `addClass`)
 * reads of its object after the call that made it returns: closures its
 * methods and field initialisers make, calls suspended at an `await` or
 * `yield` (closureMembers.ts). Its running constructor is generated
 * (`function Sub(__init) { … }`): its source shows none of the methods, so
 * staleClosures.ts read nothing and a call in flight lost its write without
 * a word (review advZ13). What runs is the definition's sources: read here
 * as the body of one class, member by member where the whole does not
 * parse, once per definition (a definition never changes).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readClassBodyReads } from "../mop/source/parse.js";

export interface CodeReads {
  /** Members closures made by the code read (`setTimeout(() => this.ping())`). */
  readonly closures: ReadonlySet<string>;
  /** Members read after an `await` or `yield`, with the methods that read them. */
  readonly suspended: ReadonlyMap<string, readonly string[]>;
}

const read = new WeakMap<ClassDefinition, CodeReads>();

/** Throws where there is no parser (the Vite page). */
export function createdClassReads(definition: ClassDefinition): CodeReads {
  const cached = read.get(definition);
  if (cached !== undefined) return cached;
  const members = [
    ...definition.methods.filter((m) => !m.static).map((m) => m.source),
    // In parentheses: an initialiser is an expression, never a comma's list.
    ...definition.fields.flatMap((f) =>
      f.initializer === undefined ? [] : [`${JSON.stringify(f.name)} = (${f.initializer}\n);`],
    ),
  ];
  const whole = classReads(members);
  const reads = whole ?? merged(members.map((m) => classReads([m])));
  read.set(definition, reads);
  return reads;
}

/** The reads of a class whose body is `members` (through parse.ts, which the Vite page stands in for); undefined if it does not parse. */
const classReads = (members: readonly string[]): CodeReads | undefined =>
  readClassBodyReads(members);

function merged(parts: readonly (CodeReads | undefined)[]): CodeReads {
  const closures = new Set<string>();
  const suspended = new Map<string, string[]>();
  for (const part of parts) {
    for (const name of part?.closures ?? []) closures.add(name);
    for (const [name, by] of part?.suspended ?? []) {
      const list = suspended.get(name) ?? [];
      suspended.set(name, [...new Set([...list, ...by])]);
    }
  }
  return { closures, suspended };
}
