/**
 * Issue 15, item 3: a reload of a class with a call in flight (an `async`
 * method suspended at an `await`) waits for it through the lifecycle's
 * forced quiescence — new calls held, the call drained, then the update —
 * and says what it waited for. Without it, the call resumes after a
 * `total → sum` rename and writes a stray `total`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  CLI,
  editFile,
  removeDir,
  run,
  ANSWER_STDIN,
  ask,
  type Running,
  tempProject,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string | undefined;
let program: Running | undefined;

stopAndRemoveAfter(afterAll, () => ({ program, dir }));

const ACCOUNT = `type Gate = { gate: Promise<void> };

export class Account {
  total = 100;

  async work(): Promise<void> {
    const before = this.total;
    await (globalThis as unknown as Gate).gate;
    this.total = before + 1;
  }
}
`;

const MAIN = `import { createInterface } from "node:readline";
import { Account } from "./account.js";

let open: () => void = () => {};
const gate = new Promise<void>((resolve) => {
  open = resolve;
});
Object.assign(globalThis, { account: new Account(), gate, open });
${ANSWER_STDIN}
console.log("ready");
`;

/**
 * With `account.work()` in flight (awaiting the gate): renames total → sum,
 * checks that the reload waits and says for what, opens the gate, and checks
 * that the write after the await landed on the renamed field.
 */
async function renameWhileWorking(running: Running, dir: string): Promise<void> {
  const from = running.stderr.all.length;
  editFile(join(dir, "account.ts"), (t) => t.replaceAll("total", "sum"));
  const waiting = await running.stderr.waitFor(/waiting for/, { from, timeoutMs: 20_000 });
  expect(waiting).toBe(
    "[metamorph] account.ts: waiting for 1 call in flight (Account.work()); new calls are held",
  );
  expect(await ask(running, 'open(), "opened"')).toBe("opened");
  await running.stderr.waitFor(/account\.ts: updated Account \(total→sum/, {
    from,
    timeoutMs: 20_000,
  });
  expect(await ask(running, "account")).toEqual({ sum: 101 });
}

test("a reload waits for the call in flight, then renames: no stray field", async () => {
  dir = tempProject("inflight", { "account.ts": ACCOUNT, "main.ts": MAIN });
  writeFileSync(
    join(dir, "account.migrations.ts"),
    'export const renames = { Account: { sum: "total" } };\n',
  );
  program = run([...CLI, "dev", "main.ts"], dir, {}, { stdin: true });
  const running = program;
  await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
  expect(await ask(running, 'void account.work(), "working"')).toBe("working");

  await renameWhileWorking(running, dir);
}, 60_000);

test("an async method added by a reload is waited for too (only async methods are tracked)", async () => {
  const dir2 = mkdtempSync(join(tmpdir(), "metamorph-inflight-added-"));
  const SYNC_ONLY = `type Gate = { gate: Promise<void> };

export class Account {
  total = 100;

  read(): number {
    return this.total;
  }
}
`;
  writeFileSync(join(dir2, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir2, "account.ts"), SYNC_ONLY);
  writeFileSync(join(dir2, "main.ts"), MAIN);
  writeFileSync(
    join(dir2, "account.migrations.ts"),
    'export const renames = { Account: { sum: "total" } };\n',
  );
  const running = run([...CLI, "dev", "main.ts"], dir2, {}, { stdin: true });
  try {
    await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    const from = running.stderr.all.length;
    editFile(join(dir2, "account.ts"), (t) =>
      t.replace(
        "  read(): number {",
        `  async work(): Promise<void> {
    const before = this.total;
    await (globalThis as unknown as Gate).gate;
    this.total = before + 1;
  }

  read(): number {`,
      ),
    );
    await running.stderr.waitFor(/updated Account \(\+work\(\)\)/, { from, timeoutMs: 20_000 });
    expect(await ask(running, 'void account.work(), "working"')).toBe("working");

    await renameWhileWorking(running, dir2);
  } finally {
    await running.stop();
    removeDir(dir2);
  }
}, 60_000);

test("a call in flight that awaits another async method of its class passes the hold (async context): the reload applies once it ends", async () => {
  const NESTED = `type Gate = { gate: Promise<void> };

export class Account {
  total = 100;

  async work(): Promise<void> {
    await (globalThis as unknown as Gate).gate;
    this.total = await this.next();
  }

  async next(): Promise<number> {
    return this.total + 1;
  }
}
`;
  const dir4 = tempProject("inflight-nested", { "account.ts": NESTED, "main.ts": MAIN });
  writeFileSync(
    join(dir4, "account.migrations.ts"),
    'export const renames = { Account: { sum: "total" } };\n',
  );
  const running = run([...CLI, "dev", "--no-restart", "main.ts"], dir4, {}, { stdin: true });
  try {
    await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(running, 'void account.work(), "working"')).toBe("working");
    // Once opened, work() calls next(), which the hold would queue behind work() itself without the async context.
    await renameWhileWorking(running, dir4);
  } finally {
    await running.stop();
    removeDir(dir4);
  }
}, 60_000);

test("a call in flight that does not finish within --quiescence-timeout: the reload gives up, says what it waited for, changes nothing, and lets the held calls run", async () => {
  const dir3 = tempProject("inflight-timeout", { "account.ts": ACCOUNT, "main.ts": MAIN });
  writeFileSync(
    join(dir3, "account.migrations.ts"),
    'export const renames = { Account: { sum: "total" } };\n',
  );
  const running = run(
    [...CLI, "dev", "--no-restart", "--quiescence-timeout", "400", "main.ts"],
    dir3,
    {},
    { stdin: true },
  );
  try {
    await running.stdout.waitFor(/^ready$/, { timeoutMs: 30_000, what: "the program to start" });
    expect(await ask(running, 'void account.work(), "working"')).toBe("working");
    const from = running.stderr.all.length;
    editFile(join(dir3, "account.ts"), (t) => t.replaceAll("total", "sum"));
    await running.stderr.waitFor(/waiting for 1 call in flight \(Account\.work\(\)\)/, {
      from,
      timeoutMs: 20_000,
    });
    // A new call while the reload waits is held, not run on either version yet.
    const second = 'void account.work().then(() => { globalThis.secondDone = true; }), "held"';
    expect(await ask(running, second)).toBe("held");
    const gaveUp = await running.stderr.waitFor(/did not return within/, {
      from,
      timeoutMs: 20_000,
    });
    // Which class, which call, since when (review advZ26 L5; test/dev/neverEndingCall.test.ts).
    expect(gaveUp).toMatch(
      /Account \(total→sum, ~work\(\)\) changes the objects of a call in flight, Account\.work\(\) \(async, started at \d\d:\d\d:\d\d, \d+\.\d s ago\), which did not return within 400 ms/,
    );
    // Not "save again to retry": a call that never returns fails every retry the same way (review advY5 H3).
    expect(await running.stderr.waitFor(/account\.ts: the running version is kept/, { from })).toBe(
      "[metamorph] account.ts: the running version is kept; let Account.work() return (a loop: have it stop on a flag), then save account.ts again — or restart the program (rs and Enter) to apply this edit; a save that also changes other classes or functions of account.ts applies those at once",
    );
    expect(await ask(running, "account")).toEqual({ total: 100 });
    expect(await ask(running, "globalThis.secondDone ?? false")).toBe(false);
    expect(await ask(running, 'open(), "opened"')).toBe("opened");
    expect(await ask(running, "globalThis.secondDone")).toBe(true);
    // Both calls ran the running version: one write each to `total`, nothing renamed.
    expect(await ask(running, "account")).toEqual({ total: 101 });
    expect(running.stderr.all.slice(from).some((l) => /updated Account/.test(l))).toBe(false);
  } finally {
    await running.stop();
    removeDir(dir3);
  }
}, 60_000);
