/**
 * Running the member decorators of the classes an update installs again,
 * as afterCommit hooks of its patch: right after the commit, before any of
 * the program's code runs, over the methods the commit put on each stable
 * prototype — so a decorator's wrapper is never missing from a call, and a
 * decorator that throws rolls the update back. Every class the patch gives
 * an implementation counts: those of the saved module (their calls from the
 * saved version, in its scope, ./prepare.ts) and the subclasses in other
 * modules that migrate with a superclass whose fields moved (./plan.ts
 * `migrateSubclasses` installs their running version again: the calls of
 * their module's running version, in its scope).
 */
import { currentVersion, stablePrototype } from "../mop/classHandle.js";
import type { PatchBuilder } from "../patch/builder.js";
import { type MemberDecoration, memberDecorations, methodDecorations } from "./memberDecorators.js";
import type { ModuleGraph, ModuleRecord } from "./moduleGraph.js";
import { parseModule } from "./compile.js";

const EXTRAS = "__metamorph$extras";

/** What the hooks decorate again: by class, the calls (for the engine's warnings to leave out). */
export type Redecorated = ReadonlyMap<string, readonly MemberDecoration[]>;

/**
 * The method decorator calls of `className` in `record`'s running version,
 * as a function in its scope; none when the commit installs the running
 * version over itself (a subclass never reloaded: its first version's
 * prototype is the stable one, decorated in place, and stays so).
 */
function runningCalls(
  record: ModuleRecord,
  className: string,
): { calls: MemberDecoration[]; run: () => void } | undefined {
  const handle = record.classes.get(className)!;
  if (currentVersion(handle).ctor.prototype === stablePrototype(handle)) return undefined;
  // Most modules have none: not parsed again for nothing.
  if (record.js === "" || !/decorate/i.test(record.js)) return undefined;
  const calls = methodDecorations(
    memberDecorations(parseModule(record.js, record.file, record.sourceType)),
    className,
  );
  if (calls.length === 0) return undefined;
  const extras = [...record.extras.keys()];
  const prologue = extras.length > 0 ? `let { ${extras.join(", ")} } = ${EXTRAS};` : "";
  const body = calls.map((c) => c.text).join("\n");
  const make = record.evaluate(
    `(function (${EXTRAS}) { ${prologue}\nreturn () => {\n${body}\n}; })`,
  );
  return { calls, run: (make as (e: object) => () => void)(Object.fromEntries(record.extras)) };
}

/**
 * The builder with a hook per class whose implementation the patch
 * replaces and that has method decorators; `own` are the saved module's,
 * evaluated with it.
 */
export function withDecoratorHooks(
  builder: PatchBuilder,
  graph: ModuleGraph,
  saved: ModuleRecord,
  own: { readonly calls: Redecorated; readonly run: Readonly<Record<string, () => void>> },
): { builder: PatchBuilder; redecorated: Redecorated } {
  const redecorated = new Map<string, readonly MemberDecoration[]>();
  let out = builder;
  const replaced = builder
    .build()
    .operations.flatMap((op) => (op.op === "replaceImplementation" ? [op.className] : []));
  for (const className of new Set(replaced)) {
    let hook: { calls: readonly MemberDecoration[]; run: () => void } | undefined;
    if (saved.classes.has(className)) {
      const run = own.run[className];
      hook = run === undefined ? undefined : { calls: own.calls.get(className) ?? [], run };
    } else {
      const record = graph.files.map((f) => graph.get(f)!).find((r) => r.classes.has(className));
      hook = record === undefined ? undefined : runningCalls(record, className);
    }
    if (hook === undefined) continue;
    redecorated.set(className, hook.calls);
    const run = hook.run;
    out = out.afterCommit(`decorators of ${className}`, () => run());
  }
  return { builder: out, redecorated };
}
