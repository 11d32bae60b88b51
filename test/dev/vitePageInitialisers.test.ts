/**
 * Issue 15, item 2 on the Vite page: an edit that adds a field whose
 * initialiser reads state the constructor sets later (`tag =
 * \`${this.name}-tagged\``) gives migrated objects a value computed from
 * their complete state and new ones `undefined-tagged`. The dev server reads
 * such initialisers when it rewrites the module (the page has no parser)
 * and hands them over with the class; the page warns with the edit, naming
 * the field and its line, as `metamorph dev` does (./initialisers.test.ts).
 * Server side on real module text; the page runtime run in Node.
 */
import { expect, test, vi } from "vitest";
import type { InitialiserHazard } from "../../src/dev/initialisers.js";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import { module, status } from "../../src/dev/vitePageRuntime.js";

const V1 = `export class Monster {
  constructor(name) {
    this.name = name;
  }
}
`;

const V2 = `export class Monster {
  tag = \`\${this.name}-tagged\`;
  constructor(name) {
    this.name = name;
  }
}
`;

/** The hazards the server hands over with `Monster` in its rewrite of `code`. */
function handedHazards(code: string): InitialiserHazard[] {
  const out = instrumentForVite(code, "/src/monster.js", undefined)!.code;
  // The hazards, then the setter of the binding (a class moved here takes over its handle).
  const call =
    /\.manage\("Monster", Monster, (?:null|\{.*?\})(?:, (\[.*?\]))?(?:, \(v\) => Monster = v)?\)/s.exec(
      out,
    );
  expect(call).not.toBeNull();
  return call![1] ? (JSON.parse(call![1]) as InitialiserHazard[]) : [];
}

test("the server hands over the initialisers that read what the constructor sets later, with their lines", () => {
  expect(handedHazards(V1)).toEqual([]);
  expect(handedHazards(V2)).toEqual([{ field: "tag", line: 2, reads: ["name"] }]);
});

test("an edit that adds such a field warns on the page, naming the field and its line", async () => {
  const url = "http://localhost/src/monster.js";
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const first = module(url);
    const Monster = first.manage(
      "Monster",
      class Monster {
        constructor(public name: string) {}
      },
      null,
      handedHazards(V1),
    ) as new (
      name: string,
    ) => { name: string; tag?: string };
    first.commit();
    const m0 = new Monster("m0");
    const { updates } = status;
    const second = module(url);
    second.manage(
      "Monster",
      class Monster {
        tag = `${(this as unknown as { name: string }).name}-tagged`;
        constructor(public name: string) {}
      },
      null,
      handedHazards(V2),
    );
    second.commit();
    // The engine loads on the first edit: applied asynchronously.
    await expect.poll(() => status.updates, { timeout: 30_000 }).toBe(updates + 1);
    expect(m0.tag).toBe("m0-tagged");
    expect(new Monster("m1").tag).toBe("undefined-tagged");
    expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringMatching(
        /^\[metamorph\] \/src\/monster\.js: warning: Monster\.tag \(line 2\): its initialiser reads this\.name, which a new object does not have yet/,
      ),
    );
  } finally {
    warn.mockRestore();
  }
});
