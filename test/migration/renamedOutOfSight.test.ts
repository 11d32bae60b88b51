/**
 * A field a setter writes, renamed in the new release (`set timeout(v) {
 * this._timeout = v }` become `this._timeoutMs = v`): the objects alive now
 * hold `_timeout` and lack `_timeoutMs`. The warning said "the running
 * version never set it" — wrong: it set `_timeout` there — and nothing
 * named the field left behind. It now says both and suggests a migrator
 * carrying it (a replaceImplementation rename refuses a field the reader
 * did not learn), which, followed, carries the value.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Client = { timeout: number; deadline(): number };
const release = (field: string) =>
  new Function(`return class Client {
    constructor(o = {}) { this.name = "c"; this.timeout = o.timeout ?? 10; }
    set timeout(v) { this.${field} = v; } get timeout() { return this.${field}; }
    deadline() { return 1000 + this.${field}; } };`)() as new (o?: {
    timeout?: number;
  }) => Client;

test("a setter-backed field renamed: the warning names the field the running version wrote in the setter and suggests a migrator, which carries the value", () => {
  const ns = new Namespace("timeouts");
  const C = ns.registerClass(release("_timeout"), { name: "Client" });
  const c = new C({ timeout: 5 });
  const result = updateSync(
    ns,
    patch("ms").replaceImplementation("Client", release("_timeoutMs")).build(),
  );
  const said = result.warnings.filter((w) => w.field === "_timeoutMs");
  expect(said).toHaveLength(1);
  expect(said[0]!.code).toBe("MM_NO_INITIAL_VALUE");
  expect(said[0]!.message).not.toMatch(/never set it/);
  expect(said[0]!.message).toContain(
    "new field `_timeoutMs` is assigned in setter `timeout` of the new version, where the running version assigned `_timeout`",
  );
  expect(said[0]!.message).toContain("the objects alive now have `_timeout`");
  expect(said[0]!.message).toContain("`target._timeoutMs = old._timeout; delete target._timeout`");
  result.rollback();

  // The suggestion, followed.
  const renamed = updateSync(
    ns,
    patch("ms")
      .replaceImplementation("Client", release("_timeoutMs"))
      .migrate("Client", (old, target) => {
        const t = target as Record<string, unknown>;
        t._timeoutMs = (old as Record<string, unknown>)._timeout;
        delete t._timeout;
      })
      .build(),
  );
  expect([c.timeout, c.deadline(), Object.hasOwn(c, "_timeout")]).toEqual([5, 1005, false]);
  expect(renamed.warnings.filter((w) => w.field === "_timeoutMs")).toEqual([]);
});

test("a new field a method sets where the running version set nothing is still said as never set", () => {
  const v1 = new Function(
    "return class Job { constructor() { this.id = 1; } run() { return 1; } };",
  )() as new () => object;
  const v2 = new Function(
    "return class Job { constructor() { this.id = 1; } run() { this.ran = true; return 1; } };",
  )() as new () => object;
  const ns = new Namespace("jobs");
  ns.registerClass(v1, { name: "Job" });
  const result = updateSync(ns, patch("ran").replaceImplementation("Job", v2).build());
  const said = result.warnings.filter((w) => w.field === "ran");
  expect(said.map((w) => w.code)).toEqual(["MM_NO_INITIAL_VALUE"]);
  expect(said[0]!.message).toMatch(/the running version never set it/);
});
