/**
 * Members the program puts on a class's prototype itself — a mixin's
 * `applyMixins(Sprite, [Jumpable])`, a class decorator's `prototype.greet =
 * …` — belong to no version of the class. An update deleted every member
 * its new version lacked, these too, silently; the next call threw (review
 * advZ5, under `metamorph dev` at every save of the class). Only the
 * running version's own members go when the next version lacks them.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, update } from "../../src/index.js";

interface Sprite {
  x: number;
  move(): number;
  jump(): string;
}

function applyMixin(target: Function): void {
  class Jumpable {
    jump(this: Sprite) {
      return `jump ${this.x}`;
    }
  }
  Object.defineProperty(
    target.prototype,
    "jump",
    Object.getOwnPropertyDescriptor(Jumpable.prototype, "jump")!,
  );
}

const registered = () => {
  const ns = new Namespace("program-members");
  const Sprite = ns.registerClass(
    class Sprite {
      x = 1;
      move() {
        return ++this.x;
      }
    },
  ) as unknown as new () => Sprite;
  return { ns, Sprite };
};
const created = () => {
  const ns = new Namespace("program-members");
  const Sprite = ns.defineClass<Sprite>({
    name: "Sprite",
    fields: [{ name: "x", initializer: "1" }],
    methods: {
      move(this: Sprite) {
        return ++this.x;
      },
    },
  });
  return { ns, Sprite };
};

const updates = {
  release: (policy: Policy) =>
    patch("release")
      .policy(policy)
      .replaceImplementation(
        "Sprite",
        class Sprite {
          x = 1;
          move() {
            return (this.x += 10);
          }
        },
      )
      .build(),
  methods: (policy: Policy) =>
    patch("methods")
      .policy(policy)
      .replaceMethods("Sprite", {
        move(this: Sprite) {
          return (this.x += 10);
        },
      })
      .build(),
  field: (policy: Policy, step: number) =>
    patch("field")
      .policy(policy)
      .addField("Sprite", `y${step}`, { default: 0 })
      .replaceMethods("Sprite", {
        move(this: Sprite) {
          return (this.x += 10);
        },
      })
      .build(),
};

test("property: a member the program added to the prototype survives every kind of update, under every policy, and its rollback; the version's own members are replaced", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(registered, created),
      fc.array(fc.constantFrom(...(Object.keys(updates) as (keyof typeof updates)[])), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      async (world, kinds, policy) => {
        const { ns, Sprite } = world();
        applyMixin(Sprite);
        const sprite = new Sprite();
        const results = [];
        for (const [step, kind] of kinds.entries()) {
          if (kind === "release" && world === created) continue;
          const result = await update(ns, updates[kind](policy, step));
          results.push(result);
          const before = sprite.x;
          expect(sprite.move()).toBe(before + 10);
          expect(sprite.jump()).toBe(`jump ${sprite.x}`);
          expect(new Sprite().jump()).toBe("jump 1");
        }
        for (const result of results.reverse()) result.rollback();
        expect(sprite.jump()).toBe(`jump ${sprite.x}`);
        const x = sprite.x;
        expect(sprite.move()).toBe(x + 1);
      },
    ),
    { seed: 8128, numRuns: 8 },
  );
});
