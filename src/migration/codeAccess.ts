/**
 * What the code of a version of a class does with the members of its
 * objects (mop/source/closureMembers.ts memberAccess): for a class
 * metamorph builds, its definition's sources (its constructor is generated,
 * createdClassReads.ts), member by member where the whole does not parse;
 * for an ordinary class, its source. Read once per definition (a
 * definition never changes): the commit's warnings and a rollback's both
 * ask.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { derivedFrom } from "../mop/derivedFrom.js";
import type { MemberAccess } from "../mop/source/closureMembers.js";
import { readClassBodyAccess, readMemberAccess } from "../mop/source/parse.js";

const read = new WeakMap<ClassDefinition, MemberAccess | null>();

/** Undefined where the code is not at hand or does not parse. Throws where there is no parser (the Vite page). */
export function codeAccess(definition: ClassDefinition): MemberAccess | undefined {
  const cached = read.get(definition);
  if (cached !== undefined) return cached ?? undefined;
  const access = readAccess(definition);
  read.set(definition, access ?? null);
  return access;
}

function readAccess(definition: ClassDefinition): MemberAccess | undefined {
  if (definition.fieldOrigin === "created") {
    const members = [
      ...definition.methods.filter((m) => !m.static).map((m) => m.source),
      // In parentheses: an initialiser is an expression, never a comma's list.
      ...definition.fields.flatMap((f) =>
        f.initializer === undefined ? [] : [`${JSON.stringify(f.name)} = (${f.initializer}\n);`],
      ),
    ];
    return readClassBodyAccess(members) ?? merged(members.map((m) => readClassBodyAccess([m])));
  }
  if (definition.fieldOrigin !== "source") return undefined;
  const running = writtenClassOf(definition);
  return running === undefined ? undefined : readMemberAccess(running);
}

/**
 * The class whose code an ordinary class's version runs: the one it was
 * installed with, or, for a version the build derived from it (a field
 * patch on the class or a class above it, building/derivedImplementation.ts),
 * the class it derives from, whose methods it runs. A subclass the patch
 * leaves alone keeps its definition, which the derived version is recorded
 * with too: read from that, the code was the generated constructor, and a
 * subclass's suspended call went unsaid (review advZ15).
 */
export function writtenClassOf(definition: ClassDefinition): Function | undefined {
  let running: Function | undefined = constructorOfDefinition(definition);
  for (let from = running && derivedFrom(running); from !== undefined; from = derivedFrom(from))
    running = from;
  return running;
}

function merged(parts: readonly (MemberAccess | undefined)[]): MemberAccess {
  const join = (pick: (a: MemberAccess) => MemberAccess["reads"]) => {
    const closures = new Set<string>();
    const suspended = new Map<string, string[]>();
    for (const part of parts) {
      if (part === undefined) continue;
      for (const name of pick(part).closures) closures.add(name);
      for (const [name, by] of pick(part).suspended)
        suspended.set(name, [...new Set([...(suspended.get(name) ?? []), ...by])]);
    }
    return { closures, suspended };
  };
  const byMethod = new Map<string, { reads: Set<string>; assigns: Set<string> }>();
  for (const part of parts)
    for (const [method, { reads, assigns }] of part?.byMethod ?? []) {
      const into = byMethod.get(method) ?? { reads: new Set(), assigns: new Set() };
      for (const name of reads) into.reads.add(name);
      for (const name of assigns) into.assigns.add(name);
      byMethod.set(method, into);
    }
  return { reads: join((a) => a.reads), writes: join((a) => a.writes), byMethod };
}
