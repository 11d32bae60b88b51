// Generator methods are in flight until their generator finishes (review
// advZ15, f2): a pager paused after its first page was not counted, so a
// forced-quiescence update renaming its cursor committed at once and the
// pager resumed its old code on the new layout, its remaining pages lost.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch } from "../../src/index.js";
import { CallTracker, runUpdate } from "../../src/lifecycle/index.js";
import { collectGarbage } from "../support/v8.js";
import { eventually, isSettled, sleep } from "./support.js";

type Page = readonly number[];
type Feed = {
  cursor: number;
  pages(): AsyncGenerator<Page>;
  rows(): Generator<number>;
};

function feeds() {
  const ns = new Namespace("pager");
  const Feed = ns.defineClass<Feed>({
    name: "Feed",
    fields: [{ name: "cursor", initializer: "0" }],
    methods: {
      async *pages(this: { cursor: number }) {
        while (this.cursor < 6) {
          const page = [this.cursor, this.cursor + 1];
          this.cursor += 2;
          yield page;
        }
      },
      *rows(this: { cursor: number }) {
        while (this.cursor < 6) yield this.cursor++;
      },
    },
  });
  const rename = patch("offset").renameField("Feed", "cursor", "offset").build();
  return { ns, Feed, rename, tracker: new CallTracker().track(Feed) };
}

async function drain<T>(generator: AsyncGenerator<T>, into: T[]): Promise<void> {
  for await (const item of generator) into.push(item);
}

describe("generator methods under quiescence", () => {
  test("a paused async pager is waited for: it reads every page on the old layout, then the update commits", async () => {
    const { ns, Feed, rename, tracker } = feeds();
    const feed = new Feed();
    const pager = feed.pages();
    const pages: Page[] = [(await pager.next()).value as Page];
    const running = runUpdate(
      { namespace: ns, patch: rename, forceQuiescence: true, timeoutMs: 10_000 },
      { tracker },
    );
    expect(await isSettled(running)).toBe(false);
    expect(tracker.inFlight().map((c) => c.method)).toEqual(["pages"]);
    await drain(pager, pages);
    const report = await running;
    expect(report.status).toBe("committed");
    expect(report.straddled).toEqual([]);
    expect(pages).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(JSON.stringify(feed)).toBe('{"offset":6}');
  });

  test("one never resumed postpones the update with nothing changed; resumed later, it reads on", async () => {
    const { ns, Feed, rename, tracker } = feeds();
    const feed = new Feed();
    const pager = feed.pages();
    const pages: Page[] = [(await pager.next()).value as Page];
    const report = await runUpdate(
      { namespace: ns, patch: rename, forceQuiescence: true, timeoutMs: 30 },
      { tracker },
    );
    expect(report.status).toBe("postponed");
    expect(report.reason).toContain("Feed.pages: 1 call in flight");
    expect(JSON.stringify(feed)).toBe('{"cursor":2}');
    await drain(pager, pages);
    expect(pages).toHaveLength(3);
    expect(tracker.inFlight()).toEqual([]);
  });

  test("property: a generator call is in flight from its call until it is exhausted, closed or throws", async () => {
    const ending = fc.constantFrom("exhaust", "return", "throw", "break") as fc.Arbitrary<
      "exhaust" | "return" | "throw" | "break"
    >;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        ending,
        fc.integer({ min: 0, max: 2 }),
        async (isAsync, end, steps) => {
          const { Feed, tracker } = feeds();
          const feed = new Feed();
          const inFlight = () => tracker.inFlight().length;
          const g: Generator<unknown> | AsyncGenerator<unknown> = isAsync
            ? feed.pages()
            : feed.rows();
          const seen: number[] = [inFlight()];
          for (let i = 0; i < steps; i++) {
            await g.next();
            seen.push(inFlight());
          }
          if (end === "exhaust") while (!(await g.next()).done);
          else if (end === "return") await g.return(undefined);
          else if (end === "throw") {
            // A sync generator's throw() throws at once, an async one's rejects.
            await (async () => g.throw(new Error("stop")))().catch(() => {});
          } else for await (const _ of g) break;
          await sleep(0); // the step's promise reaction runs
          seen.push(inFlight());
          expect(seen).toEqual([...Array(steps + 1).fill(1), 0]);
          expect(Object.keys(g)).toEqual([]);
        },
      ),
      { seed: 20_251_207, numRuns: 60 },
    );
  });

  test("one the program dropped unfinished stops counting once it is collected", async () => {
    const { Feed, tracker } = feeds();
    const feed = new Feed();
    (() => {
      const dropped = feed.rows();
      dropped.next();
    })();
    expect(tracker.inFlight().map((c) => c.method)).toEqual(["rows"]);
    await eventually(() => {
      collectGarbage();
      return tracker.inFlight().length === 0;
    });
  });
});
