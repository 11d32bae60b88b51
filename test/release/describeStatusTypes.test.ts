/**
 * `describeStatus(await client.status())`, as production.md §6 has it:
 * it type-checks for a user's strict TypeScript (before, TS2345:
 * 'FinalMessage' is not assignable to 'ReleaseStatus', advZ4), and it
 * describes every answer status gives — a refusal, a process's history, a
 * cluster's workers — instead of reading a cluster's or an error's
 * answer as a history.
 */
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { describeStatus, ReleaseHistory } from "../../src/release/index.js";
import type { FinalMessage } from "../../src/release/index.js";
import { REPO } from "../dev/support.js";

test("the documented describeStatus(await client.status()) type-checks (strict, module node16)", () => {
  const file = join(REPO, "test/release/fixtures/docsStatus.ts");
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
  });
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(errors).toEqual([]);
}, 60_000);

const history = new ReleaseHistory({ namespace: "shop", version: "1.0.0" });
const single = {
  type: "result",
  ok: true,
  command: "status",
  ...history.status(),
} as FinalMessage;

test("a process's answer reads as its history", () => {
  expect(describeStatus(single)).toBe(describeStatus(history.status()));
  expect(describeStatus(single)).toMatch(/^namespace shop: running 1\.0\.0\n/);
});

test("a refusal reads as one", () => {
  const refused: FinalMessage = {
    type: "error",
    command: "status",
    code: "MM_CONTROL_MALFORMED",
    name: "ControlMessageError",
    message: "bad request",
  };
  expect(describeStatus(refused)).toBe("status refused: MM_CONTROL_MALFORMED: bad request");
});

test("a cluster whose workers disagree reads as its workers, not as a history", () => {
  const cluster = {
    type: "result",
    ok: true,
    command: "status",
    agreed: false,
    workers: [
      { pid: 11, type: "result", ok: true, ...history.status() },
      { pid: 12, type: "result", ok: true, version: "2.0.0" },
    ],
  } as FinalMessage;
  const text = describeStatus(cluster);
  expect(text).toContain("cluster: the workers DISAGREE — they run 1.0.0, 2.0.0");
  expect(text).toContain("worker 12: running 2.0.0");
});
