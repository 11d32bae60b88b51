/**
 * A method the new version makes an own field (`onClick() {…}` becoming
 * `onClick = () => …`): eager migrates every object in the commit; lazy and
 * progressive removed the method from the prototype first, and calling it
 * on an object not yet migrated threw a bare TypeError. Those policies
 * refuse such an update, before anything changes.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

function buttons() {
  class ButtonV1 {
    clicks = 0;
    onClick() {
      return ++this.clicks;
    }
  }
  class ButtonV2 {
    clicks = 0;
    onClick = () => ++this.clicks;
  }
  Object.defineProperty(ButtonV2, "name", { value: "ButtonV1" });
  return { ButtonV1, ButtonV2 };
}

test("eager: the old object gets the field and keeps its count", () => {
  const { ButtonV1, ButtonV2 } = buttons();
  const ns = new Namespace("ui-eager");
  const Button = ns.registerClass(ButtonV1);
  const b = new Button();
  b.onClick();
  updateSync(ns, patch("bind").replaceImplementation("ButtonV1", ButtonV2).build());
  expect(b.onClick()).toBe(2);
  expect(Object.hasOwn(b, "onClick")).toBe(true);
});

test.each(["lazy", "progressive"] as const)(
  "%s: refused, naming the method; nothing changed",
  (policy) => {
    const { ButtonV1, ButtonV2 } = buttons();
    const ns = new Namespace(`ui-${policy}`);
    const Button = ns.registerClass(ButtonV1);
    const b = new Button();
    b.onClick();
    expect(() =>
      updateSync(ns, patch("bind").replaceImplementation("ButtonV1", ButtonV2).build(), { policy }),
    ).toThrow(
      expect.objectContaining({
        code: "MM_INVALID_PATCH",
        message: expect.stringContaining("onClick()"),
      }),
    );
    expect([b.onClick(), Object.keys(b)]).toEqual([2, ["clicks"]]);
  },
);
