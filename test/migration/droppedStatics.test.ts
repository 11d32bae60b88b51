/**
 * MM_STATICS_DROPPED: a new release's class takes its own statics but for
 * those the patch keeps. superjson 2.2.1 -> 2.2.6 without keepStatics
 * committed with no warning, and the classes the program had registered
 * through the static API (`SuperJSON.registerClass(Money)`, kept in the
 * static `defaultInstance`) were gone.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const said = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_STATICS_DROPPED");

type Json = {
  new (): object;
  registerClass(cls: Function, id: string): void;
  stringify(value: unknown): string;
  parse(text: string): unknown;
};

/** One release of a serialiser in superjson's pattern: its static API is bound to a static default instance. */
function superjson(): Json {
  return new Function(
    `"use strict";
    class Registry { constructor() { this.byId = new Map(); } }
    class SuperJSON {
      constructor() { this.classRegistry = new Registry(); }
      registerClass(cls, id) { this.classRegistry.byId.set(id, cls); }
      stringify(value) {
        for (const [id, cls] of this.classRegistry.byId)
          if (value instanceof cls) return JSON.stringify({ id, json: { ...value } });
        return JSON.stringify({ json: value });
      }
      parse(text) {
        const { id, json } = JSON.parse(text);
        const cls = id === undefined ? undefined : this.classRegistry.byId.get(id);
        return cls === undefined ? json : Object.assign(new cls(), json);
      }
    }
    SuperJSON.defaultInstance = new SuperJSON();
    for (const name of ["registerClass", "stringify", "parse"])
      SuperJSON[name] = SuperJSON.defaultInstance[name].bind(SuperJSON.defaultInstance);
    return SuperJSON;`,
  )() as Json;
}

const ALL = ["defaultInstance", "registerClass", "stringify", "parse"];

function upgrade(registered: number, keepStatics?: readonly string[]) {
  const ns = new Namespace("dropped-statics");
  const SuperJSON = ns.registerClass(superjson(), { name: "SuperJSON" }) as unknown as Json;
  const classes = Array.from({ length: registered }, () => class Money {});
  for (const [i, cls] of classes.entries()) SuperJSON.registerClass(cls, `Money${i}`);
  const next = superjson();
  const result = updateSync(
    ns,
    patch("2.2.6")
      .replaceImplementation("SuperJSON", next, keepStatics ? { keepStatics } : {})
      .build(),
  );
  const survived = classes.filter(
    (cls) => SuperJSON.parse(SuperJSON.stringify(new cls())) instanceof cls,
  ).length;
  return { warnings: said(result.warnings), survived };
}

describe("superjson's pattern", () => {
  test("a registration in the static default instance, not kept: said, naming the static, what it held and the functions using it", () => {
    const { warnings, survived } = upgrade(1);
    expect(warnings.map((w) => [w.className, w.field])).toEqual([["SuperJSON", "defaultInstance"]]);
    expect(warnings[0]!.note).toBe(
      "static `defaultInstance` of the running release holds 1 entry in `classRegistry.byId` where the new release's value has 0, and the new release's value replaces it",
    );
    expect(warnings[0]!.message).toContain(
      "in replaceImplementation's keepStatics with the function statics that use it (`registerClass`, `stringify`, `parse`)",
    );
    // What it warns of.
    expect(survived).toBe(0);
  });

  test("kept, nothing is said and the registrations survive", () => {
    const { warnings, survived } = upgrade(2, ALL);
    expect(warnings).toEqual([]);
    expect(survived).toBe(2);
  });
});

/** Over how many classes were registered and which statics are kept: said exactly where some were and the instance is not kept. */
test("said exactly where the running default instance holds registrations the update drops", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 }), fc.subarray(ALL), (registered, kept) => {
      const { warnings } = upgrade(registered, kept);
      const dropped = registered > 0 && !kept.includes("defaultInstance");
      expect(warnings.map((w) => w.field)).toEqual(dropped ? ["defaultInstance"] : []);
    }),
    { seed: 226, numRuns: 16 },
  );
});

type Counter = { new (): object; nextId: number; VERSION: string };

/** A class counting its objects in a static: declared (`static nextId = 0`) or, as tsc below ES2022 emits it, assigned after the class. */
function counter(version: string, declared: boolean): Counter {
  return new Function(
    `"use strict";
    class Counter {
      ${declared ? `static nextId = 0; static VERSION = ${JSON.stringify(version)};` : ""}
      constructor() { this.id = Counter.nextId++; }
    }
    ${declared ? "" : `Counter.nextId = 0; Counter.VERSION = ${JSON.stringify(version)};`}
    return Counter;`,
  )() as Counter;
}

test.each([true, false])(
  "a counter moved on from its initial value is said, a release's version string is not (declared: %s)",
  (declared) => {
    for (const made of [0, 3]) {
      const ns = new Namespace(`dropped-counter-${declared}`);
      const C = ns.registerClass(counter("1.0", declared), {
        name: "Counter",
      }) as unknown as Counter;
      for (let i = 0; i < made; i++) new C();
      const result = updateSync(
        ns,
        patch("1.1").replaceImplementation("Counter", counter("1.1", declared)).build(),
      );
      expect(said(result.warnings).map((w) => w.note)).toEqual(
        made === 0
          ? []
          : [
              `static \`nextId\` of the running release holds \`3\` where ${declared ? "its initialiser gives" : "the new release's is"} \`0\`, and the new release's value replaces it`,
            ],
      );
      // What it warns of: ids start again.
      expect(C.nextId).toBe(0);
    }
  },
);

type Configured = {
  new (): object;
  defaults: { timeout: number; mode: string; build: string; up: { x: number; y: number } };
};

/** A client whose settings live in a static object the program may set in place (`Client.defaults.timeout = 5000`). */
function configured(release: string, timeout = 1000): Configured {
  return new Function(
    `"use strict";
    class Point { constructor(x, y) { this.x = x; this.y = y; } }
    class Client {
      static defaults = { timeout: ${timeout}, mode: "fast", build: "${release}", up: new Point(0, 1) };
      constructor() { this.opts = { ...Client.defaults }; }
    }
    return Client;`,
  )() as Configured;
}

/**
 * A setting changed in place in a static object (three's
 * `Object3D.DEFAULT_UP.set(0, 0, 1)`) was replaced with no word: only
 * collection sizes were compared (review advZ10). Said where the program
 * set one (a number, a string the new release writes as the old one did, a
 * field of an object inside); not where it set none, nor for a string the
 * release changed itself (`build`).
 */
test("property: a setting the program changed inside a static object is said, with its path (seed 311)", () => {
  const change = fc.constantFrom("none", "timeout", "mode", "up.y", "sameAsNew");
  fc.assert(
    fc.property(change, fc.boolean(), (what, releaseChangesTimeout) => {
      const ns = new Namespace("configured");
      const Client = ns.registerClass(configured("a"), {
        name: "Client",
      }) as unknown as Configured;
      const newTimeout = releaseChangesTimeout ? 2000 : 1000;
      if (what === "timeout") Client.defaults.timeout = 5000;
      if (what === "mode") Client.defaults.mode = "slow";
      if (what === "up.y") Client.defaults.up.y = 7;
      // The program set what the new release has: nothing of its is lost.
      if (what === "sameAsNew") Client.defaults.timeout = newTimeout;
      const result = updateSync(
        ns,
        patch("b").replaceImplementation("Client", configured("b", newTimeout)).build(),
      );
      const notes = said(result.warnings).map((w) => w.note);
      // In the order of the object's keys; a number the release changed itself is said too (the program may have set it).
      const parts = [
        what === "timeout"
          ? `\`timeout\` = \`5000\` where the new release's value has \`${newTimeout}\``
          : releaseChangesTimeout && what !== "sameAsNew"
            ? "`timeout` = `1000` where the new release's value has `2000`"
            : undefined,
        what === "mode" ? '`mode` = "slow" where the new release\'s value has "fast"' : undefined,
        what === "up.y" ? "`up.y` = `7` where the new release's value has `1`" : undefined,
      ].filter((p) => p !== undefined);
      const expected = parts.length === 0 ? [] : [parts.join(", ")];
      expect(
        notes.map((n) => /holds (.*), and the new release's value replaces it/.exec(n)?.[1]),
      ).toEqual(expected);
    }),
    { seed: 311, numRuns: 40 },
  );
});
