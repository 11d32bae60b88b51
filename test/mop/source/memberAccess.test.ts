/**
 * What a class's code does with its object (closureMembers.ts memberAccess):
 * a member only assigned (`this.status = "done"`) is told apart from one
 * read, after an `await` and in closures, because an update that keeps a
 * field's value under another name loses exactly those writes (review
 * advZ15); and every member each method touches, anywhere in its code.
 */
import { expect, test } from "vitest";
import { readMemberAccess } from "../../../src/mop/source/parse.js";

const access = (members: string) => {
  const read = readMemberAccess(new Function(`return class A { ${members} };`)());
  if (read === undefined) throw new Error("not a class");
  const plain = (o: {
    closures: ReadonlySet<string>;
    suspended: ReadonlyMap<string, unknown>;
  }) => ({
    closures: [...o.closures],
    suspended: Object.fromEntries(o.suspended),
  });
  return {
    reads: plain(read.reads),
    writes: plain(read.writes),
    byMethod: Object.fromEntries(
      [...read.byMethod].map(([m, { reads, assigns }]) => [
        m,
        { reads: [...reads], assigns: [...assigns] },
      ]),
    ),
  };
};

test("an assignment after an await or in a closure is a write; a compound one reads too; before the await, neither", () => {
  expect(
    access(`async run() { this.before = 1; await 0; this.status = "done"; this.count += 1; }
      start() { setInterval(() => { this.lastBeat = Date.now(); this.ticks++; }, 5); }`),
  ).toEqual({
    reads: { closures: ["ticks"], suspended: { count: ["run()"] } },
    writes: { closures: ["lastBeat"], suspended: { status: ["run()"] } },
    byMethod: {
      run: { reads: ["count"], assigns: ["before", "status"] },
      start: { reads: ["ticks"], assigns: ["lastBeat"] },
    },
  });
});

test("a transpiled async body (`_this` in a generator run at once) writes the same way", () => {
  expect(
    access(
      `run() { var _this = this; return step(function* () { yield 1; _this.status = "done"; })(); }`,
    ).writes,
  ).toEqual({ closures: [], suspended: { status: ["run()"] } });
});
