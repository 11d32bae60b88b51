/**
 * MM_STALE_FUNCTION_FIELD for functions a class's methods write into its
 * objects, which the source reader learns as no field: lru-cache 7.10's
 * constructor calls `initializeSizeTracking()`, which stores
 * `this.addItemSize = (index, v, k, size) => …` on each size-bounded cache;
 * 7.18 calls `this.addItemSize(index, size, status)`. Applied, every cache
 * made before the update kept the 7.10 function, read its arguments the old
 * way and stopped enforcing maxSize (calculatedSize NaN), and only the
 * generic MM_UNSEEN_STATE said anything.
 */
import type { AnyNode } from "acorn";
import type { ClassDefinition } from "../mop/classDefinition.js";
import { constructorOfDefinition } from "../mop/classHandle.js";
import { forEachChild, parseJavaScript } from "../mop/source/parser.js";
import { isThis, literalKey, skipOuterExpressions } from "../mop/source/syntax.js";
import { type BuildResult, type ClassBuild, definitionChain, hasMigrator } from "./build.js";
import { releaseChains } from "./releaseChains.js";
import type { UpdateWarning } from "./warning.js";
import { quoted, warning } from "./warning.js";

/** What a class's code writes into `this` by name: each function written in place (text without whitespace), and where. */
interface MadeFunctions {
  /** Names assigned a function written in place, with each such function's text (whitespace removed) and the method it is in. */
  readonly functions: ReadonlyMap<
    string,
    readonly { readonly text: string; readonly in: string }[]
  >;
  /** Every name the code assigns on `this`, a function or not. */
  readonly assigned: ReadonlySet<string>;
}

const compact = (text: string) => text.replace(/\s+/g, "");

const cache = new WeakMap<Function, MadeFunctions>();

/** What the instance code of `cls` alone (not its superclasses) writes into `this`; nothing where it does not parse as a class. */
function madeFunctions(cls: Function): MadeFunctions {
  const cached = cache.get(cls);
  if (cached !== undefined) return cached;
  const made: MadeFunctions = { functions: new Map(), assigned: new Set() };
  const text = `(${Function.prototype.toString.call(cls)}\n)`;
  const parsed = parseJavaScript(text, "script");
  const statement = parsed.ok ? parsed.program.body[0] : undefined;
  const node =
    statement?.type === "ExpressionStatement"
      ? skipOuterExpressions(statement.expression)
      : undefined;
  if (node?.type === "ClassExpression") {
    for (const member of node.body.body) {
      if (member.type !== "MethodDefinition" || member.static) continue;
      const name = member.key.type === "Identifier" ? member.key.name : String(member.kind);
      visit(member.value.body, name, text, made);
    }
  }
  cache.set(cls, made);
  return made;
}

/** Assignments `this.name = …` in `node`, not inside a nested `function` or class (another `this`). */
function visit(node: AnyNode, method: string, text: string, made: MadeFunctions): void {
  if (
    node.type === "FunctionExpression" ||
    node.type === "FunctionDeclaration" ||
    node.type === "ClassExpression" ||
    node.type === "ClassDeclaration"
  )
    return;
  if (node.type === "AssignmentExpression" && node.operator === "=") {
    const target = skipOuterExpressions(node.left);
    if (target.type === "MemberExpression" && isThis(target.object)) {
      const name = target.computed
        ? literalKey(skipOuterExpressions(target.property))
        : target.property.type === "Identifier"
          ? target.property.name
          : undefined;
      if (name !== undefined) record(name, skipOuterExpressions(node.right), method, text, made);
    }
  }
  forEachChild(node, (child) => visit(child, method, text, made));
}

function record(
  name: string,
  value: AnyNode,
  method: string,
  text: string,
  made: MadeFunctions,
): void {
  (made.assigned as Set<string>).add(name);
  if (value.type !== "ArrowFunctionExpression" && value.type !== "FunctionExpression") return;
  const functions = made.functions as Map<string, { text: string; in: string }[]>;
  const list = functions.get(name) ?? [];
  list.push({ text: compact(text.slice(value.start, value.end)), in: method });
  functions.set(name, list);
}

/** What the classes of a chain write into `this` (a base release's code writes into its subclasses' objects too). */
function chainMade(chain: readonly Function[]): MadeFunctions {
  const functions = new Map<string, { text: string; in: string }[]>();
  const assigned = new Set<string>();
  for (const c of chain) {
    const made = madeFunctions(c);
    for (const [name, list] of made.functions)
      functions.set(name, [...(functions.get(name) ?? []), ...list]);
    for (const name of made.assigned) assigned.add(name);
  }
  return { functions, assigned };
}

/**
 * Functions the running release's methods (and constructor, out of the
 * reader's sight) wrote into the objects, where the new release writes
 * something else under that name: the objects keep the old function, which
 * the new code calls with its own arguments. With objects at hand, only the
 * names one of them holds such a function under (a cache made without
 * maxSize has none); without, every such name, as what the objects may
 * hold. Learned fields are MM_STALE_FUNCTION_FIELD's own (staleFunctionFields.ts).
 * One warning for the class, naming them all.
 */
export function staleMethodFunctions(
  className: string,
  cls: ClassBuild,
  build: BuildResult,
  old: ClassDefinition | undefined,
  objects: readonly object[] | undefined,
  oldDefs: ReadonlyMap<string, ClassDefinition>,
): UpdateWarning[] {
  const running = old && constructorOfDefinition(old);
  const implementation = cls.implementation;
  if (running === undefined || implementation === undefined || running === implementation)
    return [];
  if (hasMigrator(className, build) || objects?.length === 0) return [];
  let before: MadeFunctions;
  let now: MadeFunctions;
  try {
    const chains = releaseChains(className, build, oldDefs);
    [before, now] = [chainMade(chains.before), chainMade(chains.now)];
  } catch {
    return []; // no parser here (the Vite page)
  }
  const learned = new Set([
    ...old!.fields.map((f) => f.name),
    ...definitionChain(className, build).flatMap((d) => d.fields.map((f) => f.name)),
  ]);
  const stale: { name: string; in: string }[] = [];
  for (const [name, made] of before.functions) {
    if (learned.has(name) || !now.assigned.has(name)) continue;
    const newTexts = new Set(now.functions.get(name)?.map((f) => f.text));
    const held = objects === undefined ? made : made.filter((f) => holds(objects, name, f.text));
    const changed = held.find((f) => !newTexts.has(f.text));
    if (changed !== undefined) stale.push({ name, in: changed.in });
  }
  if (stale.length === 0) return [];
  const methods = [...new Set(stale.map((s) => s.in))].map((m) =>
    m === "constructor" ? m : `${m}()`,
  );
  const names = quoted(stale.map((s) => s.name));
  return [
    warning(
      "MM_STALE_FUNCTION_FIELD",
      className,
      undefined,
      `${objects === undefined ? "the objects may hold" : "the objects hold"} functions the running version's ${methods.join(", ")} wrote into them (${names}), which the new version writes differently`,
      "existing objects keep those functions, the old code, which the new code calls with its own arguments; fresh ones get the new — roll this update back and restart, or make the live objects set them again in an afterCommit hook (ctx.instancesOf) where the new code allows it (a migrator sees a copy of the object, not the object the functions must close over)",
    ),
  ];
}

/** Whether one of `objects` holds, as its own value under `name`, a function whose text is `text`. */
function holds(objects: readonly object[], name: string, text: string): boolean {
  return objects.some((o) => {
    const d = Object.getOwnPropertyDescriptor(o, name);
    return (
      d !== undefined &&
      "value" in d &&
      typeof d.value === "function" &&
      compact(Function.prototype.toString.call(d.value)) === text
    );
  });
}
