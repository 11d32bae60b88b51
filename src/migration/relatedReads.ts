/**
 * Under the lazy and progressive policies a migrator (or a field's
 * `initial`) runs when its object is first touched, against the live
 * graph: an object it reaches from `old` (`old.account`) may already be
 * migrated, or not. A read there of a field this update renames or removes
 * (`old.account.balance`, Account renaming `balance` to `amount`) saw 5 when
 * the order was touched first and `undefined` when the account was; eager
 * computes every copy from the old graph. Said, since only the author can
 * choose the policy or read both names.
 *
 * Found in the function's text (its first parameter, names it gives a value
 * reached from it: `const a = old.account`, `const { account } = old`);
 * each read is confirmed by the parser to be code (not in a string or a
 * comment). Where there is no parser (the Vite page's stand-in), nothing
 * is said.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";
import { readConstructorExpressions } from "../mop/source/parse.js";
import type { BuildResult } from "./build.js";
import type { Policy } from "../patch/operations.js";
import { type UpdateWarning, warning } from "./warning.js";

export const ID = "[\\p{ID_Start}$_][\\p{ID_Continue}$]*";
export const DOT = "\\s*\\??\\.\\s*";
export const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** A field this update renames (`to`, its new name) or removes (`to` null) on a migrating class. */
interface Changed {
  readonly className: string;
  readonly to: string | null;
}

/** Old field names the migrating classes rename or remove. */
function changedFields(
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  migrating: ReadonlySet<string>,
): Map<string, Changed> {
  const changed = new Map<string, Changed>();
  for (const className of migrating) {
    const cls = build.classes.get(className)!;
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    const kept = new Set(cls.definition.fields.map((f) => f.name));
    const origins = new Set<string>();
    for (const [to, from] of cls.fieldOrigins) {
      if (typeof from !== "string") continue;
      origins.add(from);
      if (from !== to) changed.set(from, { className, to });
    }
    for (const f of old?.fields ?? [])
      if (!kept.has(f.name) && !origins.has(f.name)) changed.set(f.name, { className, to: null });
  }
  return changed;
}

/** The first parameter of a function's source: a name, or the names a destructuring gives. */
function firstParameter(source: string): { name?: string; names: string[] } {
  const bare = new RegExp(`^\\s*(?:async\\s+)?(${ID})\\s*=>`, "u").exec(source);
  if (bare !== null) return { name: bare[1]!, names: [] };
  const paren = new RegExp(
    `^\\s*(?:async\\b\\s*)?(?:function\\b\\s*\\*?\\s*)?(?:${ID}\\s*)?\\(\\s*(${ID}|\\{[^}]*\\})`,
    "u",
  ).exec(source);
  const p = paren?.[1];
  if (p === undefined) return { names: [] };
  return p.startsWith("{") ? { names: destructured(p) } : { name: p, names: [] };
}

/** The local names `{ a, b: c, d = 1 }` gives. */
function destructured(pattern: string): string[] {
  return pattern
    .slice(1, -1)
    .split(",")
    .map((part) => part.split("=")[0]!.split(":").pop()!.trim())
    .filter((n) => new RegExp(`^${ID}$`, "u").test(n));
}

/** Names given a value reached from `param` (`const a = old.account`, `const { account } = old`). */
function aliases(source: string, param: string): string[] {
  const p = escaped(param);
  const member = new RegExp(
    `\\b(?:const|let|var)\\s+(${ID})\\s*=\\s*${p}${DOT}${ID}(?![\\p{ID_Continue}$]|\\s*(?:\\??\\.|\\(|\\[))`,
    "gu",
  );
  const pattern = new RegExp(`\\b(?:const|let|var)\\s*(\\{[^}]*\\})\\s*=\\s*${p}(?![\\w$])`, "gu");
  return [
    ...[...source.matchAll(member)].map((m) => m[1]!),
    ...[...source.matchAll(pattern)].flatMap((m) => destructured(m[1]!)),
  ];
}

/** Each read `receiver.name` of a value reached from the first parameter, with its offset. */
function relatedReads(
  source: string,
): { receiver: string; name: string; text: string; at: number }[] {
  const { name, names } = firstParameter(source);
  const holders = [...names, ...(name === undefined ? [] : aliases(source, name))];
  const receivers = [
    ...(name === undefined ? [] : [`${escaped(name)}${DOT}${ID}`]),
    ...holders.map(escaped),
  ];
  return receivers.flatMap((receiver) =>
    [
      ...source.matchAll(
        new RegExp(
          `(?<![\\p{ID_Continue}$.])(${receiver})${DOT}(${ID})(?![\\p{ID_Continue}$])`,
          "gu",
        ),
      ),
    ].map((m) => ({
      receiver: m[1]!.replace(/\s+/g, ""),
      name: m[2]!,
      text: m[0].replace(/\s+/g, ""),
      at: m.index,
    })),
  );
}

/** Whether the expression at `at` of `source` is code, as the parser reads it; undefined without a parser. */
export function codeAt(source: string): ((at: number) => boolean) | undefined {
  for (const [before, after] of [
    ["m() {\n(", ");\n}"],
    ["", ""],
  ] as const) {
    let read: ((offset: number) => string | undefined) | undefined;
    try {
      read = readConstructorExpressions(`${before}${source}${after}`);
    } catch {
      return undefined; // the page's stand-in for the parse module
    }
    if (read !== undefined) return (at) => read(at + before.length) !== undefined;
  }
  return undefined;
}

/**
 * Migrators and initial functions of a lazy or progressive update that
 * read, on an object reached from `old`, a field a migrating class renames
 * or removes in the same update (not where they read its new name too).
 */
export function migratorsReadingMigrating(
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  migrating: ReadonlySet<string>,
  policy: Policy,
): UpdateWarning[] {
  if (policy === "eager") return [];
  const changed = changedFields(build, oldDefs, migrating);
  if (changed.size === 0) return [];
  const out: UpdateWarning[] = [];
  for (const [className, cls] of build.classes) {
    const functions = [
      ...cls.migrators.map((f) => ["a migrator", f] as const),
      ...[...cls.initialisers].map(
        ([field, f]) => [`the initial value of \`${field}\``, f] as const,
      ),
    ];
    for (const [what, f] of functions) {
      const source = Function.prototype.toString.call(f);
      const all = relatedReads(source);
      const reads = all.filter((r) => changed.has(r.name));
      const isCode = reads.length === 0 ? undefined : codeAt(source);
      if (isCode === undefined) continue;
      const said = new Set<string>();
      for (const { receiver, name, text, at } of reads) {
        const { className: owner, to } = changed.get(name)!;
        const both = to !== null && all.some((r) => r.receiver === receiver && r.name === to);
        if (both || said.has(`${receiver}.${name}`) || !isCode(at)) continue;
        said.add(`${receiver}.${name}`);
        out.push(relatedReadWarning(className, what, { receiver, name, text, owner, to }));
      }
    }
  }
  return out;
}

function relatedReadWarning(
  className: string,
  what: string,
  read: { receiver: string; name: string; text: string; owner: string; to: string | null },
): UpdateWarning {
  const { receiver, name, text, owner, to } = read;
  const change = to === null ? "removes" : `renames to \`${to}\``;
  return warning(
    "MM_MIGRATOR_READS_MIGRATING",
    className,
    name,
    `${what} reads \`${text}\`, a field this update ${change} on ${owner}`,
    `under the lazy and progressive policies it runs against the live objects, where that one may already be migrated: the read sees the old or the new layout depending on which object was touched first — use the eager policy${to === null ? "" : `, or read both names (\`${receiver}.${to} ?? ${receiver}.${name}\`)`}`,
  );
}
