/**
 * Known bug (review advZ30 #2, not fixed): a class whose own symbol field
 * is declared before its string fields (`[kState] = 0; user = "u"`) sends
 * every object an update migrates with code (a migrator, eager or lazy) to
 * V8 dictionary mode, and the rollback leaves it there, even for an
 * add-only patch; fresh objects stay fast. The complete-state path
 * (carriedState.ts, taken when the patch carries code and the object has
 * an own symbol) orders symbols last (`stateOf`), so the rewrite deletes a
 * symbol V8 stores in front of the strings.
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";
import { hasFastProperties } from "../support/v8.js";

const kState = Symbol("state");

test.fails("an own symbol field ahead of the strings: fast after a migrator's update and its rollback", () => {
  const ns = new Namespace("leading-symbol", { instanceFinder: "registry" });
  const Session = ns.registerClass(
    class Session {
      [kState] = 0;
      user = "u";
      hits = 3;
    },
  );
  const s = new Session() as unknown as Record<string, unknown>;
  expect(hasFastProperties(s)).toBe(true);
  const result = updateSync(
    ns,
    patch("v2")
      .addField("Session", "seen", { default: 0 })
      .migrate("Session", (old, t) => {
        (t as Record<string, unknown>).seen = old.hits;
      })
      .build(),
  );
  expect(s.seen).toBe(3);
  expect(hasFastProperties(new Session())).toBe(true);
  expect(hasFastProperties(s)).toBe(true);
  result.rollback();
  expect(hasFastProperties(s)).toBe(true);
});
