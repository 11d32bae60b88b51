// ns.classNamed() and isClassHandle() gave the abstract Constructor type, so
// `new (ns.classNamed<Bank>("Bank"))()` did not compile (TS2511, "cannot
// create an instance of an abstract class") though it runs, and
// docs/testing.md's workload needed a double cast (review advZ9).
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { REPO } from "../dev/support.js";

test("a handle out of classNamed or isClassHandle compiles as a class the program can new", () => {
  const file = join(REPO, "test/namespace/fixtures/classNamedTypes.ts");
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
  });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(errors).toEqual([]);
}, 60_000);
