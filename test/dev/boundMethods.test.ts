/**
 * A method the running version binds in its constructor and hands out
 * (`bus.on("click", this.onClick.bind(this))`, `addEventListener(…)`):
 * its bound functions keep the old code after an edit of the method, and
 * `metamorph dev` and the Vite page (both plan with planClassUpdates) said
 * nothing (review advY5 H5). The plan now warns, naming the method, where it
 * is bound, and what to write instead.
 */
import { EventEmitter } from "node:events";
import { expect, test } from "vitest";
import { planClassUpdates } from "../../src/dev/plan.js";
import { Namespace } from "../../src/index.js";
import type { Constructor } from "../../src/mop/index.js";

const bus = new EventEmitter();

const plan = (ns: Namespace, handle: Constructor, implementation: Function) =>
  planClassUpdates([{ name: "Panel", handle, implementation }], {
    namespace: ns,
    patchName: "reload",
    migrations: {},
    migrationsFile: "panel.migrations.ts",
    used: new Set(),
  }).warnings;

test("an edit of a method the constructor binds and hands out is warned about, naming the method and the fix", () => {
  const ns = new Namespace("bound");
  // Every version from text, formatted alike, as a compiler gives them.
  const version = (click: string, label: string) =>
    new Function(
      "bus",
      `return class Panel { clicks = 0; constructor() { bus.on("click", this.onClick.bind(this)); } onClick() { ${click} } label() { return "${label}"; } }`,
    )(bus) as Function;
  const Panel = version("this.clicks++;", "v1");
  const handle = ns.registerClass(Panel as new () => object) as unknown as Constructor;
  const warnings = plan(ns, handle, version("this.clicks += 10;", "v1"));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    /^MM_STALE_CLOSURE class Panel: the running version binds `onClick` in its constructor \(this\.onClick\.bind\(this\)\) .* existing objects' bound functions keep the old `onClick`.*\(`\(e\) => this\.onClick\(e\)`\), or the object itself with a `handleEvent` method$/,
  );
  // An edit of another method says nothing of it.
  expect(plan(ns, handle, version("this.clicks++;", "v2"))).toEqual([]);
});
