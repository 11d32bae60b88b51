/**
 * Custom elements whose class is a class handle, against a registry that
 * does what the HTML spec says `customElements.define` does: it reads the
 * handle's `prototype` once, copies the lifecycle callbacks off it and reads
 * `observedAttributes`, `formAssociated` and `disabledFeatures` off the
 * constructor, then upgrades the elements already in the page (before it
 * returns). The page's registry kept calling the first version's callbacks
 * after every edit (review advZ16 1); test/dev/viteCustomElementCallbacks.test.ts
 * runs the same in Chromium.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { fixedAtDefinition } from "../../src/mop/customElementCallbacks.js";

const CALLBACKS = [
  "connectedCallback",
  "disconnectedCallback",
  "adoptedCallback",
  "attributeChangedCallback",
  "connectedMoveCallback",
] as const;
type Callback = (typeof CALLBACKS)[number];

class FakeElement {}

interface Definition {
  readonly callbacks: Partial<Record<string, Function>>;
  readonly observed: readonly string[];
  /** The element define upgraded, and its prototype then. */
  readonly upgraded: [object, object];
}

/** The registry's side of the spec, as Chromium does it. */
class FakeRegistry {
  readonly definitions = new Map<string, Definition>();
  define(name: string, ctor: Function): void {
    const prototype = (ctor as { prototype: object }).prototype;
    const callbacks: Record<string, Function> = {};
    for (const key of [...CALLBACKS, "formAssociatedCallback"]) {
      const value = Reflect.get(prototype, key);
      if (value !== undefined) callbacks[key] = value as Function;
    }
    const observed =
      callbacks.attributeChangedCallback === undefined
        ? []
        : Array.from((Reflect.get(ctor, "observedAttributes") ?? []) as string[], String);
    Reflect.get(ctor, "disabledFeatures");
    Reflect.get(ctor, "formAssociated");
    const upgraded = Reflect.construct(ctor, []) as object;
    this.definitions.set(name, {
      callbacks,
      observed,
      upgraded: [upgraded, Object.getPrototypeOf(upgraded)],
    });
  }
  /** A callback reaction, as the registry runs it (connectedMoveCallback falling back). */
  react(name: string, element: object, key: Callback, args: unknown[] = []): void {
    const { callbacks, observed } = this.definitions.get(name)!;
    if (key === "attributeChangedCallback" && !observed.includes(String(args[0]))) return;
    const callback = callbacks[key];
    if (callback !== undefined) {
      callback.apply(element, args);
      return;
    }
    if (key !== "connectedMoveCallback") return;
    callbacks.disconnectedCallback?.call(element);
    callbacks.connectedCallback?.call(element);
  }
}

const globals = globalThis as Record<string, unknown>;
const saved = {
  HTMLElement: globals.HTMLElement,
  CustomElementRegistry: globals.CustomElementRegistry,
};

beforeAll(() => {
  globals.HTMLElement = FakeElement;
  globals.CustomElementRegistry = FakeRegistry;
});
afterAll(() => {
  Object.assign(globals, saved);
});

/** A version of the element class: the callbacks it has log `version:callback`, with the attribute. */
function version(
  label: string,
  callbacks: readonly Callback[],
  observed: readonly string[],
  formAssociated = false,
): Function {
  const methods = callbacks
    .map(
      (c) =>
        `${c}(name) { this.log.push("${label}:${c}" + (name === undefined ? "" : " " + name)); }`,
    )
    .join("\n  ");
  return new Function(
    "HTMLElement",
    `return class XEl extends HTMLElement {
  log = [];
  static get observedAttributes() { return ${JSON.stringify(observed)}; }
  static formAssociated = ${formAssociated};
  ${methods}
};`,
  )(FakeElement) as Function;
}

let namespaces = 0;
function defined(v1: Function) {
  const ns = new Namespace(`elements-${namespaces++}`);
  const XEl = ns.registerClass(v1 as new () => object, {
    externalSuperclass: true,
    constructedOnlyThroughHandle: true,
  }) as unknown as new () => { log: string[] };
  const registry = new FakeRegistry();
  registry.define("x-el", XEl);
  return { ns, XEl, registry };
}

const subset = <T>(items: readonly T[]) => fc.subarray([...items]);

describe("a custom element's class handle given to customElements.define", () => {
  test("define upgrades onto the stable prototype; the callbacks are the running version's", () => {
    const { ns, XEl, registry } = defined(version("v1", ["connectedCallback"], ["a"]));
    const [upgraded, prototypeThen] = registry.definitions.get("x-el")!.upgraded;
    expect(prototypeThen).toBe(XEl.prototype);
    expect(upgraded).toBeInstanceOf(XEl);
    const el = new XEl();
    registry.react("x-el", el, "connectedCallback");
    updateSync(
      ns,
      patch("v2")
        .replaceImplementation("XEl", version("v2", ["connectedCallback"], ["a"]))
        .build(),
    );
    registry.react("x-el", el, "connectedCallback");
    expect(el.log).toEqual(["v1:connectedCallback", "v2:connectedCallback"]);
  });

  test("property: after an edit, each callback runs the new version's, or nothing it lacks; dropped attributes are not reported (seed 1616)", () => {
    const attributes = ["a", "b", "c"] as const;
    fc.assert(
      fc.property(
        subset(CALLBACKS),
        subset(CALLBACKS),
        subset(attributes),
        subset(attributes),
        (before, after, observedBefore, observedAfter) => {
          const { ns, XEl, registry } = defined(version("v1", before, observedBefore));
          const old = new XEl();
          const v2 = version("v2", after, observedAfter);
          updateSync(ns, patch("v2").replaceImplementation("XEl", v2).build());
          const fresh = new XEl();
          for (const el of [old, fresh]) {
            for (const key of CALLBACKS)
              if (key !== "attributeChangedCallback") registry.react("x-el", el, key);
            for (const a of attributes) registry.react("x-el", el, "attributeChangedCallback", [a]);
          }
          const has = (c: Callback) => after.includes(c);
          const expected = [
            ...CALLBACKS.filter((c) => c !== "attributeChangedCallback").flatMap((c) => {
              if (has(c)) return [`v2:${c}`];
              if (c !== "connectedMoveCallback") return [];
              return (["disconnectedCallback", "connectedCallback"] as const)
                .filter(has)
                .map((d) => `v2:${d}`);
            }),
            ...(has("attributeChangedCallback")
              ? attributes
                  .filter((a) => observedBefore.includes(a) && observedAfter.includes(a))
                  .map((a) => `v2:attributeChangedCallback ${a}`)
              : []),
          ].sort();
          expect([...old.log].sort()).toEqual(expected);
          expect([...fresh.log].sort()).toEqual(expected);
          // What the registry cannot take: the attributes the edit adds.
          const added = observedAfter.filter((a) => !observedBefore.includes(a));
          expect(fixedAtDefinition(XEl, v2)?.changes ?? []).toEqual(
            added.length === 0
              ? []
              : [
                  {
                    member: "observedAttributes",
                    change: `adds ${added.map((a) => `"${a}"`).join(", ")}`,
                  },
                ],
          );
        },
      ),
      { seed: 1616, numRuns: 60 },
    );
  });

  test("formAssociated, read once by define, is a change the registry cannot take; a class never defined has none", () => {
    const { XEl } = defined(version("v1", [], []));
    expect(fixedAtDefinition(XEl, version("v2", [], [], true))).toEqual({
      tag: "x-el",
      changes: [{ member: "formAssociated", change: "false → true" }],
    });
    const ns = new Namespace(`elements-${namespaces++}`);
    const Undefined = ns.registerClass(version("v1", [], []) as new () => object, {
      externalSuperclass: true,
    });
    expect(fixedAtDefinition(Undefined, version("v2", [], ["a"], true))).toBeUndefined();
  });
});
