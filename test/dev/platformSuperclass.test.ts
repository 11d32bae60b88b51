/**
 * A class extending a platform class (EventTarget, Map, Error) edited on the
 * page a second time (review advZ16 3): the plan compared the superclass of
 * the new implementation, null for an unchanged class outside the namespace,
 * with the one the previous implementation's source names ("EventTarget"),
 * and so reported `extends EventTarget→(none)`, queued a changeSuperclass to
 * none and migrated the subclasses as if fields had moved.
 */
import { expect, test } from "vitest";
import { describeClassChange } from "../../src/dev/common.js";
import { planClassUpdates } from "../../src/dev/plan.js";
import { Namespace } from "../../src/index.js";

const PLATFORM: readonly (new () => object)[] = [EventTarget, Map, Error, Set];

test("a second edit of a class extending a platform class plans no change of superclass", () => {
  for (const Platform of PLATFORM) {
    const ns = new Namespace(`platform-${Platform.name}`);
    const Base = ns.registerClass(
      class Base extends Platform {
        b = 1;
        who() {
          return "v1";
        }
      },
      { constructedOnlyThroughHandle: true },
    );
    // What the page applied at the first edit, and the second edit's class (a field added).
    const applied = class Base extends Platform {
      b = 1;
      who() {
        return "v2";
      }
    };
    const next = class Base extends Platform {
      b = 1;
      c = 3;
      who() {
        return "v3";
      }
    };
    const plan = planClassUpdates([{ name: "Base", handle: Base, implementation: next }], {
      namespace: ns,
      patchName: "base #3",
      migrations: {},
      migrationsFile: "base.migrations.ts",
      used: new Set(),
      runningImplementation: () => applied,
    });
    expect(plan.builder.operations.map((o) => o.op)).toEqual(["replaceImplementation"]);
    expect(plan.summaries.map(describeClassChange)).toEqual(["Base (+c, ~who())"]);
  }
});
