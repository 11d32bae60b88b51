/**
 * Issue 15, item 3 in the browser: an edit of a class whose `async` method
 * is suspended at an `await` waits for it (new calls held), then renames —
 * the write after the `await` lands on the renamed field instead of a stray
 * own `total`. Headless Chromium on a copy of examples/vite-todo with an
 * account added; the page runtime's logic in detail is ./vitePageInFlight.test.ts.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vite from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { metamorph } from "../../src/dev/vite.js";
import { openPage, type OpenPage } from "../package/vitePage.js";
import { copyExample, editFile, removeDir } from "./support.js";

interface PageStatus {
  readonly updates: number;
  readonly failures: number;
  readonly last: string;
}

describe("metamorph/vite: an edit with a call in flight", () => {
  let dir: string | undefined;
  let opened: OpenPage | undefined;

  beforeAll(async () => {
    dir = copyExample("vite-todo");
    writeFileSync(
      join(dir, "account.ts"),
      [
        "export class Account {",
        "  total = 100;",
        "  async work(gate: Promise<void>): Promise<void> {",
        "    const before = this.total;",
        "    await gate;",
        "    this.total = before + 1;",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "account.migrations.ts"),
      'export const renames = { Account: { sum: "total" } };\n',
    );
    appendFileSync(
      join(dir, "main.ts"),
      [
        'import { Account } from "./account.js";',
        "let open = () => {};",
        "const gate = new Promise<void>((resolve) => (open = resolve));",
        "Object.assign(globalThis, { account: new Account(), gate, open: () => open() });",
        "",
      ].join("\n"),
    );
    opened = await openPage(vite, dir, { configFile: false, plugins: [metamorph()] });
  }, 60_000);

  afterAll(async () => {
    await opened?.close();
    if (dir) removeDir(dir);
  });

  test("the edit waits for the call, says so, then renames: no stray field", async () => {
    const page = opened!.page;
    const status = () =>
      page.evaluate(() => (globalThis as unknown as { __metamorph: PageStatus }).__metamorph);
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        account: { work(g: Promise<void>): Promise<void> };
        gate: Promise<void>;
        done: boolean;
      };
      g.done = false;
      void g.account.work(g.gate).then(() => {
        g.done = true;
      });
    });
    editFile(join(dir!, "account.ts"), (t) => t.replaceAll("total", "sum"));
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { __metamorph: PageStatus }).__metamorph.last.includes(
          "waiting for",
        ),
      null,
      { timeout: 20_000 },
    );
    expect((await status()).last).toBe(
      "/account.ts: waiting for 1 call in flight (Account.work()); new calls are held",
    );
    expect(
      await page.evaluate(() => JSON.stringify((globalThis as { account?: object }).account)),
    ).toBe('{"total":100}');
    await page.evaluate(() => (globalThis as unknown as { open(): void }).open());
    await page.waitForFunction(
      () => (globalThis as unknown as { __metamorph: PageStatus }).__metamorph.updates >= 1,
      null,
      { timeout: 20_000 },
    );
    const after = await status();
    expect(after.failures).toBe(0);
    expect(after.last).toMatch(/^\/account\.ts: updated Account \(total→sum/);
    expect(
      await page.evaluate(() => {
        const g = globalThis as { account?: object; done?: boolean };
        return { account: JSON.stringify(g.account), done: g.done };
      }),
    ).toEqual({ account: '{"sum":101}', done: true });
  }, 60_000);
});
