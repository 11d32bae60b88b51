/**
 * MM_STALE_CLOSURE: code of the running version that outlives the update
 * (closures, calls suspended at an `await`) reads members of the object
 * the new version drops. For ordinary classes read from their source and
 * for the classes metamorph builds (`defineClass`, `addClass`: read from
 * their definition, createdClassReads.ts).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { readClosureMembers, readSuspendedMembers } from "../mop/source/parse.js";
import { ancestry, instanceMemberNames } from "./changes.js";
import { type CodeReads, createdClassReads } from "./createdClassReads.js";
import type { UpdateWarning } from "./warning.js";
import { quoted, warning } from "./warning.js";

/**
 * Members the running version's closures read (closureMembers.ts) that the
 * new version drops: an own method or accessor no class of its new chain
 * has, or a field it does not carry. And those its `async` and generator
 * methods read after an `await` or `yield`: a call paused there when the
 * update commits resumes on the updated object.
 */
export function staleClosures(
  className: string,
  defs: ReadonlyMap<string, ClassDefinition>,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined) return [];
  let reads: CodeReads | undefined;
  try {
    reads = codeReads(old);
  } catch {
    return []; // no parser here (the Vite page)
  }
  if (reads === undefined) return [];
  const { closures: closureReads, suspended: suspendedReads } = reads;
  const kept = new Set(ancestry(className, defs).flatMap((c) => instanceMemberNames(defs.get(c)!)));
  const owned = new Set(instanceMemberNames(old));
  const gone = (name: string) => owned.has(name) && !kept.has(name);
  const closures = [...closureReads].filter(gone);
  // Said once: a closure's warning already names the member.
  const resumed = [...suspendedReads].filter(([name]) => gone(name) && !closures.includes(name));
  const warnings: UpdateWarning[] = [];
  if (closures.length > 0) {
    const note = `closures the running version made (arrow functions given to timers or listeners) read ${quoted(closures)}, which the new version no longer has`;
    warnings.push(
      warning(
        "MM_STALE_CLOSURE",
        className,
        undefined,
        note,
        "they keep running on the existing objects with the old code and will fail when they do — roll this update back, keep those members in the new version, or restart",
      ),
    );
  }
  if (resumed.length > 0) warnings.push(suspendedCalls(className, resumed));
  return warnings;
}

/**
 * What the running version's code reads after its calls return: a class
 * metamorph builds, from its definition's sources (its constructor is
 * generated); an ordinary class read from its source, from the class.
 */
function codeReads(old: ClassDefinition): CodeReads | undefined {
  if (old.fieldOrigin === "created") return createdClassReads(old);
  if (old.fieldOrigin !== "source") return undefined;
  const running = constructorOfDefinition(old);
  if (running === undefined) return undefined;
  return { closures: readClosureMembers(running), suspended: readSuspendedMembers(running) };
}

/** The warning for members that calls suspended in the running version's code read when they resume. */
function suspendedCalls(
  className: string,
  resumed: readonly (readonly [string, readonly string[]])[],
): UpdateWarning {
  const methods = [...new Set(resumed.flatMap(([, by]) => by))].map((m) => `\`${m}\``);
  const note = `calls of the running version's ${methods.join(", ")} suspended at an \`await\` or \`yield\` read ${quoted(resumed.map(([name]) => name))} when they resume, which the new version no longer has`;
  return warning(
    "MM_STALE_CLOSURE",
    className,
    undefined,
    note,
    "a call in flight at the commit resumes its old code on the updated object and fails there (its promise may never settle) — apply this update through the lifecycle with forced quiescence (a manager tracking the class since start-up, `forceQuiescence: true`: the calls in flight finish first), keep those members in the new version, or roll it back",
  );
}
