/**
 * A runtime error of code just saved (review H3): a cart's `tick()` added by
 * a save calls a method that does not exist, from the program's interval.
 * The session used to end with the program (rc 1, all state gone), though
 * docs/dev.md promises that a bad edit never kills the program. Now, as
 * under nodemon or `tsx watch`, the crash is printed, the supervisor says
 * which update it followed and waits, and the next save starts it again.
 */
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  CLI,
  editFile,
  type Running,
  removeDir,
  run,
  stopAndRemoveAfter,
  tempProject,
} from "../dev/support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const CART = `export class Cart {
  items: string[] = [];
}
`;

const MAIN = `import { Cart } from "./cart.ts";
const carts = new Map([["a", new Cart()]]);
console.log("ready " + process.pid);
setInterval(() => {
  for (const c of carts.values()) (c as { tick?: () => void }).tick?.();
}, 100);
`;

test("a crash after an update waits for a save, naming the update; the save restarts the program", async () => {
  dir = tempProject("crash-after-update", { "main.ts": MAIN, "cart.ts": CART });
  const running = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  program = running;
  const first = await running.stdout.waitFor(/^ready \d+$/, { timeoutMs: 30_000 });

  let from = running.stderr.all.length;
  editFile(join(dir, "cart.ts"), (t) =>
    t.replace(
      "items: string[] = [];",
      "items: string[] = [];\n  tick() { (this as any).stamp(); }",
    ),
  );
  await running.stderr.waitFor(/cart\.ts: updated Cart \(\+tick\(\)\)/, {
    from,
    timeoutMs: 20_000,
  });
  const waiting = await running.stderr.waitFor(/the program exited/, { from, timeoutMs: 20_000 });
  expect(waiting).toMatch(
    /^\[metamorph\] the program exited with code 1 after the update of cart\.ts at \d\d:\d\d:\d\d: waiting for a change to restart \(rs \+ Enter restarts now\)$/,
  );
  // The program's own error was printed, by Node, before that line.
  const before = running.stderr.all.slice(from, running.stderr.all.indexOf(waiting)).join("\n");
  expect(before).toMatch(/TypeError: this\.stamp is not a function/);
  // The session is still there: the supervisor did not exit with its program.
  expect(running.child.exitCode).toBeNull();

  // The fix, saved: the program starts again (a new process).
  from = running.stderr.all.length;
  editFile(join(dir, "cart.ts"), (t) => t.replace("(this as any).stamp();", ""));
  expect(await running.stderr.waitFor(/restarting/, { from, timeoutMs: 20_000 })).toBe(
    "[metamorph] restarting: cart.ts was saved",
  );
  const second = await running.stdout.waitFor(/^ready \d+$/, {
    from: running.stdout.all.indexOf(first) + 1,
    timeoutMs: 30_000,
  });
  expect(second).not.toBe(first);
}, 120_000);

test("a crash with no update before it says so, and rs restarts; a program that finishes ends the command with its code", async () => {
  const crashing = tempProject("crash-no-update", {
    "main.mjs": `console.log("ready " + process.pid);
setTimeout(() => { if (!process.env.DONE) throw new Error("boom"); }, 50);
`,
  });
  const running = run([...CLI, "dev", "main.mjs"], crashing, {}, { stdin: true });
  try {
    await running.stdout.waitFor(/^ready \d+$/, { timeoutMs: 30_000 });
    expect(await running.stderr.waitFor(/the program exited/, { timeoutMs: 20_000 })).toBe(
      "[metamorph] the program exited with code 1: waiting for a change to restart (rs + Enter restarts now)",
    );
    const from = running.stdout.all.length;
    running.send("rs");
    await running.stdout.waitFor(/^ready \d+$/, { from, timeoutMs: 30_000 });
  } finally {
    await running.stop();
  }
  // Code 0 is the program's own end: the command ends with it, as before.
  const finishing = run([...CLI, "dev", "main.mjs"], crashing, { DONE: "1" });
  try {
    const code = await new Promise((resolve) => finishing.child.once("exit", resolve));
    expect(code).toBe(0);
  } finally {
    await finishing.stop();
    removeDir(crashing);
  }
}, 120_000);
