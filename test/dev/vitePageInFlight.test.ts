/**
 * Issue 15, item 3 on the Vite page: an edit of a class with a call in
 * flight (an `async` method suspended at an `await`) waits for it through
 * forced quiescence — new calls held at entry, the call drained, then the
 * update — as `metamorph dev` does (./inFlight.test.ts). Without it, the call
 * resumes after a `total → sum` rename and writes a stray `total`. Run in
 * Node on the page runtime's sources (the module calls are those the
 * plugin's rewrite makes; ./vite.test.ts runs the same runtime in Chromium).
 */
import { expect, test } from "vitest";
import { PAGE_OPTIONS_KEY } from "../../src/dev/vitePageOptions.js";
import { module, status } from "../../src/dev/vitePageRuntime.js";

/** One evaluation of a module defining one class, as the rewritten module runs it. */
function evaluate(url: string, name: string, cls: Function, migrations?: object): Function {
  const api = module(url);
  const held = api.manage(name, cls, null);
  api.commit(migrations as Record<string, unknown> | undefined);
  return held;
}

/** A gate an `async` method awaits; `open()` lets it through. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const ACCOUNT = "http://localhost/src/account.ts";

test("an edit waits for the call in flight, holding new calls, then renames: no stray field, later edits in order", async () => {
  const first = gate();
  type Account = { work(g: Promise<void>): Promise<void> } & Record<string, unknown>;
  const Account = evaluate(
    ACCOUNT,
    "Account",
    class Account {
      total = 100;
      async work(g: Promise<void>) {
        const before = this.total;
        await g;
        this.total = before + 1;
      }
    },
  ) as new () => Account;
  const account = new Account();
  const inFlight = account.work(first.promise);
  // The rename: total → sum.
  evaluate(
    ACCOUNT,
    "Account",
    class Account {
      sum = 100;
      async work(g: Promise<void>) {
        const before = this.sum;
        await g;
        this.sum = before + 1;
      }
    },
    { renames: { Account: { sum: "total" } } },
  );
  await expect
    .poll(() => status.last, { timeout: 30_000 })
    .toBe("/src/account.ts: waiting for 1 call in flight (Account.work()); new calls are held");
  // A call made now is held at entry: it has not read `total` (nor will it, on the old version).
  let heldRan = false;
  const held = account.work(Promise.resolve()).then(() => {
    heldRan = true;
  });
  // An edit arriving meanwhile waits behind the first, in order.
  evaluate(
    ACCOUNT,
    "Account",
    class Account {
      sum = 100;
      note = "v3";
      async work(g: Promise<void>) {
        const before = this.sum;
        await g;
        this.sum = before + 1;
      }
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(status.updates).toBe(0);
  expect(heldRan).toBe(false);
  expect({ ...account }).toEqual({ total: 100 });
  first.open();
  await inFlight;
  await held;
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(2);
  expect(status.failures).toBe(0);
  // The call in flight wrote before the rename; the held one ran on the new version.
  expect({ ...account }).toEqual({ sum: 102, note: "v3" });
  expect(status.last).toContain("/src/account.ts: updated Account (+note)");

  // The new version's async method is tracked too: the next edit waits for it.
  const second = gate();
  const again = account.work(second.promise);
  evaluate(
    ACCOUNT,
    "Account",
    class Account {
      sum = 100;
      note = "v3";
      extra = 4;
      async work(g: Promise<void>) {
        const before = this.sum;
        await g;
        this.sum = before + 1;
      }
    },
  );
  await expect
    .poll(() => status.last, { timeout: 10_000 })
    .toBe("/src/account.ts: waiting for 1 call in flight (Account.work()); new calls are held");
  second.open();
  await again;
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(3);
  expect({ ...account }).toEqual({ sum: 103, note: "v3", extra: 4 });
});

test("calls that do not finish within the plugin's quiescenceTimeout: the edit is refused, nothing changed, held calls run on the running version", async () => {
  const options = globalThis as Record<symbol, unknown>;
  options[Symbol.for(PAGE_OPTIONS_KEY)] = { quiescenceTimeoutMs: 300 };
  try {
    const url = "http://localhost/src/job.ts";
    type Job = { run(g: Promise<void>): Promise<string> } & Record<string, unknown>;
    const Job = evaluate(
      url,
      "Job",
      class Job {
        done = 0;
        async run(g: Promise<void>) {
          await g;
          this.done++;
          return "v1";
        }
      },
    ) as new () => Job;
    const job = new Job();
    const never = gate();
    void job.run(never.promise);
    const failures = status.failures;
    evaluate(
      url,
      "Job",
      class Job {
        count = 0;
        async run(g: Promise<void>) {
          await g;
          this.count++;
          return "v2";
        }
      },
      { renames: { Job: { count: "done" } } },
    );
    await expect
      .poll(() => status.last, { timeout: 30_000 })
      .toBe("/src/job.ts: waiting for 1 call in flight (Job.run()); new calls are held");
    const held = job.run(Promise.resolve());
    await expect.poll(() => status.failures, { timeout: 10_000 }).toBe(failures + 1);
    expect(status.last).toMatch(
      /^\/src\/job\.ts: error: MM_LIFECYCLE the calls in flight \(Job\.run\(\)\) did not finish within 300 ms .*— the running version is kept; save again to retry$/,
    );
    // Released on the running version.
    expect(await held).toBe("v1");
    expect({ ...job }).toEqual({ done: 1 });
  } finally {
    delete options[Symbol.for(PAGE_OPTIONS_KEY)];
  }
});
