/**
 * A class handle stays in V8's fast mode (review advW3): in dictionary mode
 * `o instanceof Handle` cannot fold to a prototype-chain check and cost
 * 10–12 ns against 1.4–2 ns for a plain class — the handle of a class no
 * other handle extends was there from its creation (its field initialiser
 * turned from a method into a static forwarder), and any handle after an
 * update that changed its statics (forwarders deleted out of order).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

test("a defined class's handle, extended by no other, and a leaf subclass's", () => {
  const ns = new Namespace("fast-handles");
  const Point = ns.defineClass<{ x: number }>({
    name: "Point",
    fields: [{ name: "x", initializer: "0" }],
    methods: {},
  });
  expect(hasFastProperties(Point)).toBe(true);
  const Point3 = ns.defineClass<{ x: number; z: number }>({
    name: "Point3",
    superclass: "Point",
    fields: [{ name: "z", initializer: "0" }],
  });
  expect([hasFastProperties(Point), hasFastProperties(Point3)]).toEqual([true, true]);
  const p = new Point3({ x: 1, z: 2 });
  expect([p instanceof Point3, p instanceof Point]).toEqual([true, true]);
});

test("a registered class's handle, through updates that change its statics and their rollbacks", () => {
  const release = (statics: string) =>
    new Function(
      `"use strict"; return class Tool { constructor() { this.n = 1; } ${statics} };`,
    )() as new () => {
      n: number;
    };
  const v1 = release("static a() { return 1; } static b() { return 2; } static c = 3;");
  const v2 = release("static a() { return 10; } static d() { return 4; } static c = 5;");
  const ns = new Namespace("fast-registered");
  const Tool = ns.registerClass(v1) as unknown as { a(): number; c: number } & Function;
  expect(hasFastProperties(Tool)).toBe(true);
  const up = updateSync(ns, patch("v2").replaceImplementation("Tool", v2).build());
  expect([hasFastProperties(Tool), Tool.a(), "d" in Tool, "b" in Tool]).toEqual([
    true,
    10,
    true,
    false,
  ]);
  up.rollback();
  expect([hasFastProperties(Tool), Tool.a(), "d" in Tool, "b" in Tool]).toEqual([
    true,
    1,
    false,
    true,
  ]);
});
