/**
 * MM_STALE_CLOSURE at a rollback: the new version's code that outlives it
 * (closures it made, its calls suspended at an `await` or `yield` while it
 * was live — a request served during the health check) goes on running on
 * the objects the rollback put back on the running version's layout. What
 * staleClosures.ts says of the running version's code at the commit, the
 * other way round: a member the new version has and the running one lacks
 * fails that code, and an assignment of a field the rollback renames back
 * lands in a stray property (review advZ15: a v2 `place()` resumed after a
 * failed health check, returned order number 3 to its caller and wrote a
 * stray `placed`; the next v1 order was number 3 again). Nothing tracks
 * those calls here, so it is said whenever the new version has such code.
 */
import { codeAccess } from "./codeAccess.js";
import { lostAtRollback, type Versions } from "./lostMembers.js";
import { type StaleWords, staleCode } from "./staleCode.js";
import type { UpdateWarning } from "./warning.js";

const AT_ROLLBACK: StaleWords = {
  code: "the new version",
  missing: "which the objects the rollback put back do not have",
  moved: "the rollback puts back as",
  closures:
    "they keep running on the objects put back with the new version's code and will fail when they do — stop those timers or listeners in an `afterRollback` hook, or restart",
  closureWrites:
    "they keep running on the objects put back with the new version's code: each such write lands in a stray property and the field put back never gets the value — stop those timers or listeners in an `afterRollback` hook, or restart",
  suspended:
    "a call of the new version in flight at the rollback resumes its code on the object put back and fails there (its promise may never settle), after the program may have acted on what it did before — roll back when no such call is in flight (a health check that calls none), or restart",
  suspendedWrites:
    "a call of the new version in flight at the rollback resumes its code on the object put back: its caller gets the new version's answer and its write lands in a stray property, lost to the field put back — roll back when no such call is in flight (a health check that calls none), or restart",
};

/** The warnings of a rollback of an update, for the classes it changed (new names). */
export function staleAtRollback(changed: ReadonlySet<string>, versions: Versions): UpdateWarning[] {
  const warnings: UpdateWarning[] = [];
  for (const className of changed) {
    const oldName = versions.build.classes.get(className)?.oldName;
    const running = versions.defs.get(className);
    if (oldName == null || running === undefined) continue;
    let access: ReturnType<typeof codeAccess>;
    try {
      access = codeAccess(running);
    } catch {
      return []; // no parser here (the Vite page)
    }
    if (access === undefined) continue;
    const lost = lostAtRollback(className, oldName, versions);
    warnings.push(...staleCode(className, access, lost, AT_ROLLBACK));
  }
  return warnings;
}
