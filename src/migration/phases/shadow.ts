/**
 * Phase 3, shadow: a copy of the namespace receives the new class versions
 * (removals, renames, new and changed classes, superclasses first), and each
 * migrating class gets its migration plan against it. Input: build and
 * changes; output: the shadow and the plans, superclasses first.
 * Undo: nothing live is touched — the shadow is simply dropped.
 */
import { hierarchyOrder } from "../../namespace/bulkReplace.js";
import type { Namespace } from "../../namespace/namespace.js";
import type { Shadow } from "../../namespace/shadow.js";
import { cloneNamespace } from "../../namespace/shadow.js";
import type { Plan } from "../migrationPlan.js";
import { migrationPlan } from "../migrationPlan.js";
import type { OutsideHomes } from "../outsideBuilt.js";
import { noteSameScope } from "../../mop/sameScope.js";
import { outsideHomes } from "../outsideBuilt.js";
import type { Built } from "./build.js";
import { classesOf, type Scope, updateScopes } from "../building/updateScopes.js";
import { bindLateNames } from "../../mop/lateNames.js";
import type { Constructor } from "../../mop/createClass.js";
import type { Detected } from "./detect.js";
import { refuseUnguardableMembers } from "../unchangeableMembers.js";

export interface Shadowed {
  readonly shadow: Shadow;
  readonly plans: readonly Plan[];
  /** The handles of the classes that get a new version (outsideBuilt.ts). */
  readonly replaced: readonly Function[];
  /** Where their running implementations build outside the handles, before the update. */
  readonly outside: OutsideHomes;
}

export function shadowPhase(namespace: Namespace, built: Built, detected: Detected): Shadowed {
  const { build, defs, oldDefs } = built;
  // Before the shadow's classes are built (static initialisers are the patch's code).
  if (built.policy !== "eager") refuseUnguardableMembers(namespace, build, detected.migrating);
  const shadow = cloneNamespace(namespace);
  for (const name of build.removed) shadow.removeBinding(name);
  // Renames in two steps, so that swaps and names reused by new classes never collide.
  const renamed = [...build.classes].filter(
    ([name, c]) => c.oldName !== null && c.oldName !== name,
  );
  for (const [, c] of renamed) shadow.renameBinding(c.oldName!, `\u0000${c.oldName}`);
  for (const [name, c] of renamed) shadow.renameBinding(`\u0000${c.oldName}`, name);
  const ordered = hierarchyOrder(defs);
  // The new code sees the classes of the world it will run in: the names
  // this patch gives, and the classes it adds, whatever their order here.
  const added = ordered.filter((n) => build.classes.get(n)!.oldName === null);
  const compiled: Scope[] = [];
  const scopes = (handle: Constructor | null) => {
    const pending = added.filter((n) => !shadow.has(n));
    const made = updateScopes(namespace, built.hydrateScope, handle, classesOf(shadow), pending);
    compiled.push(made.compile);
    return made;
  };
  for (const name of ordered) {
    const cls = build.classes.get(name)!;
    if (cls.oldName === null) {
      const { compile, keep } = scopes(null);
      // Its implementation, where the patch gives one: what the implementations
      // after it extend (`class User extends Person`, hydrate: patch.ts).
      shadow.addClass(cls.definition, compile, cls.implementation, keep);
    } else if (detected.changed.has(name)) {
      const made = scopes(namespace.classNamed(cls.oldName));
      shadow.changeClass(name, cls.definition, cls.implementation, cls.staticOrigins, made);
    }
  }
  const handles = Object.fromEntries(added.map((n) => [n, shadow.classNamed(n)]));
  for (const scope of compiled) bindLateNames(scope, handles);
  const plans = ordered
    .filter((n) => detected.migrating.has(n))
    .map((n) => migrationPlan(n, build, defs, oldDefs, shadow));
  for (const cls of build.classes.values())
    if (cls.sameScope && cls.implementation) noteSameScope(cls.implementation);
  const replaced = [...detected.changed].flatMap((name) => {
    const oldName = build.classes.get(name)?.oldName;
    return oldName == null ? [] : [namespace.classNamed(oldName)];
  });
  return { shadow, plans, replaced, outside: outsideHomes(replaced) };
}
