/**
 * The MM_STALE_CLOSURE warnings of one class: code of the version its
 * objects leave (closures it made, calls suspended at an `await` or
 * `yield`) that goes on running on them and reads members they no longer
 * have, or assigns fields whose value they now keep under another name.
 * Worded by the caller: at the commit that code is the running version's
 * (staleClosures.ts), at a rollback the new version's (staleAtRollback.ts).
 */
import type { OutlivingAccess } from "../mop/source/closureMembers.js";
import type { LostMembers } from "./lostMembers.js";
import { quoted, type UpdateWarning, warning } from "./warning.js";

/** How the warnings of one direction say it. */
export interface StaleWords {
  /** Whose code it is: "the running version". */
  readonly code: string;
  /** After the members read: "which the new version no longer has". */
  readonly missing: string;
  /** Before where a field's value went: "the new version keeps as". */
  readonly moved: string;
  /** The advice for closures that read, closures that assign, suspended calls that read, that assign. */
  readonly closures: string;
  readonly closureWrites: string;
  readonly suspended: string;
  readonly suspendedWrites: string;
}

type Access = { readonly reads: OutlivingAccess; readonly writes: OutlivingAccess };

/** What the warnings name: reads of members the objects lose; assignments of fields whose value moved (once a member). */
function staleMembers({ reads, writes }: Access, lost: LostMembers) {
  const closures = [...reads.closures].filter(lost.gone);
  // Said once: a closure's warning already names the member.
  const resumed = [...reads.suspended].filter(
    ([name]) => lost.gone(name) && !closures.includes(name),
  );
  const said = new Set([...closures, ...resumed.map(([name]) => name)]);
  const closureWrites = [...writes.closures].filter(
    (name) => lost.renamed.has(name) && !said.has(name),
  );
  const resumedWrites = [...writes.suspended].filter(
    ([name]) => lost.renamed.has(name) && !said.has(name) && !closureWrites.includes(name),
  );
  return { closures, resumed, closureWrites, resumedWrites };
}

/** The members staleCode's warnings name. */
export function staleMemberNames(access: Access, lost: LostMembers): ReadonlySet<string> {
  const { closures, resumed, closureWrites, resumedWrites } = staleMembers(access, lost);
  return new Set([
    ...closures,
    ...closureWrites,
    ...[...resumed, ...resumedWrites].map(([n]) => n),
  ]);
}

/** The warnings of `access` (of the version the objects leave) on what they `lost`. */
export function staleCode(
  className: string,
  access: Access,
  lost: LostMembers,
  words: StaleWords,
): UpdateWarning[] {
  const { closures, resumed, closureWrites, resumedWrites } = staleMembers(access, lost);
  const warnings: UpdateWarning[] = [];
  if (closures.length > 0) {
    const note = `closures ${words.code} made (arrow functions given to timers or listeners) read ${quoted(closures)}, ${words.missing}`;
    warnings.push(warning("MM_STALE_CLOSURE", className, undefined, note, words.closures));
  }
  if (resumed.length > 0) {
    const note = `${suspendedCalls(words, resumed)} read ${quoted(resumed.map(([name]) => name))} when they resume, ${words.missing}`;
    warnings.push(warning("MM_STALE_CLOSURE", className, undefined, note, words.suspended));
  }
  if (closureWrites.length > 0) {
    const note = `closures ${words.code} made (arrow functions given to timers or listeners) assign ${movedTo(closureWrites, lost, words)}`;
    const field = closureWrites.length === 1 ? closureWrites[0] : undefined;
    warnings.push(warning("MM_STALE_CLOSURE", className, field, note, words.closureWrites));
  }
  if (resumedWrites.length > 0) {
    const names = resumedWrites.map(([name]) => name);
    const note = `${suspendedCalls(words, resumedWrites)} assign ${movedTo(names, lost, words, " when they resume")}`;
    const field = names.length === 1 ? names[0] : undefined;
    warnings.push(warning("MM_STALE_CLOSURE", className, field, note, words.suspendedWrites));
  }
  return warnings;
}

/** "calls of the running version's `run()` suspended at an `await` or `yield`". */
function suspendedCalls(
  words: StaleWords,
  members: readonly (readonly [string, readonly string[]])[],
): string {
  const methods = [...new Set(members.flatMap(([, by]) => by))].map((m) => `\`${m}\``);
  return `calls of ${words.code}'s ${methods.join(", ")} suspended at an \`await\` or \`yield\``;
}

/** "`status`, whose value the new version keeps as `state`" (`after` follows the names). */
function movedTo(
  names: readonly string[],
  lost: LostMembers,
  words: StaleWords,
  after = "",
): string {
  const targets = names.map((n) => `\`${lost.renamed.get(n)}\``).join(", ");
  const values = names.length === 1 ? "value" : "values";
  return `${quoted(names)}${after}, whose ${values} ${words.moved} ${targets}`;
}
