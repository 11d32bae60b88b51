/**
 * An object made while an update is committed is built by the new version's
 * constructor: a function it put in a field (`this.get =
 * this.get.bind(this)`, an arrow field) is that version's code. The rollback
 * kept such fields as state the program wrote since, and the object went on
 * running the new release's code under the old one (node-cache 5.1.0 →
 * 5.1.2: its timer threw "Bound instance method accessed before binding" a
 * second after the rollback; review advX3).
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

/** A release of a store whose constructor binds `get` (and, from v2 on, counts its reads). */
function release(tag: string, counted: boolean): new () => { get(): string } {
  return new Function(
    `return class Store {
      constructor() {
        this.items = [];${counted ? "\n        this.reads = 0;" : ""}
        this.get = this.get.bind(this);
        this.label = () => "${tag}:" + this.items.length;
      }
      get() { return "${tag}"; }
    };`,
  )() as new () => { get(): string };
}

describe.each(["registry", "heap"] as const)("rollback, %s finder", (finder) => {
  test("an object made since the commit gets the old version's bound method and arrow again; one made before keeps its own", () => {
    const ns = new Namespace(`bound-${finder}`, { instanceFinder: finder });
    const Store = ns.registerClass(release("v1", false));
    const before = new Store() as unknown as Record<string, () => string>;
    const ownBefore = before.get;
    const result = updateSync(
      ns,
      patch("v2").replaceImplementation("Store", release("v2", true)).build(),
    );
    const made = new Store() as unknown as Record<string, () => string>;
    expect([made.get!(), made.label!()]).toEqual(["v2", "v2:0"]);
    result.rollback();
    expect([made.get!(), made.label!()]).toEqual(["v1", "v1:0"]);
    // Bound to the object itself: `this` inside is the object.
    expect(Object.keys(made)).toEqual(["items", "get", "label"]);
    expect(before.get).toBe(ownBefore);
    expect(before.get!()).toBe("v1");
  });
});

describe.each(["registry", "heap"] as const)(
  "rollback keeps functions that are state, %s finder",
  (finder) => {
    test("an object the update migrated keeps the callback the program stored in a field (review advX5: the lean path took it for one made since, and reset it)", () => {
      const ns = new Namespace(`callbacks-${finder}`, { instanceFinder: finder });
      const Client = ns.registerClass(
        class Client {
          id = 1;
          onError: (() => string) | null = null;
        },
      );
      const client = new Client();
      const handler = () => "handled";
      client.onError = handler;
      const result = updateSync(
        ns,
        patch("t").addField("Client", "timeoutMs", { default: 5 }).build(),
      );
      result.rollback();
      expect(client.onError).toBe(handler);
    });

    test("an object made since the commit keeps a callback stored since and a function a call returned; its own initialisers do not run again", () => {
      let subscriptions = 0;
      const bus = {
        on: () => {
          subscriptions++;
          return () => subscriptions--;
        },
      };
      const source = (tag: string) =>
        new Function(
          "bus",
          `return class Feed {
          constructor() {
            this.onData = () => "${tag} default";
            this.off = bus.on();
            this.tag = "${tag}";${tag === "v2" ? "\n            this.extra = 1;" : ""}
          }
        };`,
        )(bus) as new () => Record<string, unknown>;
      const ns = new Namespace(`state-functions-${finder}`, { instanceFinder: finder });
      const Feed = ns.registerClass(source("v1"));
      const result = updateSync(
        ns,
        patch("v2").replaceImplementation("Feed", source("v2")).build(),
      );
      const made = new Feed();
      const stored = () => "the program's";
      made.onData = stored;
      const off = made.off;
      expect(subscriptions).toBe(1);
      result.rollback();
      expect(made.onData).toBe(stored);
      expect(made.off).toBe(off);
      expect(subscriptions).toBe(1);
    });
  },
);

test("an arrow field of the same text in both versions keeps its identity on an object made since: it calls through `this`, which the rollback points at the old methods", () => {
  const source = (tag: string, extra: string) =>
    new Function(
      `return class Button {
        constructor() {${extra}
          this.handler = () => this.click();
        }
        click() { return "${tag}"; }
      };`,
    )() as new () => { handler(): string };
  const ns = new Namespace("same-arrow", { instanceFinder: "registry" });
  const Button = ns.registerClass(source("v1", ""));
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Button", source("v2", "\n          this.pressed = 0;"))
      .build(),
  );
  const made = new Button();
  const handler = made.handler;
  expect(handler()).toBe("v2");
  result.rollback();
  expect(made.handler).toBe(handler);
  expect(handler()).toBe("v1");
});
