/**
 * MM_DEV_CUSTOM_ELEMENT_DEFINITION: an edit of a custom element's class that
 * changes what `customElements.define` read once off its constructor
 * (`observedAttributes` it adds to, `formAssociated`, `disabledFeatures`).
 * The page said `updated XEl (…, ~static get observedAttributes)` and the
 * added attribute was never reported (review advZ16 1). Run against a
 * registry standing in for the page's (Node has none); the callbacks
 * themselves are test/mop/customElementCallbacks.test.ts's and, in Chromium,
 * test/dev/viteCustomElementCallbacks.test.ts's.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { Namespace } from "../../src/index.js";
import {
  CustomElementDefinitionChange,
  refuseDefinitionChange,
} from "../../src/dev/customElementDefinition.js";

class FakeElement {}
/** Reads what define reads, in its order. */
class FakeRegistry {
  define(_name: string, ctor: Function): void {
    const prototype = (ctor as { prototype: object }).prototype;
    Reflect.get(prototype, "attributeChangedCallback");
    for (const key of ["observedAttributes", "disabledFeatures", "formAssociated"])
      Reflect.get(ctor, key);
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

const element = (statics: string): Function =>
  new Function(
    "HTMLElement",
    `return class XEl extends HTMLElement {
  ${statics}
  attributeChangedCallback() {}
};`,
  )(FakeElement) as Function;

function refusal(before: string, after: string): unknown {
  const ns = new Namespace("elements");
  const XEl = ns.registerClass(element(before) as new () => object, {
    externalSuperclass: true,
    constructedOnlyThroughHandle: true,
  });
  new FakeRegistry().define("x-el", XEl);
  try {
    refuseDefinitionChange("XEl", XEl, element(after));
  } catch (error) {
    return error;
  }
  return "applied";
}

test("an edit that observes another attribute is refused MM_DEV_CUSTOM_ELEMENT_DEFINITION, naming it", () => {
  const error = refusal(
    `static get observedAttributes() { return ["a"]; }`,
    `static get observedAttributes() { return ["a", "b"]; }`,
  );
  expect(error).toBeInstanceOf(CustomElementDefinitionChange);
  expect(error).toMatchObject({
    code: "MM_DEV_CUSTOM_ELEMENT_DEFINITION",
    className: "XEl",
    tag: "x-el",
    message:
      'class XEl is the custom element <x-el>, and the edit changes its observedAttributes (adds "b"), which customElements.define read once, when the page defined <x-el>: an element name cannot be defined again, so only a page reload applies it',
  });
});

test("formAssociated and disabledFeatures are named too; an attribute no longer observed is no refusal", () => {
  const error = refusal(
    `static observedAttributes = ["a", "b"];`,
    `static observedAttributes = ["a"]; static formAssociated = true; static disabledFeatures = ["shadow"];`,
  );
  expect((error as Error).message).toContain(
    'the edit changes its formAssociated (false → true), disabledFeatures (none → "shadow"), which customElements.define read once',
  );
  expect(
    refusal(`static observedAttributes = ["a", "b"];`, `static observedAttributes = ["b"];`),
  ).toBe("applied");
});
