/**
 * MM_NO_INITIAL_VALUE names a new field whose initial value a migration
 * cannot compute (the constructor computes it). A field declared without an
 * initialiser and left alone by the constructor — `note;` in JavaScript,
 * TypeScript's `note?: string` compiled for ES2022 or with
 * useDefineForClassFields — is `undefined` on a fresh object too: migrated
 * objects getting `undefined` is exactly right, and no warning is due. The
 * parsed field keeps no initializer (definitions print and round-trip as
 * read); the fact travels as ParsedClass.bareFields.
 */
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../src/index.js";
import { parseClassSource } from "../../src/mop/source/parse.js";
import { compileTypeScript } from "../support/tsc.js";
import { besidesOldLayout } from "../support/releaseWarnings.js";

type Made = Record<string, unknown>;
type Ctor = new (...args: unknown[]) => Made;

const evaluate = (source: string) => new Function(`"use strict"; return (${source});`)() as Ctor;

/** A TypeScript class compiled by the installed compiler, then evaluated. */
function compiled(source: string, target: ts.ScriptTarget, useDefine?: boolean): Ctor {
  return compileTypeScript(`${source}\nexport { Note };`, target, useDefine).exports.Note as Ctor;
}

/** Registers V1, makes one object, updates to V2; the warnings and the object after. */
function upgrade(V1: Ctor, V2: Ctor, name: string) {
  const ns = new Namespace(name);
  ns.registerClass(V1);
  const old = new V1("a");
  const result = updateSync(ns, patch("up").replaceImplementation("Note", V2).build());
  return { result, old, fresh: new V2("b") };
}

const codes = (r: { warnings: readonly { code: string; field?: string }[] }) =>
  besidesOldLayout(r.warnings).map((w) => [w.code, w.field]);

describe("a new field declared without an initialiser", () => {
  test("`note;` in JavaScript: no warning, undefined like a fresh object's; the definition prints as read", () => {
    const V1 = evaluate(`class Note { constructor(text) { this.text = text; } }`);
    const V2 = evaluate(`class Note { note; constructor(text) { this.text = text; } }`);
    const { result, old, fresh } = upgrade(V1, V2, "bare-js");
    expect(codes(result)).toEqual([]);
    expect(Object.hasOwn(old, "note")).toBe(true);
    expect(old.note).toBe(fresh.note);
    expect(old.note).toBeUndefined();
    // Nothing invents an initializer text.
    expect(readClassDefinition(V2).fields).toEqual([{ name: "note" }, { name: "text" }]);
    expect(parseClassSource(V2.toString()).bareFields).toEqual(["note"]);
  });

  const tsV2 = `class Note { note?: string; text: string; constructor(text: string) { this.text = text; } }`;
  const tsV1 = `class Note { text: string; constructor(text: string) { this.text = text; } }`;
  for (const [label, target, useDefine] of [
    ["ES2022", ts.ScriptTarget.ES2022, undefined],
    // tsc emits `Object.defineProperty(this, "note", { …, value: void 0 })` here: a value read as such.
    ["ES2019 with useDefineForClassFields", ts.ScriptTarget.ES2019, true],
  ] as const) {
    test(`TypeScript's \`note?: string\` compiled for ${label}: no warning`, () => {
      const V2 = compiled(tsV2, target, useDefine);
      expect(V2.toString()).toMatch(/note/); // the declaration is emitted
      const { result, old } = upgrade(compiled(tsV1, target, useDefine), V2, `bare-ts-${label}`);
      expect(codes(result)).toEqual([]);
      expect(Object.keys(old)).toEqual(["note", "text"]);
      expect(old.note).toBeUndefined();
    });
  }
});

describe("a new field the constructor computes is still warned about", () => {
  test("assigned from a constructor argument", () => {
    const V1 = evaluate(`class Note { constructor(text) { this.text = text; } }`);
    const V2 = evaluate(
      `class Note { constructor(text) { this.text = text; this.note = text.toUpperCase(); } }`,
    );
    const { result } = upgrade(V1, V2, "computed-assigned");
    expect(codes(result)).toEqual([["MM_NO_INITIAL_VALUE", "note"]]);
  });

  test("declared bare, then written by the constructor (even conditionally)", () => {
    for (const body of [
      "this.note = text;",
      "if (text) this.note = text;",
      "Object.assign(this, { note: text });",
    ]) {
      const V1 = evaluate(`class Note { constructor(text) { this.text = text; } }`);
      const V2 = evaluate(`class Note { note; constructor(text) { this.text = text; ${body} } }`);
      const { result } = upgrade(V1, V2, `computed-declared-${body}`);
      expect(codes(result)).toContainEqual(["MM_NO_INITIAL_VALUE", "note"]);
      expect(parseClassSource(V2.toString()).bareFields).toEqual([]);
    }
  });

  test("a TypeScript parameter property (ES2022 emits `note;` and assigns it)", () => {
    const V1 = compiled(tsV1Param(false), ts.ScriptTarget.ES2022);
    const V2 = compiled(tsV1Param(true), ts.ScriptTarget.ES2022);
    expect(V2.toString()).toMatch(/note;/);
    const { result } = upgrade(V1, V2, "computed-param");
    expect(codes(result)).toEqual([["MM_NO_INITIAL_VALUE", "note"]]);
  });
});

function tsV1Param(withNote: boolean): string {
  return withNote
    ? `class Note { text: string; constructor(text: string, public note?: string) { this.text = text; } }`
    : `class Note { text: string; constructor(text: string) { this.text = text; } }`;
}
