/**
 * The dev server's part of keeping a module's top-level code from running
 * again on the page (review advY5 C1; modules without classes too, review
 * advZ16 1): Vite re-evaluates an edited
 * module as a new module instance, so its bootstrap code (`new App().mount()`,
 * listeners, timers, `customElements.define`) ran once per save — the app
 * duplicated, its state replaced, or the edit failing outright. Each
 * top-level statement that is not an import, a class or a function is handed
 * to the page with a hash of its text; the page (./vitePageTopLevel.ts)
 * compares them with the running version's and skips the unchanged ones,
 * the way `metamorph dev` re-runs nothing but changed statements in Node
 * (./changedStatements.ts). A declaration is handed over with the module
 * variables it uses, so that one made from a changed one is made again.
 */
import type { Expression, ModuleDeclaration, Pattern, Statement, VariableDeclaration } from "acorn";
import {
  contentHash,
  moduleBody,
  type ParsedModule,
  patternNames,
  type TopLevel,
} from "./compile.js";
import { decoratedClasses } from "../mop/source/decorators.js";
import { codeReferences } from "./scopeReferences.js";
import type { Edit, Origin } from "./sourceMap.js";
import type { GuardedStatement } from "./vitePageTopLevel.js";

/** Whether evaluating an initialiser again can do nothing but make an equal value. */
function inert(node: Expression | null | undefined): boolean {
  if (!node) return true;
  switch (node.type) {
    case "Literal":
    case "Identifier":
    case "ArrowFunctionExpression":
    case "FunctionExpression":
      return true;
    case "TemplateLiteral":
      return node.expressions.every(inert);
    case "ArrayExpression":
      return node.elements.every(
        (e) => e === null || (e.type === "SpreadElement" ? inert(e.argument) : inert(e)),
      );
    case "ObjectExpression":
      return node.properties.every((p) =>
        p.type === "SpreadElement"
          ? inert(p.argument)
          : (!p.computed || inert(p.key as Expression)) && inert(p.value as Expression),
      );
    case "UnaryExpression":
      return node.operator !== "delete" && inert(node.argument);
    case "BinaryExpression":
    case "LogicalExpression":
      return inert(node.left as Expression) && inert(node.right);
    case "ConditionalExpression":
      return inert(node.test) && inert(node.consequent) && inert(node.alternate);
    case "MemberExpression":
      return (
        inert(node.object as Expression) && (!node.computed || inert(node.property as Expression))
      );
    default:
      return false;
  }
}

/**
 * Whether an initialiser makes a function: made again by each version, as a
 * `function` declaration is, so that it reads the variables the version's
 * other code reads (kept, it went on with the running version's).
 */
function made(node: Expression | null | undefined): boolean {
  return node?.type === "ArrowFunctionExpression" || node?.type === "FunctionExpression";
}

/** The statement a top-level statement declares, `export` looked through. */
function inner(statement: Statement | ModuleDeclaration): Statement | ModuleDeclaration {
  if (statement.type === "ExportNamedDeclaration" && statement.declaration) {
    return statement.declaration;
  }
  return statement;
}

/** `export default <expression>` (not a function, a class or a name): a value made at each evaluation. */
function defaultValue(statement: Statement | ModuleDeclaration): Expression | undefined {
  if (statement.type !== "ExportDefaultDeclaration") return undefined;
  const d = statement.declaration;
  const declared = d.type === "FunctionDeclaration" || d.type === "ClassDeclaration";
  return declared || d.type === "Identifier" ? undefined : (d as Expression);
}

/** Statements run as they are on every evaluation: they declare, import or re-export, nothing else. */
function declarative(statement: Statement | ModuleDeclaration): boolean {
  const s = inner(statement);
  if (defaultValue(s) !== undefined) return false;
  return (
    s.type === "ImportDeclaration" ||
    s.type === "ClassDeclaration" ||
    s.type === "FunctionDeclaration" ||
    s.type === "EmptyStatement" ||
    s.type === "ExportAllDeclaration" ||
    s.type === "ExportNamedDeclaration" ||
    s.type === "ExportDefaultDeclaration" ||
    (s.type === "ExpressionStatement" && s.directive !== undefined)
  );
}

/** `let X = class …` (one declarator): how TypeScript's experimentalDecorators compile a decorated class. */
function heldClass(s: Statement | ModuleDeclaration): string | undefined {
  if (s.type !== "VariableDeclaration" || s.declarations.length !== 1) return undefined;
  const [d] = s.declarations;
  return d!.id.type === "Identifier" && d!.init?.type === "ClassExpression"
    ? d!.id.name
    : undefined;
}

/** The class a top-level decorator call decorates (`X = __decorate([…], X)`, `__decorate([…], X.prototype, "m")`). */
function decoratorTarget(parsed: ParsedModule, statement: Statement | ModuleDeclaration) {
  const [target] = decoratedClasses({ ...parsed.program, body: [statement] }).keys();
  return target;
}

/** The module variables, of those `declared`, that a statement reads or writes (shadowing resolved). */
function uses(statement: Statement | ModuleDeclaration, declared: ReadonlySet<string>): string[] {
  const names = codeReferences(statement).free.map((r) => r.name);
  return [...new Set(names.filter((n) => declared.has(n)))];
}

/**
 * The edits that guard a module's top-level statements, the table handed to
 * the page (one entry per guarded statement, by index), and the names of the
 * variables whose running values a later version may take over.
 */
export function guardTopLevel(
  parsed: ParsedModule,
  user: Origin,
  module: string,
): { edits: Edit[]; table: GuardedStatement[]; variables: string[] } {
  const edits: Edit[] = [];
  const table: GuardedStatement[] = [];
  const variables: string[] = [];
  const statements = moduleBody(parsed).statements.filter(
    // Vite clears a module's hot callbacks for each new instance: the module's
    // own `import.meta.hot.accept(…)`/`dispose(…)` must register them again.
    (s) => !declarative(s) && !parsed.js.slice(s.start, s.end).includes("import.meta.hot"),
  );
  const declared = new Set<string>();
  for (const s of statements.map(inner)) {
    if (s.type !== "VariableDeclaration") continue;
    const names: string[] = [];
    for (const d of s.declarations) patternNames(d.id as Pattern, names);
    for (const name of names) declared.add(name);
  }
  const decorated = decoratedClasses(parsed.program);
  for (const statement of statements) {
    const i = table.length;
    const s = inner(statement);
    const line = user(statement.start).line;
    const hash = contentHash(parsed.js.slice(statement.start, statement.end));
    const value = defaultValue(s);
    if (value !== undefined) {
      // Kept like a declaration's (an `export default new Store()` singleton), under the name "default".
      table.push([hash, inert(value) ? "i" : "v", line, ["default"], uses(s, declared)]);
      edits.push(
        {
          start: value.start,
          end: value.start,
          text: `${module}.keep(${i}) ? ${module}.keptValue(${i}, 0) : ${module}.value(${i}, 0, (`,
        },
        { start: value.end, end: value.end, text: "))" },
      );
      continue;
    }
    const held = heldClass(s);
    if (held !== undefined && s.type === "VariableDeclaration") {
      // Left unmanaged on the page: a later version's class gives the running one its methods.
      table.push([hash, "c", line, [held]]);
      variables.push(held);
      const init = s.declarations[0]!.init!;
      edits.push(
        { start: init.start, end: init.start, text: `${module}.held(${JSON.stringify(held)}, ` },
        { start: init.end, end: init.end, text: decorated.has(held) ? ", true)" : ")" },
      );
      continue;
    }
    if (s.type !== "VariableDeclaration") {
      const target = decoratorTarget(parsed, statement);
      table.push(target === undefined ? [hash, "e", line] : [hash, "d", line, [target]]);
      edits.push({
        start: statement.start,
        end: statement.start,
        text: `if (${module}.run(${i})) `,
      });
      continue;
    }
    const names: string[] = [];
    for (const d of s.declarations) patternNames(d.id as Pattern, names);
    variables.push(...names);
    const kind = s.declarations.every((d) => made(d.init))
      ? "f"
      : s.declarations.every((d) => inert(d.init))
        ? "i"
        : "v";
    const read = uses(s, declared).filter((n) => !names.includes(n));
    table.push(read.length > 0 ? [hash, kind, line, names, read] : [hash, kind, line, names]);
    edits.push(...declarationGuards(s, i, module));
  }
  return { edits, table, variables };
}

/** The edits that make each declarator of a guarded declaration take its running value when it is kept. */
function declarationGuards(s: VariableDeclaration, i: number, module: string): Edit[] {
  const edits: Edit[] = [];
  s.declarations.forEach((d, j) => {
    const named = d.id.type === "Identifier";
    const kept =
      d.id.type === "Identifier"
        ? `${module}.kept(${JSON.stringify(d.id.name)})`
        : `${module}.keptValue(${i}, ${j})`;
    if (d.init) {
      // A pattern's values are recorded (`value`), for the next version to take over.
      const open = named ? "(" : `${module}.value(${i}, ${j}, (`;
      edits.push(
        {
          start: d.init.start,
          end: d.init.start,
          text: `${module}.keep(${i}) ? ${kept} : ${open}`,
        },
        { start: d.init.end, end: d.init.end, text: named ? ")" : "))" },
      );
    } else {
      edits.push({
        start: d.id.end,
        end: d.id.end,
        text: ` = ${module}.keep(${i}) ? ${kept} : undefined`,
      });
    }
  });
  return edits;
}

/**
 * The edits that make each static initialiser of the module's classes run
 * only when the running version does not have it (the page's `same`, see
 * ./vitePageTopLevel.ts): an unchanged one keeps its running value anyway.
 */
export function guardStatics(top: TopLevel, js: string, module: string): Edit[] {
  const edits: Edit[] = [];
  for (const [name, cls] of top.classes) {
    for (const member of cls.node.body.body) {
      if (member.type !== "PropertyDefinition" || !member.static || member.computed) continue;
      const key = member.key.type === "Identifier" ? member.key.name : undefined;
      if (!member.value || key === undefined) continue;
      const hash = contentHash(js.slice(member.value.start, member.value.end));
      const text = `${module}.same(${JSON.stringify(`${name}.${key}`)}, "${hash}") ? 0 : `;
      edits.push({ start: member.value.start, end: member.value.start, text });
    }
  }
  return edits;
}
