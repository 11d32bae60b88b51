// OperationJson said that addMethod's and replaceMethod's `method` was
// `{ source }` (a method definition has a `source`, so the type mapped it as
// a patch function), while Patch.toJSON writes the whole definition: key,
// kind, static and source. A user's typed code could not read `method.key`
// without a cast. The type now drops the live function only where JSON does,
// and the JSON written is held to it here.
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { patch } from "../../src/index.js";
import { REPO } from "../dev/support.js";

test("typed code reads a method operation's definition whole, and a patch function's source alone", () => {
  const file = join(REPO, "test/patch/fixtures/operationJsonTypes.ts");
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

test("what toJSON writes is what the type says: method definitions whole, functions as { source }", () => {
  const json = patch("p")
    .addMethods("C", {
      area() {
        return 1;
      },
    })
    .replaceMethods("C", {
      get size() {
        return 2;
      },
    })
    .addField("C", "f", { initial: () => 3 })
    .migrate("C", () => {})
    .build()
    .toJSON();
  const [added, replaced, field, migrator] = json.operations;
  expect(added).toEqual({
    op: "addMethod",
    className: "C",
    method: {
      key: "area",
      kind: "method",
      static: false,
      source: expect.stringMatching(/^area\(\)/),
    },
  });
  expect(replaced).toMatchObject({
    op: "replaceMethod",
    method: { key: "size", kind: "get", static: false },
  });
  expect(field?.op === "addField" && Object.keys(field.initial ?? {})).toEqual(["source"]);
  expect(migrator?.op === "migrator" && Object.keys(migrator.migrator)).toEqual(["source"]);
});
