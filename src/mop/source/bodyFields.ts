/**
 * The fields a constructor or static block creates, in order: only top-level
 * statements count as unconditional; writes inside conditionals, loops and
 * callbacks are reported, not learned.
 */
import type ts from "typescript";
import type { TypeScript } from "./parser.js";
import { containsReturn, dependsOnScope } from "./scope.js";
import type { Source } from "./syntax.js";
import type { Write } from "./thisWrites.js";
import { collectWrites, scanWrites } from "./thisWrites.js";

function describeStatement(t: TypeScript, statement: ts.Statement): string {
  if (t.isIfStatement(statement) || t.isSwitchStatement(statement)) return "conditionally";
  if (t.isIterationStatement(statement, false)) return "in a loop";
  if (t.isTryStatement(statement)) return "in a try statement";
  return "in a nested function or expression";
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
  readonly scope: ReadonlySet<string>;
  readonly notes: Notes;
  readonly onPrivate: (text: string) => void;
}

/**
 * Learns the fields a constructor or static block writes, in order: only
 * top-level statements count as unconditional; writes inside conditionals,
 * loops and callbacks are reported, not learned.
 */
export function analyseBody(context: BodyContext, statements: readonly ts.Statement[]): void {
  const { src, fields, notes, what, where } = context;
  const { t } = src;
  const introduced = new Set<string>();
  const pending = new Map<string, string>();
  const apply = (write: Write): void => {
    switch (write.type) {
      case "field": {
        if (pending.has(write.name)) {
          notes.add(
            `${what} \`${write.name}\` is also assigned ${pending.get(write.name)} earlier in ${where}; its position in the field order may vary`,
          );
          pending.delete(write.name);
        }
        if (!fields.has(write.name)) introduced.add(write.name);
        const value = write.value;
        // A field declared earlier is created before the constructor runs, so
        // its initialiser cannot rely on `this` the way the constructor does.
        const known =
          value !== undefined &&
          !dependsOnScope(t, value, context.scope, introduced.has(write.name));
        fields.set(write.name, known ? value.getText(src.file) : undefined);
        return;
      }
      case "private":
        context.onPrivate(write.text);
        return;
      case "opaque":
        notes.add(`${where} creates properties that cannot be named statically: \`${write.text}\``);
        return;
      case "ignored":
        return;
    }
  };
  const conditional =
    (how: string) =>
    (write: Write): void => {
      if (write.type === "field") {
        if (!fields.has(write.name) && !pending.has(write.name)) pending.set(write.name, how);
      } else {
        apply(write);
      }
    };
  let stopped = false;
  const run = (list: readonly ts.Statement[]): void => {
    for (const statement of list) {
      if (stopped) return;
      if (t.isExpressionStatement(statement)) {
        const writes: Write[] = [];
        const rest: ts.Node[] = [];
        collectWrites(src, statement.expression, writes, rest);
        for (const write of writes) apply(write);
        for (const node of rest)
          scanWrites(src, node, conditional("in a nested function or expression"));
      } else if (t.isBlock(statement)) {
        run(statement.statements);
      } else if (t.isReturnStatement(statement)) {
        if (statement.expression !== undefined) {
          scanWrites(src, statement.expression, conditional("in a nested function or expression"));
          notes.add(`${where} returns another object; the instance's fields may not be these`);
        }
        stopped = true;
      } else {
        scanWrites(src, statement, conditional(describeStatement(t, statement)));
        if (containsReturn(t, statement)) {
          notes.add(
            `${where} may return early; fields assigned after that return are not always set`,
          );
        }
      }
    }
  };
  run(statements);
  for (const [name, how] of pending) {
    notes.add(`${what} \`${name}\` is assigned only ${how} in ${where}; not learned`);
  }
}
