/**
 * MM_STALE_CLOSURE: code of the running version that outlives the update
 * (closures, calls suspended at an `await`) reads members of the object
 * the new version drops, or assigns fields whose value it keeps under
 * another name. For ordinary classes read from their source and for the
 * classes metamorph builds (`defineClass`, `addClass`: read from their
 * definition, createdClassReads.ts).
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readClosureMembers, readSuspendedMembers } from "../mop/source/parse.js";
import { codeAccess, writtenClassOf } from "./codeAccess.js";
import { type CodeReads, createdClassReads } from "./createdClassReads.js";
import { lostAtCommit, type Versions } from "./lostMembers.js";
import { type StaleWords, staleCode, staleMemberNames } from "./staleCode.js";
import { staleKeptMethods } from "./staleKeptMethods.js";
import type { UpdateWarning } from "./warning.js";

const AT_COMMIT: StaleWords = {
  code: "the running version",
  missing: "which the new version no longer has",
  moved: "the new version keeps as",
  closures:
    "they keep running on the existing objects with the old code and will fail when they do — roll this update back, keep those members in the new version, or restart",
  closureWrites:
    "they keep running on the existing objects with the old code: each such write lands in a stray property under the old name and the new field never gets the value — stop those timers or listeners in an `afterCommit` hook and start them again, roll this update back, or restart",
  suspended:
    "a call in flight at the commit resumes its old code on the updated object and fails there (its promise may never settle) — apply this update through the lifecycle with forced quiescence (a manager tracking the class since start-up, `forceQuiescence: true`: the calls in flight finish first), keep those members in the new version, or roll it back",
  suspendedWrites:
    "a call in flight at the commit resumes its old code on the updated object: its write lands in a stray property under the old name and the new field never gets the value — apply this update through the lifecycle with forced quiescence (a manager tracking the class since start-up, `forceQuiescence: true`: the calls in flight finish first), or roll it back",
};

/**
 * Members the running version's closures read (closureMembers.ts) that the
 * new version drops: a method, accessor or field of the class's chain that
 * no class of its new chain has — a superclass's too, which a subclass's
 * code reads as its own (review advZ15: `Express.place()` suspended across
 * a rename of `Orders.count` went unsaid and returned NaN). And those its
 * `async` and generator methods read after an `await` or `yield`: a call paused there when the update
 * commits resumes on the updated object. A field such code only assigns
 * is said where the update keeps its value under another name (a rename,
 * a split): the write goes to a stray property and is lost; not where the
 * update drops the field, whose value the new version wants no more.
 * Then the methods the update keeps that read a field it renames
 * (staleKeptMethods.ts).
 */
export function staleClosures(
  className: string,
  versions: Versions,
  old: ClassDefinition | undefined,
): UpdateWarning[] {
  if (old === undefined) return [];
  let reads: CodeReads | undefined;
  let access: ReturnType<typeof codeAccess>;
  try {
    reads = codeReads(old);
    access = codeAccess(old);
  } catch {
    return []; // no parser here (the Vite page)
  }
  if (reads === undefined || access === undefined) return [];
  const lost = lostAtCommit(className, old.name, versions);
  const outliving = { reads, writes: access.writes };
  const said = staleMemberNames(outliving, lost);
  const next = versions.defs.get(className);
  return [
    ...staleCode(className, outliving, lost, AT_COMMIT),
    ...staleKeptMethods(className, old, next, access, lost, said),
  ];
}

/**
 * What the running version's code reads after its calls return: a class
 * metamorph builds, from its definition's sources (its constructor is
 * generated); an ordinary class read from its source, from the class.
 */
function codeReads(old: ClassDefinition): CodeReads | undefined {
  if (old.fieldOrigin === "created") return createdClassReads(old);
  if (old.fieldOrigin !== "source") return undefined;
  const running = writtenClassOf(old);
  if (running === undefined) return undefined;
  return { closures: readClosureMembers(running), suspended: readSuspendedMembers(running) };
}
