/**
 * A reload evaluates the saved class, and with it every static initialiser,
 * although a static whose initialiser did not change keeps its running
 * value (`keepStatics`, ./common.ts `unchangedStatics`): its new value was
 * dropped, but its side effects stayed — `static ticker = setInterval(…)`
 * started one more timer per save (review advY5 H6). Such an initialiser is
 * evaluated behind `__metamorph$kept ? 0 : `, which makes it never run; the
 * prefix is taken out again when versions are compared (./scopeEvaluate.ts
 * `asWritten`), so the plan still sees the initialiser as written.
 */
import type { TopClass, TopLevel } from "./compile.js";
import type { MappedCode } from "./scopeCodeMap.js";

import { KEPT_PREFIX } from "./scopeEvaluate.js";

export { KEPT } from "./scopeEvaluate.js";

/** Static field name → [start, end] of its initialiser in the JavaScript. */
function staticInitialisers(cls: TopClass, js: string): Map<string, [number, number, string]> {
  const out = new Map<string, [number, number, string]>();
  for (const member of cls.node.body.body) {
    if (member.type !== "PropertyDefinition" || !member.static || member.computed) continue;
    if (!member.value) continue;
    const key = member.key;
    const name =
      key.type === "Identifier" ? key.name : key.type === "Literal" ? String(key.value) : undefined;
    if (name === undefined) continue;
    out.set(name, [
      member.value.start,
      member.value.end,
      js.slice(member.value.start, member.value.end),
    ]);
  }
  return out;
}

/**
 * Appends the class expression of `next` (a class of the saved JavaScript
 * `js`) to `code`, each static initialiser that `previous` (the running
 * version's, in `previousJs`) has with the same text behind the prefix.
 */
export function addClassKeepingStatics(
  code: MappedCode,
  next: TopClass,
  js: string,
  previous: TopClass | undefined,
  previousJs: string,
): void {
  const before = previous ? staticInitialisers(previous, previousJs) : new Map();
  const kept = [...staticInitialisers(next, js)]
    .filter(([name, [, , text]]) => before.get(name)?.[2] === text)
    .map(([, [start]]) => start)
    .sort((a, b) => a - b);
  const text = next.expression;
  // The expression ends where the declaration does: its offsets, read back from there.
  const at = (offset: number) => text.length - (next.end - offset);
  let from = 0;
  for (const start of kept) {
    code.addFrom(text.slice(from, at(start)), start).add(KEPT_PREFIX);
    from = at(start);
  }
  code.addFrom(text.slice(from), next.end);
}

/** The saved and the running JavaScript of a module, with their top levels. */
export interface StaticsContext {
  readonly js: string;
  readonly previous: TopLevel;
  readonly previousJs: string;
}

/** Appends `"Name": class …` for each of `names`, comma-separated (the reload's `classes` entries). */
export function addClassesKeepingStatics(
  code: MappedCode,
  names: readonly string[],
  next: TopLevel,
  { js, previous, previousJs }: StaticsContext,
): void {
  names.forEach((name, i) => {
    code.add(`${i > 0 ? ",\n" : ""}${JSON.stringify(name)}: `);
    addClassKeepingStatics(
      code,
      next.classes.get(name)!,
      js,
      previous.classes.get(name),
      previousJs,
    );
  });
}
