/**
 * Whether a migrator can hold its `target` beyond its own run. A migrator
 * runs first on a shadow copy (validations and the other migrators read
 * it), and what it leaves there is what the commit installs: a value that
 * holds the copy itself — htmlparser2 9's `entityDecoder`, the natural
 * migrator building it as the new constructor does,
 * `new EntityDecoder(tree, (cp, n) => target.emitCodePoint(cp, n))` — gave
 * the live object a callback writing into the discarded copy, and the live
 * tokenizer turned "Tom &amp; Jerry" into "&Tom &amp; Jerry" (parse5 7.2's:
 * it never stopped). Such a migrator is run again on the live object at its
 * rewrite (targetReplay.ts).
 *
 * Read from the source text, without a parser (the update engine is loaded
 * into pages, which carry none), as thisCapture.ts reads `this`: the target
 * parameter, by the name the migrator gives it (or a plain alias of it,
 * `const t = target`, which TypeScript's `target as Foo` leaves), other
 * than as the object of a member access (`target.x = …`, `target.x`,
 * `target[k]`, `target.m()`) — passed to a call or `new`, returned, stored,
 * spread — or named inside a nested function, arrow, method or class (a
 * closure over it). What reads or writes the object and keeps nothing
 * does not count: `Object.assign(target, …)` and the like, `typeof`,
 * `instanceof`, `in`, `void`, a comparison, `new WeakRef(target)`. The
 * test is conservative: the name in a string or a comment, or shadowed by
 * an inner parameter, counts too (and `function` or `=>` in a string
 * before it) — such a migrator then runs once more than it needs to. A
 * destructured target parameter cannot hold the object; a rest parameter,
 * or `arguments`, is taken to.
 *
 * Not seen: a method called on the target that keeps `this` itself
 * (`target.init()` building the closure). A method call is a member access
 * here: `target.label = target.format()` is common, and such a migrator
 * keeps running once per object (what it does besides, a count, happens
 * once); a method that keeps `this` leaves the copy in the live object.
 */
import { closing as closingBracket } from "../patch/checks/functionSource.js";
import type { Migrator } from "../patch/operations.js";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;
const SINGLE_PARAMETER_ARROW = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/;
/**
 * Where a nested function can begin: an arrow, `function`, `class`, or a
 * method or accessor of an object literal (`name(…) {`, `[key](…) {`) —
 * not a statement's head (`if (…) {`).
 */
const NESTED =
  /=>|\bfunction\b|\bclass\b|(?:(?<![\w$])(?!(?:if|for|while|switch|catch|with)\b)[\w$]+|\])\s*\([^()]*\)\s*\{/;
/** A member access right after the name. */
const MEMBER = /^\s*(?:\?\.|\.|\[)/;
/** A call whose first argument the object may be, which reads or writes it and keeps nothing (a weak reference keeps nothing alive). */
const REFLECTIVE =
  /(?:\bObject\s*\.\s*(?:assign|defineProperty|defineProperties|keys|values|entries|getOwnPropertyNames|getOwnPropertyDescriptors?|getPrototypeOf|hasOwn|isExtensible|isFrozen|isSealed)|\bReflect\s*\.\s*(?:set|get|has|defineProperty|deleteProperty|ownKeys|getOwnPropertyDescriptor|getPrototypeOf|isExtensible)|\bnew\s+WeakRef)\s*\(\s*$/;
/** Its first argument ends right after the name. */
const FIRST_ARGUMENT_ENDS = /^\s*[,)]/;
/** A test of the object before the name (`typeof`, `in`, a comparison), or `void`. */
const TESTED_BEFORE = /(?:\btypeof|\bin|\bvoid|[!=]==?)\s*$/;
/** A test of the object after the name: `instanceof`, a comparison. */
const TESTED_AFTER = /^\s*(?:instanceof\b|[!=]==?)/;
/** A plain alias declared with the name as its whole value: `const t = target;`. */
const ALIAS_BEFORE = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*$/;
const ALIAS_AFTER = /^\s*(?:[;,\n]|$)/;

const escaped = (name: string) => name.replace(/\$/g, "\\$");

/** A function's parameters (their text, split at top-level commas) and its body's text; undefined if unreadable. */
function partsOf(source: string): { params: string[]; body: string; arrow: boolean } | undefined {
  const text = source.trim();
  if (NATIVE.test(text)) return undefined;
  const single = SINGLE_PARAMETER_ARROW.exec(text);
  if (single) return { params: [single[1]!], body: text.slice(single[0].length), arrow: true };
  const open = text.indexOf("(");
  if (open < 0) return undefined;
  const params: string[] = [];
  let depth = 0;
  let start = open + 1;
  let quote = "";
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth > 0) continue;
      params.push(text.slice(start, i));
      const rest = text.slice(i + 1);
      const arrow = /^\s*=>/.exec(rest);
      return { params, body: arrow ? rest.slice(arrow[0].length) : rest, arrow: arrow !== null };
    } else if (c === "," && depth === 1) {
      params.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return undefined;
}

/** The position right after the bracket that closes the one at `open`, skipping strings; the text's end if none. */
function closing(text: string, open: number): number {
  const end = closingBracket(text, open);
  return end < 0 ? text.length : end;
}

/** Where an arrow's expression body starting at `from` ends: a `,` or `;` at its level, or the bracket around it. */
function expressionEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "(" || c === "[" || c === "{" || c === '"' || c === "'" || c === "`") {
      i = (c === "(" || c === "[" || c === "{" ? closing(text, i) : stringEnd(text, i)) - 1;
    } else if (c === ")" || c === "]" || c === "}" || c === "," || c === ";") return i;
  }
  return text.length;
}

function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === text[open]) return i + 1;
  }
  return text.length;
}

/** The spans of `body` inside nested functions, methods and classes: `[start, end)` pairs. */
function nestedSpans(body: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const match of body.matchAll(new RegExp(NESTED.source, "g"))) {
    const at = match.index;
    if (spans.some(([s, e]) => at >= s && at < e)) continue;
    if (match[0] === "=>") {
      const start = at + 2 + (/^\s*/.exec(body.slice(at + 2))?.[0].length ?? 0);
      const end = body[start] === "{" ? closing(body, start) : expressionEnd(body, start);
      spans.push([at, end]);
    } else {
      const brace = body.indexOf("{", at);
      spans.push([at, brace < 0 ? body.length : closing(body, brace)]);
    }
  }
  return spans;
}

/**
 * Whether `body` uses `name` other than as the object of a member access
 * (see the top of this file), following plain aliases `depth` deep.
 */
function usedBeyondMembers(body: string, name: string, depth = 3): boolean {
  // Not a member's name (`.target`), but spread (`...target`) counts.
  const occurrence = new RegExp(`(?<![\\w$])(?<!(?<!\\.\\.)\\.)${escaped(name)}(?![\\w$])`, "g");
  const nested = nestedSpans(body);
  for (const match of body.matchAll(occurrence)) {
    const at = match.index;
    if (nested.some(([s, e]) => at >= s && at < e)) return true;
    const before = body.slice(0, at);
    const after = body.slice(at + name.length);
    if (MEMBER.test(after)) continue;
    if (REFLECTIVE.test(before) && FIRST_ARGUMENT_ENDS.test(after)) continue;
    if (TESTED_BEFORE.test(before) || TESTED_AFTER.test(after)) continue;
    const alias = ALIAS_BEFORE.exec(before)?.[1];
    if (alias !== undefined && alias !== name && ALIAS_AFTER.test(after) && depth > 0) {
      if (usedBeyondMembers(body.slice(at), alias, depth - 1)) return true;
      continue;
    }
    return true;
  }
  return false;
}

/** Whether a migrator with this source can hold its target (its second parameter) beyond its run. */
export function capturesTarget(source: string): boolean {
  const parts = partsOf(source);
  if (parts === undefined) return true;
  const { params, body, arrow } = parts;
  const first = params[0]?.trim() ?? "";
  if (first.startsWith("...")) return true;
  const second = params[1]?.trim() ?? "";
  if (second === "") return !arrow && /\barguments\b/.test(body);
  if (second.startsWith("{") || second.startsWith("[")) return false;
  if (second.startsWith("...")) return true;
  const name = second.split("=")[0]!.trim();
  return !IDENTIFIER.test(name) || usedBeyondMembers(body, name);
}

const capturing = new WeakMap<Function, boolean>();
const firstOf = new WeakMap<readonly Migrator[], number>();

/**
 * The position in `migrators` (a plan's, run in order) of the first that
 * can hold its target, or -1: it and those after it run again on the live
 * object (targetReplay.ts). Read once per list.
 */
export function firstCapturing(migrators: readonly Migrator[]): number {
  const known = firstOf.get(migrators);
  if (known !== undefined) return known;
  const at = migrators.findIndex((m) => {
    let captures = capturing.get(m);
    if (captures === undefined) {
      captures = capturesTarget(Function.prototype.toString.call(m));
      capturing.set(m, captures);
    }
    return captures;
  });
  firstOf.set(migrators, at);
  return at;
}
