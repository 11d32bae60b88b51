/**
 * What `metamorph dev` says of classes whose compiled form is not what the
 * user wrote (review advZ5 5):
 * - `accessor size = 3` compiles to a private `#size` behind a get/set pair:
 *   an edit was refused for "private # members" the source never declares;
 *   the refusal now names the `accessor` field and what to write instead;
 * - a method decorated with the standard decorators (experimentalDecorators
 *   off) compiles to `const _Plain = class _Plain {…}; let Plain = _Plain`:
 *   the note named esbuild's `_Plain` and blamed experimentalDecorators; it
 *   now names `Plain` and its decorators.
 */
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const main = (name: string) => `import { createInterface } from "node:readline";
import { ${name} } from "./model.js";

const made = new ${name}();
Object.assign(globalThis, { made });
${ANSWER_STDIN}
console.log("ready");
`;

test("an edit of a class with an accessor field is refused naming the accessor field", async () => {
  ({ dir, program } = await startDev("accessor-field", {
    "model.ts": `export class Box {\n  accessor size = 3;\n  area() { return this.size * this.size; }\n}\n`,
    "main.ts": main("Box"),
  }));
  const lines = await saveAndWait(
    program,
    join(dir, "model.ts"),
    (t) => t.replace("this.size * this.size", "this.size * 2"),
    /model\.ts:\d+: error:/,
  );
  expect(lines.join("\n")).toContain(
    "error: MM_DEV_PRIVATE_MEMBERS class Box declares `accessor size`, which compiles to a private # field behind a get/set pair; the methods of a new version could not read the private state of the existing objects, so it cannot be reloaded in place. Restart to apply the change, or drop `accessor` (`size = …` is an ordinary field; TypeScript's `private` is fine)",
  );
  expect(await ask(program, "made.area()")).toBe(9);
}, 60_000);

test("an edit of a class with a method under standard decorators names the class, not esbuild's variable", async () => {
  ({ dir, program } = await startDev("standard-decorators", {
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022" } }),
    "model.ts": `function logged(value: Function, _context: ClassMethodDecoratorContext) { return value; }
export class Plain {
  n = 1;
  @logged inc() { this.n++; return this.n; }
}
`,
    "main.ts": main("Plain"),
  }));
  const lines = await saveAndWait(
    program,
    join(dir, "model.ts"),
    (t) => t.replace("this.n++;", "this.n += 100;"),
    /model\.ts: (note|error)/,
  );
  expect(lines.join("\n")).toContain(
    "model.ts: note: line 2: class Plain is compiled with its decorators into a class held by a module-level variable (`const _Plain = class …`), which metamorph does not manage: its edit applies only by restarting",
  );
  expect(lines.join("\n")).not.toMatch(/experimentalDecorators|class _Plain/);
  expect(await ask(program, "made.inc()")).toBe(2);
}, 60_000);
