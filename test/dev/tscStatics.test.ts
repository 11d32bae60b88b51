/**
 * `metamorph dev` over JavaScript that tsc compiled for targets below
 * ES2022, where `static nextId = 0` is an assignment after the class
 * (`Counter.nextId = 0;`, or `Object.defineProperty(Counter, …)` with
 * useDefineForClassFields): an edit of the class that gives it a new
 * implementation (a new field) keeps the running counter, as it does for
 * ES2022's class fields. Compiled by the installed `typescript`.
 */
import { join } from "node:path";
import ts from "typescript";
import { afterEach, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
  writeAtomically,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;
stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const counter = (edited: boolean) => `export class Counter {
  static nextId = 0;
  static limit = 10;
  id = Counter.nextId++;
  ${edited ? "shade = 1;" : ""}
  label() { return "${edited ? "b" : "a"}" + this.id; }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Counter } from "./counter.js";
const made = [new Counter(), new Counter(), new Counter()];
Object.assign(globalThis, { Counter, made });
${ANSWER_STDIN}
console.log("ready");
`;

describe.each([
  ["ES2019", ts.ScriptTarget.ES2019, undefined],
  ["ES2021 with useDefineForClassFields", ts.ScriptTarget.ES2021, true],
  ["ES2022", ts.ScriptTarget.ES2022, undefined],
] as const)("metamorph dev, statics compiled for %s", (label, target, useDefine) => {
  const compile = (source: string) =>
    ts.transpileModule(source, {
      compilerOptions: {
        target,
        module: ts.ModuleKind.ESNext,
        ...(useDefine === undefined ? {} : { useDefineForClassFields: useDefine }),
      },
    }).outputText;

  test("an edit giving the class a new implementation keeps the running static counter", async () => {
    dir = tempProject(`tsc-statics-${label.replace(/\W+/g, "-")}`, {
      "counter.js": compile(counter(false)),
      "main.js": MAIN,
    });
    program = run([...CLI, "dev", "main.js"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, "[Counter.nextId, Counter.limit]")).toEqual([3, 10]);
    const from = program.stderr.all.length;
    writeAtomically(join(dir, "counter.js"), compile(counter(true)));
    await program.stderr.waitFor(/updated Counter \(\+shade/, { from, timeoutMs: 20_000 });
    expect(
      await ask(program, "[Counter.nextId, Counter.limit, made[0].label(), new Counter().label()]"),
    ).toEqual([3, 10, "b0", "b3"]);
  }, 60_000);
});
