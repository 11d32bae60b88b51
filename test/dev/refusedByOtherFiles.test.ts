/**
 * Saves refused because of another file, retried when that file is saved
 * (review of `metamorph dev` sessions, H1, M1, L2):
 * - a save importing a new file with a syntax error stayed refused with the
 *   same stale error until a restart, even once that file was fixed and
 *   saved again: Node's loader keeps a module that failed to load, and
 *   nothing retried the importer;
 * - a save importing a name another file's refused save adds
 *   (`no export named speedOf`) stayed on its old version once that file
 *   was fixed; the fix said "no class or function changed (back to the
 *   running version)" although it added a function, as did a save adding one;
 * - a field moved up to a superclass while a subclass of another file still
 *   declares it said "save again to retry", which cannot work (it now
 *   applies at once).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  editFile,
  type Running,
  saveAndWait,
  startDev,
  stopAndRemoveAfter,
  writeAtomically,
} from "./support.js";

let dir: string;
let program: Running;

const files = {
  "owned.ts": `export class Owned {
  whose() { return "o"; }
}
`,
  "cart.ts": `import { Owned } from "./owned.js";
export class Cart extends Owned {
  describe() { return "c"; }
}
`,
  "vec.ts": `export class Vec {
  x = 2;
  len() { return this.x; }
}
`,
  "actors.ts": `import { Vec } from "./vec.js";
export class Actor {
  v = new Vec();
  speed() { return this.v.len(); }
}
`,
  "entity.ts": `export class Entity {
  x = 0;
}
`,
  "player.ts": `import { Entity } from "./entity.js";
export class Player extends Entity {
  ticks = 3;
}
`,
  "main.ts": `import { createInterface } from "node:readline";
import { Cart } from "./cart.js";
import { Actor } from "./actors.js";
import { Player } from "./player.js";
const cart = new Cart();
const actor = new Actor();
const player = new Player();
Object.assign(globalThis, { cart, actor, player });
${ANSWER_STDIN}
console.log("ready");
`,
};

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

describe("metamorph dev: saves refused because of another file", () => {
  beforeAll(async () => {
    ({ dir, program } = await startDev("refused-by-others", files));
  }, 30_000);

  test("H1: a new import of a file with an error applies once that file is fixed", async () => {
    writeAtomically(
      join(dir, "tracked.ts"),
      `import { Owned } from "./owned.js";
export class Tracked extends Owned {
  seen = 0;
  touch() { return ++this.seen +; }
}
`,
    );
    const refused = await saveAndWait(
      program,
      join(dir, "cart.ts"),
      (t) =>
        t
          .replace(`import { Owned } from "./owned.js";`, `import { Tracked } from "./tracked.js";`)
          .replace("extends Owned", "extends Tracked"),
      /cart\.ts: the running version is kept/,
    );
    expect(refused.join("\n")).toMatch(/error: [\s\S]*tracked\.ts:4:\d+: ERROR: Unexpected ";"/);
    expect(refused.at(-1)).toMatch(
      /it is tried again when tracked\.ts is saved \(or save cart\.ts again\)$/,
    );
    const fixed = await saveAndWait(
      program,
      join(dir, "tracked.ts"),
      (t) => t.replace("++this.seen +;", "++this.seen;"),
      /cart\.ts: updated Cart/,
    );
    expect(fixed.join("\n")).toMatch(
      /cart\.ts: updated Cart \(extends Owned→Tracked\) .*\| fixed$/m,
    );
    expect(
      await ask(program, "[cart.touch(), cart.touch(), cart.whose(), cart.describe()]"),
    ).toEqual([1, 2, "o", "c"]);
    // Saving again imports the module that loaded, not the one that failed.
    await saveAndWait(
      program,
      join(dir, "cart.ts"),
      (t) => t.replace(`return "c";`, `return "c" + this.touch();`),
      /cart\.ts: updated Cart \(~describe\(\)\)/,
    );
    expect(await ask(program, "cart.describe()")).toBe("c3");
  }, 30_000);

  test("M1: a new function is named; a save refused for want of it applies once it is there", async () => {
    const added = await saveAndWait(
      program,
      join(dir, "vec.ts"),
      (t) => `${t}export function speedOf3(v: Vec) { return v.x * 3; }\n`,
      /vec\.ts: /,
    );
    expect(added[0]).toMatch(/vec\.ts: updated function speedOf3 \(new\) \| 0 instances migrated/);
    await saveAndWait(
      program,
      join(dir, "vec.ts"),
      (t) => `${t}export function speedOf(v: Vec) { return v.x * 2 +; }\n`,
      /vec\.ts: the running version is kept; save again to retry/,
    );
    const waiting = await saveAndWait(
      program,
      join(dir, "actors.ts"),
      (t) =>
        t
          .replace(`import { Vec } from "./vec.js";`, `import { speedOf, Vec } from "./vec.js";`)
          .replace("return this.v.len();", "return speedOf(this.v);"),
      /actors\.ts: the running version is kept/,
    );
    expect(waiting.join("\n")).toMatch(
      /actors\.ts:1: error: SyntaxError: module \.\/vec\.js has no export named speedOf/,
    );
    expect(waiting.at(-1)).toMatch(/tried again when vec\.ts is saved/);
    const fixed = await saveAndWait(
      program,
      join(dir, "vec.ts"),
      (t) => t.replace("v.x * 2 +;", "v.x * 2;"),
      /actors\.ts: updated/,
    );
    expect(fixed.join("\n")).toMatch(/vec\.ts: updated function speedOf \(new\) \| .*\| fixed$/m);
    expect(fixed.join("\n")).not.toMatch(/back to the running version/);
    expect(fixed.join("\n")).toMatch(/actors\.ts: updated Actor \(~speed\(\)\) .*\| fixed$/m);
    expect(await ask(program, "actor.speed()")).toBe(4);
  }, 30_000);

  test("L2: a field moved up while a subclass of another file still declares it applies at the first save, the objects' value kept", async () => {
    // Refused before (duplicate-field, "save again to retry"); a field a
    // subclass declares again over its superclass's is one property, the
    // superclass's (test/migration/fieldMovedBack.test.ts).
    const applied = await saveAndWait(
      program,
      join(dir, "entity.ts"),
      (t) => t.replace("x = 0;", "x = 0;\n  ticks = 1;"),
      /entity\.ts: /,
    );
    expect(applied.at(-1)).toMatch(/entity\.ts: updated Entity \(\+ticks\)/);
    expect(await ask(program, "[player.x, player.ticks]")).toEqual([0, 3]);
    editFile(join(dir, "player.ts"), (t) => t.replace("  ticks = 3;\n", ""));
    await program.stderr.waitFor(/player\.ts: /);
    expect(await ask(program, "[player.x, player.ticks]")).toEqual([0, 3]);
  }, 30_000);
});
