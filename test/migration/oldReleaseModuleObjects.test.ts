/**
 * MM_OLD_RELEASE_VALUE where both releases construct the held object
 * through a module's namespace object (`new Schema_1.Schema()`), as tsc's
 * CommonJS output and bundlers write an import (review advZ27 #3). yaml 2.2
 * → 2.6 with Document replaced and Schema not: every document kept 2.2's
 * Schema, which has no merge tag, and `<<` keys stopped merging without a
 * word, where the same code constructing `new Schema()` was warned of.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Document = { merges(): boolean };
type DocumentClass = new () => Document;

/** One release of a yaml-like package; `via` is how Document's module reaches Schema's class. */
function release(next: boolean, via: "binding" | "module" | "nested"): DocumentClass {
  const made = {
    binding: "new Schema()",
    module: "new Schema_1.Schema()",
    nested: "new lib_1 . schema . Schema()",
  }[via];
  return new Function(
    `"use strict";
    class Schema { constructor() { this.tags = ${next ? '["map", "merge"]' : '["map"]'}; } }
    const Schema_1 = { Schema };
    const lib_1 = { schema: { Schema } };
    return class Document {
      constructor() { this.schema = ${made}; }
      merges() { return this.schema.tags.includes("merge"); }
    };`,
  )() as DocumentClass;
}

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_OLD_RELEASE_VALUE");

describe.each(["eager", "lazy", "progressive"] as const)("%s", (policy) => {
  test.each(["binding", "module", "nested"] as const)(
    "Schema constructed through %s: the field holding the running release's Schema is named",
    (via) => {
      const ns = new Namespace(`module-objects-${policy}-${via}`);
      const D = ns.registerClass(release(false, via), { name: "Document" }) as DocumentClass;
      const doc = new D();
      const result = updateSync(
        ns,
        patch("next").replaceImplementation("Document", release(true, via)).build(),
        { policy },
      );
      const warnings = said(result.warnings);
      expect(warnings.map((w) => w.field)).toEqual(["schema"]);
      expect(warnings[0]!.note).toMatch(
        /^field `schema` holds objects of class Schema of the running release, which this update does not replace; the new release's code has a class Schema\b/,
      );
      // What it warns of: the document keeps the old Schema, fresh ones get the new.
      expect([doc.merges(), new D().merges()]).toEqual([false, true]);
    },
  );
});

test("both releases constructing one shared Schema through a module object: nothing said", () => {
  class Schema {
    tags = ["map", "merge"];
  }
  const doc = (tag: string) =>
    new Function(
      "Schema_1",
      `return class Document { constructor() { this.schema = new Schema_1.Schema(); this.tag = "${tag}"; }
        merges() { return this.schema.tags.includes("merge"); } };`,
    )({ Schema }) as DocumentClass;
  const ns = new Namespace("module-objects-shared");
  const D = ns.registerClass(doc("a"), { name: "Document" }) as DocumentClass;
  const kept = new D();
  const result = updateSync(ns, patch("next").replaceImplementation("Document", doc("b")).build());
  expect(said(result.warnings)).toEqual([]);
  expect(kept.merges()).toBe(true);
});
