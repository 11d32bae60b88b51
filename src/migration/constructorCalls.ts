/**
 * Fields a constructor gives a value and then changes through a method it
 * calls (croner 10: `this.year = Array(1e4).fill(0)`, then `this.parse()`
 * sets its bits) or a write of its own (keyv 5.2: the class field
 * `_useKeyPrefix = true`, then `this._useKeyPrefix = this.opts.useKeyPrefix`
 * when given). A migration can compute the initialiser, not the rest:
 * such a new field gets the bare initial value on every migrated object,
 * where a fresh one has what the method made of it.
 */
import type { MethodDefinition } from "../mop/classDefinition.js";
import { readConstructorExpressions } from "../mop/source/parse.js";
import { readableClassSource } from "../mop/source/readableSource.js";

const CALL_ON_THIS = /\bthis\s*\.\s*([\p{ID_Start}$_][\p{ID_Continue}$]*)\s*\(/gu;

/** The methods `text` calls on `this` (`this.parse()`), in order. */
export function methodsCalledOnThis(text: string): string[] {
  return [...text.matchAll(CALL_ON_THIS)].map((m) => m[1]!);
}

const escaped = (name: string) => name.replace(/[$]/g, "\\$");

/** An operator that assigns: `=`, and the compound ones (`+=`, `??=`), not a comparison. */
const ASSIGN = "(?:[-+*/%&|^]|\\*\\*|<<|>>>?|&&|\\|\\||\\?\\?)?=(?![=>])";
const MUTATORS = "push|pop|shift|unshift|splice|fill|sort|reverse|set|add|delete|clear|copyWithin";

/**
 * Writes to `this.field`: assignments (compound ones and `++`/`--`
 * included) and writes through it (`this.year[i] = 1`, `this.list.push(x)`).
 * Reading it is no change: keyv 5.2's `generateIterator()` reads
 * `this._useKeyPrefix` in the generator it returns, and was said to change it.
 */
function writesTo(field: string): RegExp {
  const f = `\\bthis\\s*\\.\\s*${escaped(field)}(?![\\w$])`;
  return new RegExp(
    [
      `${f}\\s*(?:${ASSIGN}|\\+\\+|--)`,
      `(?:\\+\\+|--)\\s*${f}`,
      `${f}\\s*(?:\\[[^\\]]*\\]|\\.\\s*[\\w$]+)\\s*${ASSIGN}`,
      `${f}\\s*\\.\\s*(?:${MUTATORS})\\s*\\(`,
    ].join("|"),
    "g",
  );
}

const spaced = (text: string) => text.replace(/\s+/g, " ").trim();

/** The constructor's expressions as the parser reads them; undefined where there is no parser (the Vite page) or they do not parse. */
function parsedConstructor(source: string): ((offset: number) => string | undefined) | undefined {
  try {
    return readConstructorExpressions(source);
  } catch {
    return undefined; // the page's stand-in for the parse module: the text alone then
  }
}

/** The write to `this.field` at `offset` of the constructor's `source`, as written. */
function writeText(
  source: string,
  offset: number,
  parsed: ReturnType<typeof parsedConstructor>,
): string {
  return spaced(parsed?.(offset) ?? source.slice(offset, offset + 200).split(/;|\n\s*\n/)[0]!);
}

/**
 * The constructor's own write to `field` where it is not the initialiser
 * itself (`this._useKeyPrefix = this.opts.useKeyPrefix`, conditional, over
 * the class field's `= true`), as written; undefined where there is none.
 */
function constructorWrite(
  source: string,
  field: string,
  initializer: string,
  parsed: ReturnType<typeof parsedConstructor>,
): string | undefined {
  for (const m of source.matchAll(writesTo(field))) {
    const statement = writeText(source, m.index, parsed);
    const plain = new RegExp(`^this\\s*\\.\\s*${escaped(field)}\\s*=(?![=>])\\s*([^]*)$`).exec(
      statement,
    );
    if (plain !== null && spaced(plain[1]!) === spaced(initializer)) continue;
    return statement;
  }
  return undefined;
}

/**
 * For each of `fields` (with their initialisers), why the constructor of
 * `implementation` may leave it other than its initialiser gives it: a
 * write of its own, or the first of `methods` it calls on `this` that
 * writes the field.
 */
export function fieldsChangedByConstructor(
  implementation: Function | undefined,
  methods: readonly MethodDefinition[],
  fields: readonly { readonly name: string; readonly initializer: string }[],
): Map<string, string> {
  const changed = new Map<string, string>();
  const source = readableClassSource(implementation)?.constructorSource;
  if (!source || fields.length === 0) return changed;
  const called = new Set(methodsCalledOnThis(source));
  const bodies = methods.filter(
    (m) => !m.static && m.kind === "method" && typeof m.key === "string" && called.has(m.key),
  );
  const parsed = parsedConstructor(source);
  for (const { name, initializer } of fields) {
    const own = constructorWrite(source, name, initializer, parsed);
    if (own !== undefined) {
      changed.set(
        name,
        `that the constructor then may change (\`${own}\`), which a migration does not run`,
      );
      continue;
    }
    const method = bodies.find((m) => writesTo(name).test(m.source));
    if (method !== undefined)
      changed.set(
        name,
        `that the constructor then changes by calling ${String(method.key)}(), which a migration does not call`,
      );
  }
  return changed;
}
