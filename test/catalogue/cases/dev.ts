// Live development: the edits `metamorph dev` and the Vite plugin cannot apply
// in place. The planner reports them (a TypeError subclass naming the class,
// which the runtime turns into a restart), and planning changes nothing.
import { Namespace } from "../../../src/index.js";
import type { Constructor } from "../../../src/mop/index.js";
import { planClassUpdates } from "../../../src/dev/plan.js";
import { deepSnapshot, snapshotDifference, type World } from "../snapshot.js";
import { type AnyCase, kase } from "../support.js";

interface DevWorld extends World {
  readonly ns: Namespace;
  readonly handle: Constructor;
  readonly objects: object[];
}

function devWorld(): DevWorld {
  const ns = new Namespace("dev");
  class Sprite {
    x = 0;
    y = 0;
  }
  const handle = ns.registerClass(Sprite) as unknown as Constructor;
  return { ns, handle, objects: [new (handle as unknown as new () => object)()] };
}

/** Plans a reload of Sprite to `implementation`; returns what it threw and whether the world changed. */
function planReload(
  w: DevWorld,
  implementation: Function,
): { error: unknown; difference: string | undefined } {
  const before = deepSnapshot(w);
  let error: unknown;
  try {
    planClassUpdates([{ name: "Sprite", handle: w.handle, implementation }], {
      namespace: w.ns,
      patchName: "reload",
      migrations: {},
      migrationsFile: "sprite.migrations.ts",
      used: new Set(),
    });
  } catch (e) {
    error = e;
  }
  return { error, difference: snapshotDifference(before, deepSnapshot(w)) };
}

function expectReported(kind: string, words: readonly string[]) {
  return (result: unknown) => {
    const { error, difference } = result as {
      error: Error | undefined;
      difference: string | undefined;
    };
    if (error?.name !== kind && error?.constructor.name !== kind)
      throw new Error(`expected ${kind}, got ${String(error)}`);
    for (const w of words)
      if (!error.message.includes(w)) throw new Error(`"${error.message}" does not name ${w}`);
    if (difference !== undefined) throw new Error(`planning changed the world:\n${difference}`);
  };
}

export const devCases: AnyCase[] = [
  kase<DevWorld>({
    name: "a reload that adds private # members",
    setup: devWorld,
    act: (w) => {
      class Sprite {
        #hidden = 1;
        x = 0;
        y = 0;
        hidden() {
          return this.#hidden;
        }
      }
      return planReload(w, Sprite);
    },
    accept: expectReported("PrivateMembersChange", ["Sprite", "private", "Restart"]),
  }),
  kase<DevWorld>({
    name: "a reload that makes the class extend a class metamorph does not manage",
    setup: devWorld,
    act: (w) => {
      class Sprite extends Map<string, number> {
        x = 0;
        y = 0;
      }
      return planReload(w, Sprite);
    },
    accept: expectReported("UnmanagedSuperclassChange", ["Sprite", "Map", "restart"]),
  }),
  kase<DevWorld>({
    name: "a reload that renames a field without a hint is planned with a warning",
    setup: devWorld,
    act: (w) => {
      class Sprite {
        left = 0;
        y = 0;
      }
      const before = deepSnapshot(w);
      const plan = planClassUpdates(
        [{ name: "Sprite", handle: w.handle, implementation: Sprite }],
        {
          namespace: w.ns,
          patchName: "reload",
          migrations: {},
          migrationsFile: "sprite.migrations.ts",
          used: new Set(),
        },
      );
      return { plan, difference: snapshotDifference(before, deepSnapshot(w)) };
    },
    accept: (result) => {
      const { plan, difference } = result as {
        plan: { warnings: string[] };
        difference: string | undefined;
      };
      if (difference !== undefined) throw new Error(difference);
      const warning = plan.warnings.join("\n");
      if (
        !warning.includes("x") ||
        !warning.includes("left") ||
        !warning.includes("sprite.migrations.ts")
      ) {
        throw new Error(`warning: ${warning}`);
      }
    },
  }),
];
