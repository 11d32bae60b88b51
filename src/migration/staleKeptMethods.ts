/**
 * MM_STALE_CLOSURE for a method the update keeps as it runs (its source
 * unchanged) that reads a field the update renames: `renameField("C",
 * "count", "total")` keeping `inc() { this.count += 1; return this.count; }`
 * committed silently, and every later `inc()` answered NaN and wrote a
 * stray `count` (review advZ15). Kept methods stay the running ones by
 * design (docs/testing.md); what is said is only where their code is sure
 * to miss: a read of the old name of a field whose value moved, by a method
 * that names neither the new name (`this.total ?? this.count` reads both
 * on purpose) nor a member of the new version under the old name (an
 * accessor the patch adds for it: then the field is not gone). Also a
 * method that only assigns the old name (`reset() { this.count = 0 }`,
 * `this.state = "running"`): every call writes a stray property nothing
 * reads, and the field it meant keeps its value (the reset is lost). Not a
 * member the class's closure or suspended-call warning names already.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import { memberKeyName, sameMemberKey } from "../mop/classDefinition.js";
import type { MemberAccess } from "../mop/source/closureMembers.js";
import type { LostMembers } from "./lostMembers.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** Every instance method of `old` under `key` is in `next` with the same source. */
function keptAsIs(old: ClassDefinition, next: ClassDefinition, key: MethodDefinition["key"]) {
  const same = (m: MethodDefinition) => !m.static && sameMemberKey(m.key, key);
  const before = old.methods.filter(same);
  const after = next.methods.filter(same);
  return (
    before.length === after.length &&
    before.every((m) => after.some((n) => n.kind === m.kind && n.source === m.source))
  );
}

export function staleKeptMethods(
  className: string,
  old: ClassDefinition,
  next: ClassDefinition | undefined,
  access: MemberAccess,
  lost: LostMembers,
  said: ReadonlySet<string>,
): UpdateWarning[] {
  if (next === undefined) return [];
  const stale = new Map<string, string[]>();
  let reads = false;
  let writes = false;
  for (const method of old.methods) {
    if (method.static || typeof method.key !== "string" || !keptAsIs(old, next, method.key))
      continue;
    const touched = access.byMethod.get(method.key);
    if (touched === undefined) continue;
    const names = new Set([...touched.reads, ...touched.assigns]);
    const missed = [...names].filter((name) => {
      const to = lost.renamed.get(name);
      return (
        to !== undefined && lost.gone(name) && !said.has(name) && !names.has(to.split(".")[0]!)
      );
    });
    for (const name of missed) {
      if (touched.reads.has(name)) reads = true;
      else writes = true;
      const by = stale.get(name) ?? [];
      const label = `\`${memberKeyName(method.key)}()\``;
      if (!by.includes(label)) by.push(label);
      stale.set(name, by);
    }
  }
  if (stale.size === 0) return [];
  const fields = [...stale.keys()];
  const methods = [...new Set([...stale.values()].flat())];
  const targets = fields.map((f) => `\`${lost.renamed.get(f)}\``).join(", ");
  const s = methods.length === 1 ? "s" : "";
  const verb = [reads ? `read${s}` : "", writes ? `write${s}` : ""].filter(Boolean).join(" or ");
  const note = `the running version's ${methods.join(", ")}, which the new version keeps as ${methods.length === 1 ? "it is" : "they are"}, ${verb} ${quoted(fields)}, whose value${fields.length === 1 ? "" : "s"} the new version keeps as ${targets}`;
  return [
    warning(
      "MM_STALE_CLOSURE",
      className,
      fields.length === 1 ? fields[0] : undefined,
      note,
      "every call from now on, not only one in flight, reads the old name, which holds nothing (`undefined`, NaN), and what it writes there is lost — replace those methods in the patch (`replaceMethods`) to read the new name, or roll this update back",
    ),
  ];
}
