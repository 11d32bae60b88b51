/**
 * The code a reload evaluates in its module's scope (./prepare.ts): a
 * function of the extras and the `manage` callback that declares the saved
 * version's new names and returns its changed classes and functions, with
 * setters for the module bindings they replace and, by class, the method
 * decorator calls to run again after the commit (./decoratorHooks.ts). Its
 * pieces of the saved JavaScript keep the way back to it (MappedCode).
 */
import type { Constructor } from "../mop/createClass.js";
import { SourceProblem, type TopLevel } from "./compile.js";
import { addClassesKeepingStatics, KEPT, type StaticsContext } from "./keptStatics.js";
import { addCalls, type MemberDecoration } from "./memberDecorators.js";
import type { ModuleRecord } from "./moduleGraph.js";
import { MappedCode } from "./scopeCodeMap.js";
import type { Changes, Known } from "./versionChanges.js";

export const EXTRAS = "__metamorph$extras";
const MANAGE = "__metamorph$manage";

/** What the code evaluated in the module's scope returns. */
export interface Evaluated {
  extras: Record<string, unknown>;
  classes: Record<string, Constructor>;
  unmanaged: Record<string, Function>;
  unmanagedLive: Record<string, Function>;
  functions: Record<string, unknown>;
  /** By class: its method decorator calls, run again once the update installed its methods. */
  decorate: Record<string, () => void>;
  assign: (f: Record<string, unknown>) => void;
  setExtra: (name: string, value: unknown) => void;
}

/** `let { a, b } = extras;`: the names later versions added, in the scope of the evaluated code. */
export function extrasPrologue(extrasNames: readonly string[]): string {
  return extrasNames.length > 0 ? `let { ${extrasNames.join(", ")} } = ${EXTRAS};` : "";
}

/** The saved version's member decorator calls, and those of methods by known class. */
export interface ReloadDecorations {
  readonly all: readonly MemberDecoration[];
  readonly methods: ReadonlyMap<string, readonly MemberDecoration[]>;
}

/** The method decorator calls of the module's known classes (a new class runs all of its own as it is declared). */
export function decoratedClasses(
  next: TopLevel,
  decorations: readonly MemberDecoration[],
  known: Known,
): Map<string, MemberDecoration[]> {
  const calls = new Map<string, MemberDecoration[]>();
  for (const name of next.classes.keys()) {
    const own = decorations.filter((d) => d.className === name && d.kind === "method");
    if (known(name) && own.length > 0) calls.set(name, own);
  }
  return calls;
}

/**
 * Declares the saved version's new names (new classes managed, and
 * decorated as the module does at start-up); returns them, and those a
 * later save may assign (setExtra): functions, `let` and `var`.
 */
function addDeclarations(
  code: MappedCode,
  jsTop: TopLevel,
  known: Known,
  warnings: string[],
  decorations: readonly MemberDecoration[],
): { declared: string[]; assignable: string[] } {
  const declared: string[] = [];
  const assignable: string[] = [];
  for (const statement of jsTop.statements) {
    const fresh = statement.names.filter((n) => !known(n));
    if (statement.kind === "import" || statement.kind === "other" || fresh.length === 0) continue;
    if (fresh.length < statement.names.length) {
      warnings.push(
        `line ${statement.line}: ${statement.names.join(", ")} mixes new and existing names; the new ones are not defined until a restart`,
      );
      continue;
    }
    if (statement.kind === "class") {
      const name = statement.names[0]!;
      code.add(`let ${name} = `).addFrom(statement.text, statement.end);
      code.add(`;\n${name} = ${MANAGE}(${JSON.stringify(name)}, ${name});\n`);
      addCalls(
        code,
        decorations.filter((d) => d.className === name),
      );
    } else {
      code.addFrom(statement.text, statement.end).add("\n");
    }
    declared.push(...statement.names);
    const kind =
      statement.kind === "variable"
        ? jsTop.variables.get(statement.names[0]!)?.kind
        : statement.kind;
    if (kind === "function" || kind === "let" || kind === "var")
      assignable.push(...statement.names);
  }
  return { declared, assignable };
}

/** The code evaluated in the module's scope (see above). */
export function scopeCode(
  record: ModuleRecord,
  jsTop: TopLevel,
  changes: Changes,
  extrasNames: readonly string[],
  known: Known,
  warnings: string[],
  /** The saved and the running JavaScript, for the static initialisers that did not change. */
  statics: StaticsContext,
  decorations: ReloadDecorations,
): MappedCode {
  const code = new MappedCode().add(`(function (${EXTRAS}, ${MANAGE}) {\n`);
  code.add(`${extrasPrologue(extrasNames)}\nconst ${KEPT} = true;\n`);
  const { declared, assignable } = addDeclarations(code, jsTop, known, warnings, decorations.all);
  const entries = (names: readonly string[], value: (name: string) => [string, number]) => {
    names.forEach((name, i) => {
      const [text, end] = value(name);
      code.add(`${i > 0 ? ",\n" : ""}${JSON.stringify(name)}: `).addFrom(text, end);
    });
  };
  const classOf = (name: string): [string, number] => {
    const c = jsTop.classes.get(name);
    if (!c) throw new SourceProblem(`class ${name} could not be compiled`, record.file, 1, 1);
    return [c.expression, c.end];
  };
  const functionOf = (name: string): [string, number] => {
    const f = jsTop.functions.get(name)!;
    return [f.text, f.end];
  };
  const assignments = changes.functions.map((name) => `${name} = f[${JSON.stringify(name)}];`);
  const unmanagedLive = changes.unmanaged.map((name) => `${JSON.stringify(name)}: ${name}`);
  const setters = [...extrasNames, ...assignable].map(
    (n) => `case ${JSON.stringify(n)}: ${n} = v; break;`,
  );
  code.add(`return {\nextras: { ${declared.join(", ")} },\nclasses: { `);
  for (const name of changes.classes) classOf(name);
  addClassesKeepingStatics(code, changes.classes, jsTop, statics);
  code.add(" },\nunmanaged: { ");
  entries(changes.unmanaged, classOf);
  code.add(` },\nunmanagedLive: { ${unmanagedLive.join(", ")} },\nfunctions: { `);
  entries(changes.functions, functionOf);
  code.add(
    [
      " },",
      `assign(f) { ${assignments.join(" ")} },`,
      `setExtra(n, v) { switch (n) { ${setters.join(" ")} } },`,
      "decorate: {\n",
    ].join("\n"),
  );
  for (const [name, calls] of decorations.methods) {
    addCalls(code.add(`${JSON.stringify(name)}: () => {\n`), calls).add("},\n");
  }
  return code.add(
    `}\n};\n})\n//# sourceURL=${record.url.split(/[?#]/)[0]}?metamorph-reload=${record.reloads + 1}`,
  );
}
