/**
 * A release's subclass replaced without its superclass, where the classes
 * are registered under names other than their own: a bundler renames them
 * (esbuild's `_Observable`, registered as "Observable"), a minifier's names
 * change between releases. The refusal named the renamed class as a class
 * outside the namespace and advised a restart, where replacing the
 * namespace's superclass in the same patch works (rxjs 7.5 -> 7.8 bundles).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Release = Record<"Observable" | "Subject" | "BehaviorSubject", new () => object>;

/** A release as a bundle has it: class names of the bundler's choosing. */
const release = (v: number, [o, s, b]: readonly string[]): Release =>
  new Function(
    "v",
    `"use strict";
    class ${o} { constructor() { this.source = null; } pipe() { return v; } }
    class ${s} extends ${o} { constructor() { super(); this.observers = []; } }
    class ${b} extends ${s} { constructor() { super(); this._value = v; } }
    return { Observable: ${o}, Subject: ${s}, BehaviorSubject: ${b} };`,
  )(v) as Release;

function registered(r: Release, name: string) {
  const ns = new Namespace(name);
  for (const n of ["Observable", "Subject", "BehaviorSubject"] as const)
    ns.registerClass(r[n], { name: n });
  return ns;
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "accepted";
};

test("a bundler's renamed superclass (esbuild's _Observable registered as Observable): the refusal says to replace Observable in the same patch, which works", () => {
  const names = ["_Observable", "_Subject", "_BehaviorSubject"];
  const [r1, r2] = [release(1, names), release(2, names)];
  const ns = registered(r1, "renamed-release");
  const only = patch("subject").replaceImplementation("Subject", r2.Subject).build();
  expect(refusal(() => updateSync(ns, only))).toMatch(
    /class Subject's new version extends its own release's Observable \(`_Observable`\), not the namespace's Observable.*replace Observable in the same patch \(replaceImplementation\("Observable", …\) beside "Subject"\)/,
  );
  // A deeper class of the release moving with Subject is told the same.
  const two = patch("two")
    .replaceImplementation("Subject", r2.Subject)
    .replaceImplementation("BehaviorSubject", r2.BehaviorSubject)
    .build();
  expect(refusal(() => updateSync(ns, two))).toMatch(/replace Observable in the same patch/);
  const all = patch("all")
    .replaceImplementation("Observable", r2.Observable)
    .replaceImplementation("Subject", r2.Subject)
    .replaceImplementation("BehaviorSubject", r2.BehaviorSubject)
    .build();
  expect(updateSync(ns, all).outcome).toBe("committed");
});

test("a minifier's names, other in each release: the refusal names the superclass the class extends now as the likely one, beside keeping it; a platform class is no release's", () => {
  const [r1, r2] = [release(1, ["a", "b", "c"]), release(2, ["x", "y", "z"])];
  const ns = registered(r1, "minified-release");
  const only = patch("subject").replaceImplementation("Subject", r2.Subject).build();
  expect(refusal(() => updateSync(ns, only))).toMatch(
    /extending x: .*; if x is its release's Observable \(a bundler or minifier renames classes\), replace Observable in the same patch .*; otherwise keep Subject's superclass as it is, or restart/,
  );
  const onMap = new Function(
    `return class Subject extends Map { constructor() { super(); this.observers = []; } };`,
  )() as new () => object;
  const moved = refusal(() =>
    updateSync(ns, patch("map").replaceImplementation("Subject", onMap).build()),
  );
  expect(moved).toMatch(/to extending Map: .*keep Subject's superclass as it is/);
  expect(moved).not.toMatch(/replace Observable/);
});
