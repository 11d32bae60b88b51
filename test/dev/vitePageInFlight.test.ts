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
import { PAGE_OPTIONS_KEY, type PageOptions } from "../../src/dev/vitePageOptions.js";
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

/** Runs `body` with the plugin's options set on the page, as ./vite.ts serves them. */
async function withPageOptions(options: PageOptions, body: () => Promise<void>): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  global[Symbol.for(PAGE_OPTIONS_KEY)] = options;
  try {
    await body();
  } finally {
    delete global[Symbol.for(PAGE_OPTIONS_KEY)];
  }
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
  const other = new Account();
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
  // A call made now (on an object with no call in flight) is held at entry:
  // it has not read `total` (nor will it, on the old version).
  let heldRan = false;
  const held = other.work(Promise.resolve()).then(() => {
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
  expect({ ...other }).toEqual({ total: 100 });
  first.open();
  await inFlight;
  await held;
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(2);
  expect(status.failures).toBe(0);
  // The call in flight wrote before the rename; the held one ran on the new version.
  expect({ ...account }).toEqual({ sum: 101, note: "v3" });
  expect({ ...other }).toEqual({ sum: 101, note: "v3" });
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
  expect({ ...account }).toEqual({ sum: 102, note: "v3", extra: 4 });
});

test("calls that do not finish within the plugin's quiescenceTimeout: the edit is refused, nothing changed, held calls run on the running version", async () => {
  await withPageOptions({ quiescenceTimeoutMs: 300 }, async () => {
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
    const other = new Job();
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
    const held = other.run(Promise.resolve());
    await expect.poll(() => status.failures, { timeout: 10_000 }).toBe(failures + 1);
    expect(status.last).toMatch(
      /^\/src\/job\.ts: error: MM_LIFECYCLE the calls in flight \(Job\.run\(\)\) did not finish within 300 ms .*— the running version is kept; saving again waits for Job\.run\(\) again: if it never returns \(a loop\), reload the page to apply this edit, or have the loop stop on a flag before you save; edits that change only method bodies apply while it runs$/,
    );
    // Released on the running version.
    expect(await held).toBe("v1");
    expect({ ...other }).toEqual({ done: 1 });
    expect({ ...job }).toEqual({ done: 0 });
  });
});

test("a call in flight that awaits another async method of its object passes the hold: the edit applies once it ends", async () => {
  const url = "http://localhost/src/store.ts";
  type Store = { load(g: Promise<void>): Promise<string>; items: string[] };
  const Store = evaluate(
    url,
    "Store",
    class Store {
      items: string[] = [];
      async load(g: Promise<void>) {
        await g;
        this.items = await this.parse("a,b");
        return "loaded";
      }
      async parse(text: string) {
        return text.split(",");
      }
    },
  ) as new () => Store;
  const store = new Store();
  const fetched = gate();
  const loading = store.load(fetched.promise);
  const { updates, failures } = status;
  evaluate(
    url,
    "Store",
    class Store {
      items: string[] = [];
      count = 0;
      async load(g: Promise<void>) {
        await g;
        this.items = await this.parse("a,b");
        return "loaded";
      }
      async parse(text: string) {
        return text.split(",");
      }
    },
  );
  await expect.poll(() => status.last, { timeout: 30_000 }).toContain("waiting for 1 call");
  fetched.open();
  // Without passing the hold, parse() would wait for load(), which waits for parse(): until the time-out.
  expect(await loading).toBe("loaded");
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(updates + 1);
  expect(status.failures).toBe(failures);
  expect({ ...store }).toEqual({ items: ["a", "b"], count: 0 });
});

test("an edit of method bodies alone applies at once, even while a never-ending async loop of the class is in flight", async () => {
  const url = "http://localhost/src/game.ts";
  type Game = { loop(): Promise<void>; running: boolean; seen: string };
  const Game = evaluate(
    url,
    "Game",
    class Game {
      running = true;
      seen = "";
      async loop() {
        while (this.running) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          this.seen = this.draw();
        }
      }
      draw() {
        return "v1";
      }
    },
  ) as new () => Game;
  const game = new Game();
  const looping = game.loop();
  await expect.poll(() => game.seen).toBe("v1");
  const { updates } = status;
  evaluate(
    url,
    "Game",
    class Game {
      running = true;
      seen = "";
      async loop() {
        while (this.running) {
          await new Promise((resolve) => setTimeout(resolve, 2));
          this.seen = this.draw();
        }
      }
      draw() {
        return "v2";
      }
    },
  );
  // Applied during the module's evaluation: no wait, nothing held.
  expect(status.updates).toBe(updates + 1);
  await expect.poll(() => game.seen).toBe("v2");
  game.running = false;
  await looping;
});

test("a new async method of a version that waited is tracked from its commit: a held call that starts it makes the next edit wait", async () => {
  const url = "http://localhost/src/doc.ts";
  type Doc = { edit(g: Promise<void>): Promise<void> } & Record<string, unknown>;
  const saved = gate();
  const Doc = evaluate(
    url,
    "Doc",
    class Doc {
      total = 1;
      async edit(g: Promise<void>) {
        await g;
      }
    },
  ) as new () => Doc;
  const [first, second] = [new Doc(), new Doc()];
  const editing = gate();
  const inFlight = first.edit(editing.promise);
  // v2 adds a field (so it waits) and an async flush() that edit() starts without awaiting.
  evaluate(
    url,
    "Doc",
    class Doc {
      total = 1;
      note = "";
      async edit(g: Promise<void>) {
        await g;
        void this.flush();
      }
      async flush() {
        const total = this.total;
        await saved.promise;
        this.total = total + 1;
      }
    },
  );
  await expect.poll(() => status.last, { timeout: 30_000 }).toContain("waiting for 1 call");
  const { updates } = status;
  const held = second.edit(Promise.resolve()); // held; runs on v2 at the release, starting flush()
  editing.open();
  await inFlight;
  await held;
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(updates + 1);
  // v3 renames total → sum while second.flush() is suspended: it must wait for it.
  evaluate(
    url,
    "Doc",
    class Doc {
      sum = 1;
      note = "";
      async edit(g: Promise<void>) {
        await g;
        void this.flush();
      }
      async flush() {
        const sum = this.sum;
        await saved.promise;
        this.sum = sum + 1;
      }
    },
    { renames: { Doc: { sum: "total" } } },
  );
  await expect
    .poll(() => status.last, { timeout: 30_000 })
    .toBe("/src/doc.ts: waiting for 1 call in flight (Doc.flush()); new calls are held");
  saved.open();
  await expect.poll(() => status.updates, { timeout: 10_000 }).toBe(updates + 2);
  expect({ ...second }).toEqual({ sum: 2, note: "" });
});

test("a progressive edit that waited goes on migrating in slices after its commit, as one that did not wait", async () => {
  await withPageOptions({ progressiveAbove: 100 }, async () => {
    const url = "http://localhost/src/dots.ts";
    type Dot = { ping(g: Promise<void>): Promise<void> } & Record<string, unknown>;
    const Dot = evaluate(
      url,
      "Dot",
      class Dot {
        x = 0;
        async ping(g: Promise<void>) {
          await g;
        }
      },
    ) as new () => Dot;
    const dots = Array.from({ length: 20_000 }, () => new Dot());
    const pinging = gate();
    void dots[0]!.ping(pinging.promise);
    const { updates } = status;
    // A migrator slow enough that the sweep takes seconds.
    const migrate = (_old: unknown, dot: Record<string, unknown>) => {
      const start = performance.now();
      while (performance.now() - start < 0.05);
      dot.y = 1;
    };
    evaluate(
      url,
      "Dot",
      class Dot {
        x = 0;
        y = 0;
        async ping(g: Promise<void>) {
          await g;
        }
      },
      { migrate: { Dot: migrate } },
    );
    await expect.poll(() => status.last, { timeout: 30_000 }).toContain("waiting for 1 call");
    pinging.open();
    await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(updates + 1);
    // Reported at the commit, still migrating (the lifecycle's default would have finished it in one block first).
    expect(status.last).toMatch(
      /dots\.ts: updated Dot .*\| migrating 20000 instances progressively/,
    );
    expect(status.migrating).toBe(1);
    await expect.poll(() => status.migrating, { timeout: 60_000 }).toBe(0);
    expect(status.last).toMatch(/dots\.ts: 20000 instances migrated progressively in/);
    expect(dots.every((dot) => dot.y === 1)).toBe(true);
  });
}, 90_000);
