/**
 * The fields a constructor or static block creates, in order: only top-level
 * statements count as unconditional; writes inside conditionals, loops and
 * callbacks are reported, not learned.
 */
import type { AnyNode, Statement } from "acorn";
import { containsReturn, dependsOnScope, readsModuleScope } from "./scope.js";
import { symbolDefinitionNote } from "./symbolDefinitions.js";
import type { Source } from "./syntax.js";
import { textOf } from "./syntax.js";
import type { Write } from "./thisWrites.js";
import { collectWrites, scanWrites } from "./thisWrites.js";

const NESTED = "in a nested function or expression";

function describeStatement(statement: AnyNode): string {
  switch (statement.type) {
    case "IfStatement":
    case "SwitchStatement":
      return "conditionally";
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement":
    case "WhileStatement":
    case "DoWhileStatement":
      return "in a loop";
    case "TryStatement":
      return "in a try statement";
    default:
      return NESTED;
  }
}

export class Notes {
  private readonly seen = new Set<string>();
  readonly list: string[] = [];
  add(note: string): void {
    if (this.seen.has(note)) return;
    this.seen.add(note);
    this.list.push(note);
  }
}

export interface BodyContext {
  readonly src: Source;
  /** "the constructor" or "a static block", for notes. */
  readonly where: string;
  /** "field" or "static field", for notes. */
  readonly what: string;
  readonly fields: Map<string, string | undefined>;
  /** Of `fields`, those only assigned (`this.x = …`), never defined: a setter of the class would take them. */
  readonly assigned?: Set<string>;
  /** Of `fields`, those whose initialiser reads the module's scope (scope.ts, readsModuleScope). */
  readonly moduleBound?: Set<string>;
  /** Of `fields`, those defined non-configurable (thisWrites.ts). */
  readonly fixed?: Set<string>;
  /** Of `fields`, those given a function written in place (`function …`, an arrow), with its text. */
  readonly functions?: Map<string, string>;
  /** The class's instance methods and accessors: a minified helper's write of such a name is not read as a field. */
  readonly methods?: ReadonlySet<string>;
  readonly scope: ReadonlySet<string>;
  /** The constructor's parameters whose default stands for them (parameterDefaults.ts). */
  readonly defaults?: ReadonlyMap<string, AnyNode>;
  readonly notes: Notes;
  readonly onPrivate: (text: string) => void;
}

/** One pass over a body: the writes seen so far. */
interface BodyState {
  readonly context: BodyContext;
  /** Fields this body creates (not declared before it runs). */
  readonly introduced: Set<string>;
  /** Fields written only conditionally so far, with how. */
  readonly pending: Map<string, string>;
  stopped: boolean;
}

/** An unconditional write: the first fixes the position, the last the value. */
function apply(state: BodyState, write: Write): void {
  const { context, pending, introduced } = state;
  const { fields, notes, what, where } = context;
  switch (write.type) {
    case "field": {
      // A field would shadow the method: more likely a listener (`on(this, "close", fn)`).
      if (write.minified !== undefined && context.methods?.has(write.name)) {
        apply(state, { type: "opaque", text: write.minified });
        return;
      }
      if (pending.has(write.name)) {
        notes.add(
          `${what} \`${write.name}\` is also assigned ${pending.get(write.name)} earlier in ${where}; its position in the field order may vary`,
        );
        pending.delete(write.name);
      }
      if (!fields.has(write.name)) {
        introduced.add(write.name);
        if (write.assigned) context.assigned?.add(write.name);
      } else if (!write.assigned) context.assigned?.delete(write.name);
      const value =
        write.value?.type === "Identifier"
          ? (context.defaults?.get(write.value.name) ?? write.value)
          : write.value;
      // A field declared earlier is created before the constructor runs, so
      // its initialiser cannot rely on `this` the way the constructor does.
      const known =
        value !== undefined && !dependsOnScope(value, context.scope, introduced.has(write.name));
      fields.set(write.name, known ? textOf(context.src, value) : undefined);
      // Also when it reads the constructor's scope (htmlparser2 9's
      // `new EntityDecoder(xmlMode ? … : …)`): no value, and none that can
      // be computed outside the module either.
      if (value !== undefined && readsModuleScope(value, context.scope))
        context.moduleBound?.add(write.name);
      else context.moduleBound?.delete(write.name);
      if (write.fixed) context.fixed?.add(write.name);
      // Also when it closes over the constructor's locals (no initialiser
      // then): each object keeps the function it was made with.
      if (makesFunctionInPlace(value))
        context.functions?.set(write.name, textOf(context.src, value!));
      // `this.f = this.f.bind(this)` after `this.f = function …`: still that function.
      else if (!rebindsItself(value, write.name)) context.functions?.delete(write.name);
      return;
    }
    case "private":
      context.onPrivate(write.text);
      return;
    case "opaque":
      notes.add(
        symbolDefinitionNote(where, write.text) ??
          `${where} creates properties that cannot be named statically: \`${write.text}\``,
      );
      return;
    case "ignored":
      return;
  }
}

/**
 * Whether `value` is a function written in place, or falls back to one
 * (tinybench's `this.setup = opts.setup ?? (() => {})`, `cond ? a : () => …`):
 * an object that got it keeps that function.
 */
function makesFunctionInPlace(value: AnyNode | undefined): boolean {
  if (value === undefined) return false;
  switch (value.type) {
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return true;
    case "LogicalExpression":
      return makesFunctionInPlace(value.right);
    case "ConditionalExpression":
      return makesFunctionInPlace(value.consequent) || makesFunctionInPlace(value.alternate);
    case "ParenthesizedExpression":
      return makesFunctionInPlace(value.expression);
    default:
      return false;
  }
}

/** Whether `value` is `this.<name>.bind(…)`. */
function rebindsItself(value: AnyNode | undefined, name: string): boolean {
  if (value?.type !== "CallExpression") return false;
  const callee = value.callee;
  if (callee.type !== "MemberExpression" || callee.computed) return false;
  const { object, property } = callee;
  return (
    property.type === "Identifier" &&
    property.name === "bind" &&
    object.type === "MemberExpression" &&
    !object.computed &&
    object.object.type === "ThisExpression" &&
    object.property.type === "Identifier" &&
    object.property.name === name
  );
}

function conditional(state: BodyState, how: string): (write: Write) => void {
  return (write) => {
    if (write.type === "field") {
      const { fields } = state.context;
      if (!fields.has(write.name) && !state.pending.has(write.name)) {
        state.pending.set(write.name, how);
      }
    } else {
      apply(state, write);
    }
  };
}

function run(state: BodyState, list: readonly AnyNode[]): void {
  const { src, notes, where } = state.context;
  for (const statement of list) {
    if (state.stopped) return;
    if (statement.type === "ExpressionStatement") {
      const writes: Write[] = [];
      const rest: AnyNode[] = [];
      collectWrites(src, statement.expression, writes, rest);
      for (const write of writes) apply(state, write);
      for (const node of rest) scanWrites(src, node, conditional(state, NESTED));
    } else if (statement.type === "BlockStatement") {
      run(state, statement.body);
    } else if (
      statement.type === "IfStatement" &&
      statement.alternate &&
      !containsReturn(statement)
    ) {
      scanWrites(src, statement.test, conditional(state, NESTED));
      bothBranches(state, statement.consequent, statement.alternate);
    } else if (statement.type === "ReturnStatement") {
      if (statement.argument) {
        scanWrites(src, statement.argument, conditional(state, NESTED));
        notes.add(`${where} returns another object; the instance's fields may not be these`);
      }
      state.stopped = true;
    } else {
      scanWrites(src, statement, conditional(state, describeStatement(statement)));
      if (containsReturn(statement)) {
        notes.add(
          `${where} may return early; fields assigned after that return are not always set`,
        );
      }
    }
  }
}

/** `node`'s statements run on a copy of `state`'s context: what they would learn, nothing of `state` changed. */
function branch(state: BodyState, node: AnyNode): BodyState {
  const { context } = state;
  const copy = <T>(set: Set<T> | undefined) => (set === undefined ? undefined : new Set(set));
  const inBranch: BodyState = {
    context: {
      ...context,
      fields: new Map(context.fields),
      assigned: copy(context.assigned),
      moduleBound: copy(context.moduleBound),
      fixed: copy(context.fixed),
      functions: context.functions && new Map(context.functions),
    },
    introduced: new Set(state.introduced),
    pending: new Map(),
    stopped: false,
  };
  run(inBranch, node.type === "BlockStatement" ? node.body : [node]);
  return inBranch;
}

/** Whether `node` (a statement or a block) ends by throwing: a branch no constructed object leaves. */
function endsInThrow(node: AnyNode): boolean {
  const last = node.type === "BlockStatement" ? node.body[node.body.length - 1] : node;
  return last?.type === "ThrowStatement";
}

/**
 * An if/else: a field both branches create (or the one branch that does not
 * throw), in the same order, is created for every object — learned, with
 * the value both give or none (pg's `if (typeof config === "string") {
 * this.host = … } else { this.host = … }`). The others are conditional.
 */
function bothBranches(state: BodyState, consequent: AnyNode, alternate: AnyNode): void {
  const { context } = state;
  const sides = [consequent, alternate]
    .filter((node) => !endsInThrow(node))
    .map((node) => branch(state, node));
  const created = sides.map((side) =>
    [...side.context.fields.keys()].filter((k) => !context.fields.has(k)),
  );
  const inEvery = (name: string) => created.every((names) => names.includes(name));
  const common = (created[0] ?? []).filter(inEvery);
  const sameOrder = created.every(
    (names) => names.filter(inEvery).join("\0") === common.join("\0"),
  );
  for (const side of sides) {
    for (const [name, how] of side.pending) {
      if (!context.fields.has(name) && !state.pending.has(name)) state.pending.set(name, how);
    }
  }
  for (const names of created) {
    for (const name of names) {
      if ((!sameOrder || !inEvery(name)) && !state.pending.has(name)) {
        state.pending.set(name, "conditionally");
      }
    }
  }
  if (!sameOrder) return;
  for (const name of common) learnFromBranches(state, name, sides);
}

/** `name`, created by every one of `sides`, learned in `state`. */
function learnFromBranches(state: BodyState, name: string, sides: readonly BodyState[]): void {
  const { context, pending } = state;
  if (pending.has(name)) {
    context.notes.add(
      `${context.what} \`${name}\` is also assigned ${pending.get(name)} earlier in ${context.where}; its position in the field order may vary`,
    );
    pending.delete(name);
  }
  const values = new Set(sides.map((side) => side.context.fields.get(name)));
  context.fields.set(name, values.size === 1 ? [...values][0] : undefined);
  state.introduced.add(name);
  const every = (set: (side: BodyContext) => Set<string> | undefined) =>
    sides.every((side) => set(side.context)?.has(name));
  const some = (set: (side: BodyContext) => Set<string> | undefined) =>
    sides.some((side) => set(side.context)?.has(name));
  if (every((c) => c.assigned)) context.assigned?.add(name);
  if (some((c) => c.moduleBound)) context.moduleBound?.add(name);
  if (some((c) => c.fixed)) context.fixed?.add(name);
  // A function written in every branch; one branch's alone is a fallback (as `a ?? () => …`).
  const fns = sides.map((side) => side.context.functions?.get(name));
  if (fns.every((f) => f !== undefined)) context.functions?.set(name, fns[0]!);
}

/** Learns the fields a constructor or static block writes, in order. */
export function analyseBody(context: BodyContext, statements: readonly Statement[]): void {
  const state: BodyState = { context, introduced: new Set(), pending: new Map(), stopped: false };
  run(state, statements);
  for (const [name, how] of state.pending) {
    context.notes.add(
      `${context.what} \`${name}\` is assigned only ${how} in ${context.where}; not learned`,
    );
  }
}
