/**
 * `metamorph dev` on a class with a decorated static method
 * (experimentalDecorators): the call after the class, `__decorateClass(
 * [logged], Factory, "make", 1)` from tsx or `__decorate([logged], Factory,
 * "make", null)` from tsc, runs on the class handle, reads the static's
 * descriptor and defines it again with the decorator's `value`. The
 * handle's statics were accessors, the define threw "Cannot both specify
 * accessors and a value", and the program did not start. Now it starts,
 * and each edit of the method's body runs the new body, still wrapped by
 * the decorator (the call runs again over the method the update installs).
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

const factory = (body: string) => `export const calls: string[] = [];
function logged(target: any, key: string, desc: PropertyDescriptor) {
  const f = desc.value;
  desc.value = function (this: unknown, ...a: unknown[]) {
    calls.push(key);
    return f.apply(this, a);
  };
  return desc;
}
export class Factory {
  static made = 0;
  label = "";
  @logged
  static make(label: string): Factory {
    ${body}
  }
}
`;

const V1 = `this.made++; const f = new this(); f.label = "v1:" + label; return f;`;
const V2 = `this.made++; const f = new this(); f.label = "v2:" + label; return f;`;
const V3 = `this.made += 10; const f = new this(); f.label = "v3:" + label; return f;`;

const MAIN = `import { createInterface } from "node:readline";
import { calls, Factory } from "./factory.js";
Object.assign(globalThis, { calls, Factory });
${ANSWER_STDIN}
console.log("ready");
`;

const PROBE = `[Factory.make("a").label, Factory.made, calls.splice(0)]`;

describe.each([
  ["tsx", "ts", (source: string) => source],
  [
    "tsc",
    "js",
    (source: string) =>
      ts.transpileModule(source, {
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          experimentalDecorators: true,
        },
      }).outputText,
  ],
] as const)("metamorph dev: a decorated static method compiled by %s", (_, ext, compile) => {
  test("the program starts, and each edit of the method's body runs the new body through the decorator", async () => {
    dir = tempProject("static-decorators", {
      "tsconfig.json": '{ "compilerOptions": { "experimentalDecorators": true } }',
      [`factory.${ext}`]: compile(factory(V1)),
      [`main.${ext}`]: MAIN,
    });
    program = run([...CLI, "dev", "--no-restart", `main.${ext}`], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(program, PROBE)).toEqual(["v1:a", 1, ["make"]]);

    for (const [body, expected] of [
      [V2, ["v2:a", 2, ["make"]]],
      [V3, ["v3:a", 12, ["make"]]],
    ] as const) {
      const from = program.stderr.all.length;
      writeAtomically(join(dir, `factory.${ext}`), compile(factory(body)));
      await program.stderr.waitFor(/updated Factory/, { from, timeoutMs: 20_000 });
      expect(await ask(program, PROBE)).toEqual(expected);
    }
  }, 90_000);
});
