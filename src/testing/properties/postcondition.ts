/** Postcondition: the user's relation holds between every old instance and its migrated self. */
import type { OldView } from "../../patch/operations.js";
import type { PropertyKit } from "./kit.js";
import { attempt, fail, settle } from "./running.js";
import type { PropertyDefinition, Postcondition, PostconditionContext } from "./types.js";
import { CHECKED, PROPERTY_DESCRIPTIONS, vacuous } from "./types.js";
import { userFrame } from "./userFrame.js";
import { className, describeError, refusalText } from "./wording.js";

function holds(
  check: Postcondition,
  old: OldView,
  migrated: object,
  context: PostconditionContext,
): void {
  let r: ReturnType<Postcondition>;
  try {
    r = check(old, migrated as Readonly<Record<string, unknown>>, context);
  } catch (error) {
    fail(
      "postcondition",
      `the postcondition threw on instance #${context.index} (${context.oldClass}): ${describeError(error)}${userFrame(error)}`,
    );
  }
  if (r === false || typeof r === "string") {
    fail(
      "postcondition",
      `the postcondition does not hold on instance #${context.index} (${context.oldClass}): ${r === false ? "it returns false" : r}`,
    );
  }
}

export function postcondition({
  patch,
  postcondition: relation,
  build,
  plain,
}: PropertyKit): PropertyDefinition {
  return {
    name: "postcondition",
    description: PROPERTY_DESCRIPTIONS.postcondition,
    ...(relation ? {} : { skipped: "no `postcondition` given" }),
    arbitrary: plain,
    async check({ world }) {
      if (!relation) return vacuous("no postcondition");
      const live = build(world);
      const ns = live.namespace;
      const olds = live.instances.map((o) => ({
        className: className(ns, o) ?? "(unknown)",
        view: Object.freeze({ ...(o as Record<string, unknown>) }) as OldView,
      }));
      const out = attempt(ns, patch);
      if (!out.ok) return vacuous(refusalText(out.error)); // totality's and validity's concern
      if ((await settle(out.result)).failed.length > 0) return vacuous("a migrator threw");
      for (const [index, o] of live.instances.entries()) {
        const context = { index, oldClass: olds[index]!.className, newClass: className(ns, o) };
        holds(relation, olds[index]!.view, o, context);
      }
      return live.instances.length === 0 ? vacuous("the world has no instances") : CHECKED;
    },
  };
}
