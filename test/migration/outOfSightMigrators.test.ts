/**
 * The warnings about state a release's constructor makes out of the
 * reader's sight, where the patch has a migrator that does not write what
 * they are about. Each was dropped as soon as the class had any migrator
 * (review advZ22, after opossum 8.0 -> 8.5's MM_NO_INITIAL_VALUE): a method
 * gone from the prototype (MM_UNSEEN_STATE, "no longer has the method"), an
 * out-of-sight field in front of a new method (MM_UNSEEN_STATE, "delete
 * target.f"), a new out-of-sight field where no migrated object shows what
 * the migrator did (MM_NO_INITIAL_VALUE, lazy). Now each is dropped only
 * for what the migrator names where it writes (or deletes).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

type Migrator = (old: Record<string, unknown>, target: Record<string, unknown>) => void;
type Policy = "eager" | "lazy" | "progressive";
type Obj = Record<string, unknown> & { call(): unknown };

interface Case {
  /** The name the warning is about, and what the running and new releases are. */
  readonly name: string;
  readonly v1: string;
  readonly v2: string;
  readonly code: string;
  /** Picks the warning about `name` out of an update's. */
  readonly about: (w: UpdateWarning) => boolean;
  /** What a live object answers, after the update, where it was left as the warning says. */
  readonly stale: unknown;
  /** The advice's words naming the migrator. */
  readonly advice: RegExp;
}

const cases: Record<"gone" | "hiding" | "missing", Case> = {
  // A method the new constructor makes a property that way (prom-client's inc()).
  gone: {
    name: "inc",
    v1: "class C { constructor() { this.state = 0; this.n = 1; } inc() { this.state += 1; } call() { this.inc(); return this.state; } }",
    v2: "class C { constructor() { this.state = 0; this.n = 1; Object.assign(this, { inc: this.incPlain }); } incPlain() { this.state += 10; } call() { this.inc(); return this.state; } }",
    code: "MM_UNSEEN_STATE",
    about: (w) => w.note.includes("no longer has the method inc()"),
    stale: "TypeError",
    advice: /the migrator of C does not name `inc`: unless it sets it by other means, set it there/,
  },
  // A field set in one branch that the new release makes a method.
  hiding: {
    name: "format",
    v1: "const FAST = true; class C { constructor() { this.state = 0; this.n = 1; if (FAST) { this.format = this.formatFast; } } formatFast() { return 'old'; } call() { return this.format(); } }",
    v2: "class C { constructor() { this.state = 0; this.n = 1; } format() { return 'new'; } call() { return this.format(); } }",
    code: "MM_UNSEEN_STATE",
    // Not the generic note a migrating class's out-of-sight field gets (warnings.ts).
    about: (w) => w.field === "format" && w.message.includes("makes `format` a method"),
    stale: "old",
    advice:
      /the migrator of C does not name `format`: unless it deletes it by other means, delete it there \(`delete target\.format`\)/,
  },
  // A new field set in one branch (ws 8.16's _autoPong).
  missing: {
    name: "autoPong",
    v1: "class C { constructor(server = true) { this.state = 0; this.n = 1; if (server) { this.server = true; } } call() { return this.autoPong === true; } }",
    v2: "class C { constructor(server = true) { this.state = 0; this.n = 1; if (server) { this.autoPong = true; this.server = true; } } call() { return this.autoPong === true; } }",
    code: "MM_NO_INITIAL_VALUE",
    about: (w) => w.field === "autoPong",
    stale: false,
    advice:
      /the migrator of C does not name `autoPong`: unless it sets it by other means, set it there/,
  },
};

/** What each case's migrator writes for its name, enough for the object to answer as a fresh one. */
const remedies: Record<keyof typeof cases, Record<string, string>> = {
  gone: {
    member: "target.inc = target.incPlain;",
    quoted: 'target["inc"] = target.incPlain;',
    literal: "Object.assign(target, { inc: target.incPlain });",
  },
  hiding: {
    member: "delete target.format;",
    quoted: 'delete target["format"];',
    literal: "target.format = undefined; delete target.format;",
  },
  missing: {
    member: "target.autoPong = true;",
    quoted: 'target["autoPong"] = true;',
    literal: "Object.assign(target, { autoPong: true });",
  },
};

/** Writes of other things. */
const others = ["target.state = 1;", "target.n = old.n + 1;", "void old.state;"];

function upgrade(c: Case, policy: Policy, body: string | null) {
  const make = (src: string) => new Function(`"use strict"; ${src} return C;`)() as new () => Obj;
  const ns = new Namespace(`out-of-sight-migrators-${c.name}-${policy}`);
  const C = ns.registerClass(make(c.v1), { name: "C" }) as unknown as new () => Obj;
  const live = new C();
  let p = patch("v2").replaceImplementation("C", make(c.v2));
  if (body !== null)
    p = p.migrate("C", new Function(`return (old, target) => { ${body} };`)() as Migrator as never);
  const result = updateSync(ns, p.build(), { policy });
  const said = result.warnings.filter((w) => w.code === c.code && c.about(w));
  const answer = () => {
    try {
      return live.call();
    } catch (e) {
      return (e as Error).name;
    }
  };
  return { said, answer };
}

test.each([
  ["gone", "eager"],
  ["gone", "lazy"],
  ["hiding", "eager"],
  ["hiding", "progressive"],
  ["missing", "lazy"],
  ["missing", "progressive"],
] as const)(
  "%s (%s): a migrator writing other things leaves it said, naming the migrator",
  (name, policy) => {
    const c = cases[name];
    const { said, answer } = upgrade(c, policy, others.join("\n"));
    expect(said).toHaveLength(1);
    expect(said[0]!.message).toMatch(c.advice);
    // What it warns of.
    expect(answer()).toEqual(c.stale);
  },
);

/**
 * Over the three warnings, migrators made of other writes and, or not, a
 * write of the name in one of three styles, and the policies: the warning
 * is said exactly where the migrator does not name it, and where it is not
 * said the object answers as a fresh one.
 */
test("said exactly where the migrator does not write what it is about", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...(Object.keys(cases) as (keyof typeof cases)[])),
      fc.subarray(others),
      fc.option(fc.constantFrom("member", "quoted", "literal")),
      fc.constantFrom<Policy>("eager", "lazy", "progressive"),
      (name, writes, style, policy) => {
        const c = cases[name];
        const body = [...writes, style === null ? "" : remedies[name][style]!].join("\n");
        const { said, answer } = upgrade(c, policy, body);
        expect(said.length).toBe(style === null ? 1 : 0);
        if (style === null) expect(answer()).toEqual(c.stale);
        else expect(answer()).not.toEqual(c.stale);
      },
    ),
    { seed: 22052, numRuns: 20 },
  );
});
