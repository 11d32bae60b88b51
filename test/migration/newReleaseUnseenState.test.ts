/**
 * MM_UNSEEN_STATE for a class upgraded to another release, nothing
 * migrating, whose constructor makes properties the source reader cannot
 * name: the warning quoted only the running release's calls, so what only
 * the new release makes that way — a new property the objects alive now
 * never get — went unnamed (esbuild --minify's field calls, before they were
 * read as fields, warned of `c(this,"tag","bag")` and never of the new
 * `unit`). The new release's own such writes are now named too.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Options = { key: string; [k: string]: unknown };

const release = (body: string) =>
  new Function(`return class Settings { constructor(o) { ${body} } }`)() as new (
    o: Options,
  ) => object;

test("the new release's opaque writes are named, the running release's ones once each", () => {
  const ns = new Namespace("new-release-unseen-state");
  ns.registerClass(release("Object.assign(this, o);"), { name: "Settings" });
  const next = release("Object.assign(this, o);\n this[o.key] = true;");
  const result = updateSync(ns, patch("2").replaceImplementation("Settings", next).build());
  expect(result.warnings.filter((w) => w.code === "MM_UNSEEN_STATE").map((w) => w.message)).toEqual(
    [
      expect.stringMatching(
        /^class Settings: the constructor creates properties that cannot be named statically: `Object\.assign\(this, o\)`; the objects keep what the running release made/,
      ),
      expect.stringMatching(
        /^class Settings: the new release's constructor creates properties that cannot be named statically: `this\[o\.key\] = true`; the objects alive now never get what it makes this way/,
      ),
    ],
  );
});

test("a running release that makes none that way, a new one that does: said", () => {
  const ns = new Namespace("new-release-unseen-state-only");
  ns.registerClass(release("this.key = o.key;"), { name: "Settings" });
  const next = release("this.key = o.key; this[o.key] = true;");
  const result = updateSync(ns, patch("2").replaceImplementation("Settings", next).build());
  expect(result.warnings.map((w) => [w.code, w.message])).toEqual([
    [
      "MM_UNSEEN_STATE",
      expect.stringContaining(
        "the new release's constructor creates properties that cannot be named statically: `this[o.key] = true`",
      ),
    ],
  ]);
});
