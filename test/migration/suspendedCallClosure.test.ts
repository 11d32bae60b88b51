/**
 * A call of the running release paused at an `await` (or a transpiled
 * `yield`) when an update commits resumes its old code on the updated
 * object: a member the new release removed fails there, and the call's
 * promise rejects or never settles (bottleneck 2.18.1 -> 2.19.5: a job
 * executing during the update called the removed `doResolve`). No warning
 * said so. And code of a transpiled release keeps the object in closures
 * through `var _this = this`, which the closure warning did not follow.
 */
import { EventEmitter } from "node:events";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Job = { run(): Promise<number> };
type JobClass = new (task: () => Promise<number>) => Job;

/** Babel's `_asyncToGenerator`, as a release's bundle inlines it. */
const HELPER = `function step(g, res, rej, v) { let i; try { i = g.next(v); } catch (e) { return rej(e); }
  if (i.done) res(i.value); else Promise.resolve(i.value).then((x) => step(g, res, rej, x), (e) => { try { step(g, res, rej, g.throw(e)); } catch (e2) { rej(e2); } }); }
  function _asyncToGenerator(fn) { return function () { const g = fn.apply(this, arguments); return new Promise((res, rej) => step(g, res, rej)); }; }`;

/** `log` is read before the await, `finish` after it. */
const releases = {
  native: (finish: string, log = "log"): JobClass =>
    new Function(`return class Job {
      constructor(task) { this.task = task; this.state = "new"; }
      async run() { this.${log}(); const v = await this.task(); return this.${finish}(v); }
      ${log}() { this.state = "running"; }
      ${finish}(v) { this.state = "done"; return v; }
    };`)(),
  babel: (finish: string, log = "log"): JobClass =>
    new Function(`${HELPER}
    return class Job {
      constructor(task) { this.task = task; this.state = "new"; }
      run() { var _this = this; return _asyncToGenerator(function* () { _this.${log}(); const v = yield _this.task(); return _this.${finish}(v); })(); }
      ${log}() { this.state = "running"; }
      ${finish}(v) { this.state = "done"; return v; }
    };`)(),
};

const stale = (warnings: readonly { code: string; note: string }[]) =>
  warnings.filter((w) => w.code === "MM_STALE_CLOSURE").map((w) => w.note);

describe.each(Object.keys(releases) as (keyof typeof releases)[])("%s async method", (kind) => {
  const release = releases[kind];

  test("reading a member the new release removed after its await: MM_STALE_CLOSURE, and the call in flight fails; not for a member read before it", async () => {
    const ns = new Namespace(`suspended-${kind}`);
    const J = ns.registerClass(release("doResolve")) as unknown as JobClass;
    let settle = (_: number) => {};
    const pending = new J(() => new Promise<number>((r) => (settle = r))).run();
    const result = updateSync(
      ns,
      patch("up").replaceImplementation("Job", release("_resolve")).build(),
    );
    expect(stale(result.warnings)).toEqual([
      "calls of the running version's `run()` suspended at an `await` or `yield` read `doResolve` when they resume, which the new version no longer has",
    ]);
    expect(result.warnings[0]!.message).toMatch(/forced quiescence/);
    settle(42);
    await expect(pending).rejects.toThrow(/doResolve is not a function/);
    // Read before the await only, by a call that has passed it or is yet to start: no warning.
    const ns2 = new Namespace(`suspended-kept-${kind}`);
    ns2.registerClass(release("doResolve"));
    const next = release("doResolve", "trace");
    expect(
      stale(updateSync(ns2, patch("up").replaceImplementation("Job", next).build()).warnings),
    ).toEqual([]);
  });
});

test("a transpiled arrow (`var _this = this; … function () { _this.tick() }`) given to a listener reads a removed method: MM_STALE_CLOSURE", () => {
  const release = (tick: string) =>
    new Function(
      "EventEmitter",
      `return class Client extends EventEmitter {
        constructor() { super(); var _this = this; this.on("tick", function () { return _this.${tick}(); }); }
        ${tick}() { return 1; }
      };`,
    )(EventEmitter) as new () => EventEmitter;
  const ns = new Namespace("stale-alias-closure");
  const C = ns.registerClass(release("_checkPing"));
  const client = new C();
  const result = updateSync(
    ns,
    patch("up").replaceImplementation("Client", release("onTick")).build(),
  );
  expect(stale(result.warnings)).toEqual([
    "closures the running version made (arrow functions given to timers or listeners) read `_checkPing`, which the new version no longer has",
  ]);
  expect(() => client.emit("tick")).toThrow(/_checkPing is not a function/);
});
