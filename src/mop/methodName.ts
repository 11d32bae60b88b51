/**
 * The name a method's source text gives it (`total() { … }`, `async *each()`,
 * `get size()`, `"odd name"()`): a method reused from another object under
 * another key (`addMethods("Account", { grandTotal: reports.total })`)
 * prints its own name, and the class body compiled from it would define
 * that method instead — replacing `total` on every object, adding no
 * `grandTotal`.
 */
const HEAD =
  /^(\s*(?:static(?:\s+|(?=\*)))?(?:async(?:\s+|(?=\*)))?(?:\*\s*)?(?:(?:get|set)\s+(?=[^\s(]))?)/;
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*/u;
const QUOTED = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/;

/** Where the source names its method, and the name (null when computed: `[Symbol.iterator]`). */
export function methodNameIn(
  source: string,
): { readonly start: number; readonly end: number; readonly name: string | null } | undefined {
  const start = HEAD.exec(source)![1]!.length;
  const rest = source.slice(start);
  const identifier = IDENTIFIER.exec(rest);
  // `get()` / `set()` / `async()` are methods named so: the head took no name.
  if (identifier) return { start, end: start + identifier[0].length, name: identifier[0] };
  const quoted = QUOTED.exec(rest);
  if (quoted) {
    try {
      return {
        start,
        end: start + quoted[0].length,
        name: JSON.parse(quoted[0].replace(/^'|'$/g, '"')),
      };
    } catch {
      return undefined;
    }
  }
  if (!rest.startsWith("[")) return undefined;
  const end = closingBracket(rest);
  return end < 0 ? undefined : { start, end: start + end, name: null };
}

/** The index just past the `]` closing the `[` that `text` starts with, or -1. */
function closingBracket(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "[" || c === "(" || c === "{") depth++;
    else if ((c === "]" || c === ")" || c === "}") && --depth === 0) return i + 1;
  }
  return -1;
}

/** `source` naming its method `key` (a string key; a computed name is replaced too), or unchanged where it does. */
export function namedAs(source: string, key: string): string {
  // A function expression, an arrow function or a class is no method: the patch's checks say so.
  if (/^\s*(?:async\s+)?function\b|^\s*class\b|=>/.test(source.slice(0, source.indexOf("{") >>> 0)))
    return source;
  const found = methodNameIn(source);
  if (found === undefined || found.name === key) return source;
  const text = IDENTIFIER.test(key) && IDENTIFIER.exec(key)![0] === key ? key : JSON.stringify(key);
  return source.slice(0, found.start) + text + source.slice(found.end);
}
