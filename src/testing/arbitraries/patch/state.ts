/**
 * The model while a patch is being interpreted: the classes as they stand
 * after the steps so far, the questions generators ask of them (free names,
 * ancestors, candidates for a move), and the picker that turns generated
 * numbers into choices.
 */
import type { MemberKey, MethodDefinition, MethodKind } from "../../../mop/classDefinition.js";
import { sameMemberKey } from "../../../mop/classDefinition.js";
import type { PatchBuilder } from "../../../patch/builder.js";
import type { ModelClass } from "./model.js";
import { PATCH_CLASS_NAMES, PATCH_FIELD_NAMES, PATCH_METHOD_NAMES } from "./pools.js";

export interface State {
  classes: ModelClass[];
  /** Validation names in use: composition refuses a name used twice. */
  validations: Set<string>;
  /** Classes named by validateInstances: they must keep their name and exist until validation. */
  pinned: Set<string>;
}

/** Turns choice numbers into picks from lists; runs out gracefully by cycling. */
export class Picker {
  #i = 0;
  constructor(readonly picks: readonly number[]) {}
  next(): number {
    const n = this.picks.length === 0 ? 0 : this.picks[this.#i % this.picks.length]!;
    this.#i++;
    return n;
  }
  one<T>(list: readonly T[]): T {
    return list[this.next() % list.length]!;
  }
  chance(): boolean {
    return this.next() % 2 === 0;
  }
  /** A non-empty subset of `list` (in list order) when `list` is non-empty. */
  subset<T>(list: readonly T[], atLeast = 1): T[] {
    const chosen = list.filter(() => this.chance());
    return chosen.length >= atLeast ? chosen : list.slice(0, atLeast);
  }
  permutation<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.next() % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export const byName = (s: State, name: string): ModelClass =>
  s.classes.find((c) => c.name === name)!;
export const fieldNames = (c: ModelClass): string[] => c.fields.map((f) => f.name);

export function ancestors(s: State, name: string): ModelClass[] {
  const out: ModelClass[] = [];
  for (let c = byName(s, name).superclass; c !== null; c = byName(s, c).superclass)
    out.push(byName(s, c));
  return out;
}

export function descendants(s: State, name: string): ModelClass[] {
  const children = s.classes.filter((c) => c.superclass === name);
  return children.flatMap((c) => [c, ...descendants(s, c.name)]);
}

/** Every field an instance of `name`, or of any subclass, can hold. */
export function hierarchyFields(s: State, name: string): Set<string> {
  return new Set(
    [byName(s, name), ...ancestors(s, name), ...descendants(s, name)].flatMap(fieldNames),
  );
}

export const freeClassNames = (s: State): string[] =>
  PATCH_CLASS_NAMES.filter((n) => !s.classes.some((c) => c.name === n));

export const freeFieldNames = (s: State, cls: string, taken: Iterable<string> = []): string[] => {
  const used = hierarchyFields(s, cls);
  for (const t of taken) used.add(t);
  return PATCH_FIELD_NAMES.filter((f) => !used.has(f));
};

export function update(
  s: State,
  name: string,
  change: (c: ModelClass) => Partial<ModelClass>,
): void {
  s.classes = s.classes.map((c) => (c.name === name ? { ...c, ...change(c) } : c));
}

export function methodSource(key: MemberKey, kind: MethodKind, variant: number): string {
  const name = typeof key === "string" ? key : `[${key.symbol}]`;
  if (typeof key !== "string") return `*${name}() { yield ${variant}; }`;
  if (kind === "get") return `get ${name}() { return ${variant}; }`;
  return `${name}() { return ${variant}; }`;
}

export function randomMethod(
  p: Picker,
  taken: readonly MethodDefinition[],
): MethodDefinition | undefined {
  const candidates: MethodDefinition[] = [];
  for (const name of PATCH_METHOD_NAMES) {
    for (const kind of ["method", "get"] as const) {
      for (const isStatic of [false, true])
        candidates.push({ key: name, kind, static: isStatic, source: "" });
    }
  }
  candidates.push({
    key: { symbol: "Symbol.iterator" },
    kind: "method",
    static: false,
    source: "",
  });
  const free = candidates.filter(
    (m) => !taken.some((t) => sameMemberKey(t.key, m.key) && t.static === m.static),
  );
  if (free.length === 0) return undefined;
  const m = p.one(free);
  return { ...m, source: methodSource(m.key, m.kind, p.next() % 10) };
}

export function pullUpCandidates(s: State): [ModelClass, string][] {
  const out: [ModelClass, string][] = [];
  for (const c of s.classes) {
    if (c.superclass === null) continue;
    const parent = c.superclass;
    const directChildren = new Set(classes(s, (x) => x.superclass === parent).map((x) => x.name));
    const above = new Set([byName(s, parent), ...ancestors(s, parent)].flatMap(fieldNames));
    const deeper = new Set(
      descendants(s, parent)
        .filter((x) => !directChildren.has(x.name))
        .flatMap(fieldNames),
    );
    for (const f of fieldNames(c)) if (!above.has(f) && !deeper.has(f)) out.push([c, f]);
  }
  return out;
}

export function superclassCandidates(s: State): [ModelClass, string | null][] {
  const out: [ModelClass, string | null][] = [];
  for (const c of s.classes) {
    if (c.superclass !== null) out.push([c, null]);
    const below = new Set([c, ...descendants(s, c.name)].map((x) => x.name));
    const belowFields = new Set([c, ...descendants(s, c.name)].flatMap(fieldNames));
    for (const candidate of s.classes) {
      if (below.has(candidate.name) || candidate.name === c.superclass) continue;
      const aboveFields = [candidate, ...ancestors(s, candidate.name)].flatMap(fieldNames);
      if (aboveFields.some((f) => belowFields.has(f))) continue;
      out.push([c, candidate.name]);
    }
  }
  return out;
}

export type Builder = PatchBuilder;

/** One kind of operation: when it makes sense, and how to add it to the patch and the model. */
export interface Generator {
  readonly applicable: (s: State) => boolean;
  readonly apply: (b: Builder, s: State, p: Picker) => Builder;
}

export const classes = (s: State, filter: (c: ModelClass) => boolean = () => true): ModelClass[] =>
  s.classes.filter(filter);
