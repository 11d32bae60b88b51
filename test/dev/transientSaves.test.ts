/**
 * Saves that must not restart a running program (review of `metamorph dev`
 * sessions, M3 and M6), under the supervisor (restarts on):
 * - a file briefly empty (`: > cart.ts`, then the new text) restarted the
 *   program, its state lost ("class Cart was removed"): an empty or vanished
 *   file is now a save in progress, and the next real content applies;
 * - a top-level edit of main.ts while cart.ts was refused with a syntax
 *   error restarted the program into "could not start": the restart now
 *   waits, saying so, until cart.ts loads, and happens then.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  saveAndWait,
  stopAndRemoveAfter,
  tempProject,
  writeAtomically,
} from "./support.js";

let dir: string;
let program: Running;

const CART = `export class Cart {
  items = 0;
  add() { return ++this.items; }
}
`;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

describe("metamorph dev: transient saves and postponed restarts", () => {
  beforeAll(async () => {
    dir = tempProject("transient-saves", {
      "cart.ts": CART,
      "main.ts": `import { createInterface } from "node:readline";
import { Cart } from "./cart.js";
const cart = new Cart();
cart.add(); cart.add();
Object.assign(globalThis, { cart });
${ANSWER_STDIN}
console.log("ready");
`,
    });
    program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  }, 40_000);

  test("M3: an empty, then a vanished file waits; the next content applies, state kept", async () => {
    const cart = join(dir, "cart.ts");
    let from = program.stderr.all.length;
    writeFileSync(cart, "");
    await program.stderr.waitFor(/cart\.ts is empty: waiting/, { from });
    writeAtomically(cart, CART.replace("add() {", "size() { return this.items; }\n  add() {"));
    await program.stderr.waitFor(/cart\.ts: updated Cart \(\+size\(\)\)/, { from });
    from = program.stderr.all.length;
    rmSync(cart);
    await program.stderr.waitFor(
      /cart\.ts is missing: the running version is kept until it is saved again/,
      { from },
    );
    writeAtomically(cart, CART.replace("add() {", "size() { return this.items * 10; }\n  add() {"));
    await program.stderr.waitFor(/cart\.ts: updated Cart \(~size\(\)\)/, { from });
    expect(await ask(program, "[cart.add(), cart.size()]")).toEqual([3, 30]);
    expect(program.stderr.all.join("\n")).not.toMatch(/restarting/);
  }, 30_000);

  test("M6: a restart waits while another file is refused with a syntax error, and happens once it loads", async () => {
    await saveAndWait(
      program,
      join(dir, "cart.ts"),
      (t) => t.replace("return ++this.items;", "return ++this.items +;"),
      /cart\.ts: the running version is kept/,
    );
    const waiting = await saveAndWait(
      program,
      join(dir, "main.ts"),
      (t) => t.replace(`console.log("ready");`, `console.log("ready");\nconsole.log("v2");`),
      /main\.ts needs a restart/,
    );
    expect(waiting.at(-1)).toMatch(
      /main\.ts needs a restart \(.+\); waiting until cart\.ts loads, which a start would fail on: cart\.ts:4:\d+: SyntaxError: Unexpected ";"$/,
    );
    expect(await ask(program, "cart.items")).toBe(3);
    const from = program.stderr.all.length;
    const stdoutFrom = program.stdout.all.length;
    editFile(join(dir, "cart.ts"), (t) => t.replace("++this.items +;", "++this.items;"));
    await program.stderr.waitFor(/restarting: main\.ts: /, { from });
    await program.stdout.waitFor(/^v2$/, { from: stdoutFrom, timeoutMs: 30_000 });
    expect(program.stderr.all.slice(from).join("\n")).not.toMatch(/could not start/);
  }, 60_000);
});
