/**
 * A constructor's `Object.defineProperty(this, Symbol.for("…"), { … })`
 * (yaml's Schema and nodes): the key is known without running anything, and
 * it is a symbol, so no string field can come of it. Read as "creates
 * properties that cannot be named statically", it made the migration keep
 * every old field the new layout drops (any field might be made so) and
 * said MM_UNSEEN_STATE for a property every live object already had. Its
 * note names the key and the kind of descriptor, which two releases'
 * notes are compared by (outOfSightWarnings.ts).
 */

const DEFINE =
  /^Object\.defineProperty\(\s*this\s*,\s*(Symbol\.for\(\s*(?:"[^"\\]*"|'[^'\\]*')\s*\))\s*,\s*\{([^{}]*)\}\s*\)$/;
const ATTRIBUTE = /(?:^|,)\s*(writable|enumerable|configurable)\s*:\s*([^,\s]+)\s*(?=,|$)/g;
const ACCESSOR = /(?:^|,)\s*(?:get|set)\b/;

/** The note "symbol-keyed field `KEY` (KIND) defined in WHERE: `TEXT`", or undefined for any other write. */
export function symbolDefinitionNote(where: string, text: string): string | undefined {
  const match = DEFINE.exec(text.trim());
  if (match === null) return undefined;
  const [, key, body] = match as unknown as [string, string, string];
  // A spread or a computed attribute: the kind cannot be told from the text.
  if (body.includes("...") || body.includes("[")) return undefined;
  const attributes = new Map<string, boolean>();
  for (const [, name, value] of body.matchAll(ATTRIBUTE)) {
    if (value !== "true" && value !== "false") return undefined;
    attributes.set(name!, value === "true");
  }
  const accessor = ACCESSOR.test(body);
  const said = (name: string) => `${attributes.get(name) === true ? "" : "not "}${name}`;
  const kind = [
    accessor ? "an accessor" : "a data property",
    ...(accessor ? [] : [said("writable")]),
    said("enumerable"),
    said("configurable"),
  ].join(", ");
  return `symbol-keyed field \`${key}\` (${kind}) defined in ${where}: \`${text}\``;
}

/** A note `symbolDefinitionNote` made: its key and kind, the same for the same property. */
export const SYMBOL_DEFINITION_NOTE = /^symbol-keyed field `([^`]+)` \(([^)]*)\) defined in /;

/** What two releases' notes must share to define the same property: key and kind. */
export function definedSymbol(note: string): string | undefined {
  const match = SYMBOL_DEFINITION_NOTE.exec(note);
  return match === null ? undefined : `${match[1]} (${match[2]})`;
}
