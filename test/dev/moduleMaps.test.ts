/**
 * A class that keeps state for its objects in a map of its module, keyed by
 * the object (`listeners.get(this)`, as emittery does). A reload under
 * `metamorph dev` evaluates the new class in the module's own scope, so the
 * map is the same one and the objects keep that state; the library refuses
 * such an update only when the new class comes from another evaluation of
 * the module (test/migration/stateOutside.test.ts).
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  ANSWER_STDIN,
  ask,
  CLI,
  editFile,
  type Running,
  run,
  stopAndRemoveAfter,
  tempProject,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const EMITTER = `const listeners = new WeakMap<object, string[]>();

export class Emitter {
  constructor() {
    listeners.set(this, []);
  }
  on(name: string): void {
    listeners.get(this)!.push(name);
  }
  describe(): string {
    return "listening to " + listeners.get(this)!.join(", ");
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Emitter } from "./emitter.js";

const emitter = new Emitter();
emitter.on("tick");
Object.assign(globalThis, { emitter });
${ANSWER_STDIN}
console.log("ready");
`;

test("a reload of a class keeping its objects' state in a module map keeps that state", async () => {
  dir = tempProject("module-maps", { "emitter.ts": EMITTER, "main.ts": MAIN });
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  const running = program;
  await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  expect(await ask(running, "emitter.describe()")).toBe("listening to tick");
  const from = running.stderr.all.length;
  editFile(join(dir, "emitter.ts"), (t) => t.replace('"listening to "', '"hears "'));
  await running.stderr.waitFor(/emitter\.ts: updated Emitter/, { from, timeoutMs: 20_000 });
  expect(await ask(running, "emitter.describe()")).toBe("hears tick");
  expect(await ask(running, 'emitter.on("tock"), emitter.describe()')).toBe("hears tick, tock");
}, 60_000);
