/**
 * A class whose static initialisers construct it (`static DEFAULT = new
 * Config()`, an enum-like `static RED = new Color(…)`) runs under `metamorph
 * dev` as under tsx — the rewrite `let X = class {…}` left X in its temporal
 * dead zone while they ran, and the program died at start-up with a
 * ReferenceError — and an edit of the class migrates the objects they made,
 * which exist before the class's handle does; the statics whose initialiser
 * did not change keep their running values (the objects, a counter).
 */
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  tempProject,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterEach, () => ({ program, dir }));

const COLOR = `export class Color {
  static picked = 0;
  static RED = new Color("red");
  static GREEN = new Color("green");
  static ALL = [Color.RED, Color.GREEN, new Color("blue")];
  constructor(public name: string) {}
  label() {
    return this.name;
  }
  pick() {
    Color.picked++;
    return this;
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Color } from "./color.js";
const mine = new Color("mine");
Object.assign(globalThis, { Color, mine });
${ANSWER_STDIN}
console.log("ready");
`;

describe("metamorph dev: classes that construct themselves in static initialisers", () => {
  test("the program starts, and an edit migrates the objects the static initialisers made", async () => {
    dir = tempProject("statics", { "color.ts": COLOR, "main.ts": MAIN });
    program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(
      await ask(program, "[Color.RED.label(), Color.ALL[2].label(), Color.RED instanceof Color]"),
    ).toEqual(["red", "blue", true]);
    const from = program.stderr.all.length;
    editFile(join(dir, "color.ts"), (t) =>
      t
        .replace(
          "constructor(public name: string) {}",
          "shade = 1;\n  constructor(public name: string) {}",
        )
        .replace("return this.name;", 'return this.name + "/" + this.shade;'),
    );
    await program.stderr.waitFor(
      /color\.ts: updated Color \(\+shade, ~label\(\)\) \| \d+ instances migrated/,
      {
        from,
        timeoutMs: 20_000,
      },
    );
    expect(
      await ask(
        program,
        "[...Color.ALL, mine].map((c) => c.label()).concat(String(Color.ALL[0] === Color.RED))",
      ),
    ).toEqual(["red/1", "green/1", "blue/1", "mine/1", "true"]);
  }, 60_000);
});
