/**
 * A release that adds only a static private member (`static #created`) is
 * refused like private instance state — its static methods reaching
 * `this.#created` would throw when called through the class handle — but
 * the refusal says so, rather than advising export/import hooks for
 * instance state it does not have.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

test("a new release with only a static # member: refused, saying static, nothing changed", () => {
  const v1 = new Function(`"use strict";
    return class Job { constructor(name) { this.name = name; } run() { return this.name; } };`)() as new (
    name: string,
  ) => { run(): string };
  const v2 = new Function(`"use strict";
    return class Job {
      static #created = 0;
      static count() { return this.#created; }
      constructor(name) { Job.#created++; this.name = name; }
      run() { return this.name.toUpperCase(); }
    };`)() as typeof v1;
  const ns = new Namespace("static-private");
  const Job = ns.registerClass(v1) as unknown as typeof v1;
  const job = new Job("backup");
  const version = ns.version;
  const update = () => updateSync(ns, patch("v2").replaceImplementation("Job", v2).build());
  expect(update).toThrow(
    /declares static private # members \(#created\), which its static methods may reach through `this`/,
  );
  expect(update).not.toThrow(/metamorphImport/);
  expect([ns.version, job.run()]).toEqual([version, "backup"]);
});
