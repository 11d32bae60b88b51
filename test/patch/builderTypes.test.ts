/**
 * The builder's types, compiled from fixtures with the repository's strict
 * settings: each `@ts-expect-error` line must fail to compile (an unused one
 * is itself an error) and every other line must compile, so a fixture with
 * no diagnostics proves both directions.
 */
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { REPO } from "../dev/support.js";

function diagnostics(fixture: string): string[] {
  const file = join(REPO, "test/patch/fixtures", fixture);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    noUncheckedIndexedAccess: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${fixture}:${line + 1}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}

// `twice() { this.increment(); }` was TS2571 (Object is of type 'unknown'):
// `this` had the class's fields, not the literal's own methods.
test("inside replaceMethods/addMethods/addStaticMethods, `this` has the literal's own members", () => {
  expect(diagnostics("builderThisType.ts")).toEqual([]);
}, 60_000);

// patch<World>().migrate(cls, (old, target) => { target.first = old.frist; })
// compiled, and the value was silently replaced by undefined: `old` and
// `target` were Record<string, unknown> whatever the schema said.
test("with a schema, a migrator's old and target and an initialiser's old are the class's fields; without, any", () => {
  expect(diagnostics("builderOldTarget.ts")).toEqual([]);
}, 60_000);
