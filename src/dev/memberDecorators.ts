/**
 * Member decorators of managed classes under TypeScript's
 * experimentalDecorators. tsc, esbuild (so tsx) and swc compile them into
 * calls after the class — `__decorate([logged], Logger.prototype, "log",
 * null)`, `__decorateClass([logged], Logger.prototype, "log", 1)` — which
 * replace the member on the class's prototype: the stable prototype, since
 * the module binding holds the handle by then. A reload installs the saved
 * version's undecorated methods over it, and the call, an unchanged
 * top-level statement, was not run again: the decorator's wrapper was gone
 * with no word (review advZ20 2). The calls of methods and accessors run
 * again after the commit, over the methods it installed (./prepare.ts);
 * those of fields only record metadata about the prototype, which stays,
 * and cannot be undone: a changed one asks for a restart.
 */
import type { AnyNode, Statement } from "acorn";
import { calleeName, literalKey, skipOuterExpressions } from "../mop/source/syntax.js";
import type { UpdateWarning } from "../migration/warning.js";
import type { ClassChangeSummary } from "./common.js";
import { moduleBody, type ParsedModule } from "./compile.js";
import type { MappedCode } from "./scopeCodeMap.js";

const DECORATE = /^(_{1,2}decorate(Class)?|_ts_decorate)$/;

/** One decorator call of a class member, as a top-level statement. */
export interface MemberDecoration {
  readonly className: string;
  /** The key as a message names it (`log`, `[Symbol.iterator]`), `static ` first for a static member. */
  readonly member: string;
  /** The property key when the call names it literally (what the engine's warnings name). */
  readonly key: string | undefined;
  readonly isStatic: boolean;
  /** A method or accessor (its descriptor is replaced), or a field (only recorded about). */
  readonly kind: "method" | "field";
  readonly text: string;
  readonly line: number;
  /** Offset in the JavaScript where the statement ends. */
  readonly end: number;
}

/**
 * Which member kind a call decorates, from its last argument: esbuild's
 * `1` (method, accessor) or `2` (field); tsc's and swc's `null` (method,
 * accessor) or `void 0` (field). Anything else is taken as a field: its
 * call is never run again, and a change of it restarts.
 */
function memberKind(args: readonly AnyNode[]): "method" | "field" {
  if (args.length < 4) return "field";
  const kind = skipOuterExpressions(args[3]!);
  if (kind.type !== "Literal") return "field";
  return kind.value === null || kind.value === 1 ? "method" : "field";
}

function decorationOf(
  parsed: ParsedModule,
  statement: Statement | AnyNode,
): MemberDecoration | undefined {
  if (statement.type !== "ExpressionStatement") return undefined;
  const call = skipOuterExpressions(statement.expression);
  if (call.type !== "CallExpression" || call.arguments.length < 3) return undefined;
  const callee = calleeName(call.callee);
  if (callee === undefined || !DECORATE.test(callee.replace(/^.*\./, ""))) return undefined;
  const target = skipOuterExpressions(call.arguments[1]!);
  const keyNode = call.arguments[2]!;
  if (keyNode.type === "SpreadElement") return undefined;
  let className: string;
  let isStatic: boolean;
  if (target.type === "Identifier") {
    className = target.name;
    isStatic = true;
  } else if (
    target.type === "MemberExpression" &&
    !target.computed &&
    target.object.type === "Identifier" &&
    target.property.type === "Identifier" &&
    target.property.name === "prototype"
  ) {
    className = target.object.name;
    isStatic = false;
  } else {
    return undefined;
  }
  const key = literalKey(keyNode);
  const written = key ?? `[${parsed.js.slice(keyNode.start, keyNode.end)}]`;
  return {
    className,
    member: `${isStatic ? "static " : ""}${written}`,
    key,
    isStatic,
    kind: memberKind(call.arguments),
    text: parsed.js.slice(statement.start, statement.end),
    line: parsed.origin(statement.start).line,
    end: statement.end,
  };
}

/** The member decorator calls among a module's top-level statements, in order. */
export function memberDecorations(parsed: ParsedModule): MemberDecoration[] {
  const out: MemberDecoration[] = [];
  for (const statement of moduleBody(parsed).statements) {
    const decoration = decorationOf(parsed, statement as Statement);
    if (decoration !== undefined) out.push(decoration);
  }
  return out;
}

/** A member's decorator calls in one version, as one text to compare. */
function byMember(decorations: readonly MemberDecoration[], className: string) {
  const out = new Map<string, { kind: "method" | "field"; text: string; line: number }>();
  for (const d of decorations) {
    if (d.className !== className) continue;
    const seen = out.get(d.member);
    out.set(d.member, {
      kind: seen?.kind === "method" ? "method" : d.kind,
      text: seen === undefined ? d.text : `${seen.text}\n${d.text}`,
      line: seen?.line ?? d.line,
    });
  }
  return out;
}

/** The members of a class whose decorator calls a save added, changed or removed. */
export interface DecoratorChange {
  readonly member: string;
  readonly kind: "method" | "field";
  /** The line of the call in the saved version (or of the running version's, when removed). */
  readonly line: number;
}

export function decoratorChanges(
  previous: readonly MemberDecoration[],
  next: readonly MemberDecoration[],
  className: string,
): DecoratorChange[] {
  const before = byMember(previous, className);
  const after = byMember(next, className);
  const changes: DecoratorChange[] = [];
  for (const member of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(member);
    const now = after.get(member);
    if (was?.text === now?.text) continue;
    const kind = was?.kind === "method" || now?.kind === "method" ? "method" : "field";
    changes.push({ member, kind, line: (now ?? was)!.line });
  }
  return changes;
}

/** How the update line names a member whose decorators changed: as a changed method, `log()`. */
export function memberLabel(change: DecoratorChange): string {
  return change.kind === "method" ? `${change.member}()` : change.member;
}

/** The calls to run again after an update installed `className`'s methods: those of methods and accessors. */
export function methodDecorations(
  decorations: readonly MemberDecoration[],
  className: string,
): MemberDecoration[] {
  return decorations.filter((d) => d.className === className && d.kind === "method");
}

/** Appends the calls, each mapped back to the saved JavaScript (a statement per line). */
export function addCalls(code: MappedCode, calls: readonly MemberDecoration[]): MappedCode {
  for (const call of calls) code.addFrom(call.text, call.end).add("\n");
  return code;
}

/**
 * The engine's warnings but those that a program's method was replaced
 * (MM_PROGRAM_METHOD_REPLACED) where the method is a decorator's, which
 * the commit applied again (`redecorated`, by class).
 */
export function withoutRedecorated(
  warnings: readonly UpdateWarning[] | undefined,
  redecorated: ReadonlyMap<string, readonly MemberDecoration[]>,
): UpdateWarning[] {
  return (warnings ?? []).filter(
    (w) =>
      w.code !== "MM_PROGRAM_METHOD_REPLACED" ||
      !(redecorated.get(w.className) ?? []).some(
        (c) => !c.isStatic && c.key !== undefined && keyPath(c.key) === w.field,
      ),
  );
}

/** `log`, `["a b"]`: a key as the engine's warnings write it after the class's `prototype`. */
function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/**
 * The update line names a method whose decorators changed as changed
 * (`~log()`): the version installed is another function, though its body
 * is the same.
 */
export function markDecoratorChanges(
  summaries: ClassChangeSummary[],
  changed: ReadonlyMap<string, readonly string[]>,
): void {
  summaries.forEach((s, i) => {
    const shown = [...s.methodsChanged, ...s.methodsAdded];
    const labels = changed.get(s.className)?.filter((l) => !shown.includes(l)) ?? [];
    if (labels.length > 0)
      summaries[i] = { ...s, methodsChanged: [...s.methodsChanged, ...labels] };
  });
}
