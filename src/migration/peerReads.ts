/**
 * Under the lazy and progressive policies an object is migrated when it is
 * first touched through its own members; a direct field read on it from
 * elsewhere is not such a touch (README: "Lazy migration cannot see direct
 * field reads"). A method the patch adds or replaces that reads, on another
 * object of its class handed to it (`compare(o) { return this.amount -
 * o.amount }`), a field the patch renames or adds finds it missing on an
 * object still pending: `b.compare(a)` was NaN while `a` was pending, 2
 * eager. The patch's methods are source at hand, so this is said.
 *
 * Only reads on the method's parameters, of fields of the method's own
 * class: a parameter of another type holding a field of that name is
 * possible, and then the note says what to check.
 */
import type { ClassDefinition, MethodDefinition } from "../mop/classDefinition.js";
import type { Policy } from "../patch/operations.js";
import type { BuildResult, ClassBuild } from "./build.js";
import { codeAt, DOT, escaped, ID } from "./relatedReads.js";
import { type UpdateWarning, warning } from "./warning.js";

/** The simple names among a method's parameters (`compare(o, { x }, n = 1)`: o, n). */
function parameters(source: string): string[] {
  const list = /^[^(]*\(([^)]*)\)/.exec(source)?.[1] ?? "";
  return list
    .split(",")
    .map((p) =>
      p
        .split("=")[0]!
        .replace(/^\s*\.\.\./, "")
        .trim(),
    )
    .filter((p) => p !== "this" && new RegExp(`^${ID}$`, "u").test(p));
}

const keyOf = (m: MethodDefinition) => `${m.static}:${m.kind}:${String(m.key)}`;

/** Methods of the new version that the patch adds or whose source it changes. */
function newMethods(cls: ClassDefinition, old: ClassDefinition | undefined): MethodDefinition[] {
  const before = new Map((old?.methods ?? []).map((m) => [keyOf(m), m.source] as const));
  return cls.methods.filter((m) => !m.static && before.get(keyOf(m)) !== m.source);
}

/** For each field the class renames (its old name) or adds (null). */
function newFields(cls: ClassBuild, old: ClassDefinition): Map<string, string | null> {
  const had = new Set(old.fields.map((f) => f.name));
  const fields = new Map<string, string | null>();
  for (const { name } of cls.definition.fields) {
    const from = cls.fieldOrigins.get(name);
    if (typeof from === "string" && from !== name) fields.set(name, from);
    else if (!had.has(name) && typeof from !== "string") fields.set(name, null);
  }
  return fields;
}

/** Reads, in the patch's new methods, of renamed or added fields on a parameter, lazy and progressive only. */
export function peerFieldReads(
  build: BuildResult,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
  migrating: ReadonlySet<string>,
  policy: Policy,
): UpdateWarning[] {
  if (policy === "eager") return [];
  const out: UpdateWarning[] = [];
  for (const className of migrating) {
    const cls = build.classes.get(className)!;
    const old = cls.oldName === null ? undefined : oldDefs.get(cls.oldName);
    if (old === undefined) continue;
    const fields = newFields(cls, old);
    if (fields.size === 0) continue;
    for (const method of newMethods(cls.definition, old)) {
      const read = firstPeerRead(method.source, fields);
      if (read === undefined) continue;
      const from = fields.get(read.field)!;
      const what = from === null ? "a field this update adds" : `\`${from}\` renamed`;
      out.push(
        warning(
          "MM_PENDING_FIELD_READ",
          className,
          read.field,
          `new method ${String(method.key)}() reads \`${read.text}\` (${what}) on its parameter \`${read.param}\``,
          `an object of ${className} still pending lazy migration does not have it (a direct field read does not migrate it): the method gets undefined where eager gives the value — use the eager policy, or read it through a method or accessor of that object, which migrates it first`,
        ),
      );
    }
  }
  return out;
}

/** The first read `param.field` in a method's source, confirmed as code by the parser. */
function firstPeerRead(
  source: string,
  fields: ReadonlyMap<string, string | null>,
): { param: string; field: string; text: string } | undefined {
  let isCode: ((at: number) => boolean) | undefined | null = null;
  for (const param of parameters(source)) {
    const reads = source.matchAll(
      new RegExp(
        `(?<![\\p{ID_Continue}$.])${escaped(param)}${DOT}(${ID})(?![\\p{ID_Continue}$])`,
        "gu",
      ),
    );
    for (const m of reads) {
      const field = m[1]!;
      const from = fields.get(field);
      if (from === undefined) continue;
      // `o.amount ?? o.balance` reads the old name too: right under any policy.
      if (
        from !== null &&
        new RegExp(`\\b${escaped(param)}${DOT}${escaped(from)}(?![\\w$])`).test(source)
      )
        continue;
      isCode ??= codeAt(source);
      if (isCode === undefined) return undefined;
      if (isCode(m.index)) return { param, field, text: m[0].replace(/\s+/g, "") };
    }
  }
  return undefined;
}
