/**
 * MM_UNSEEN_STATE for state other code of the running release wrote into
 * a class's objects, which the class's own source never sets. marked 4.3
 * -> 12 with Lexer and Tokenizer replaced in one patch committed with no
 * word: 4.3's Lexer constructor writes `this.tokenizer.rules = rules` into
 * the Tokenizer, every Tokenizer kept 4.3's tables, and 12's code,
 * reading `this.rules.inline.anyPunctuation`, threw on every lex. A
 * migrator rebuilding `rules` (what the warning advises) fixes it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;
type Policy = (typeof POLICIES)[number];

const unseen = (warnings: readonly UpdateWarning[]) =>
  warnings.filter((w) => w.code === "MM_UNSEEN_STATE");

type Lexer = { lex(src: string): string; tokenizer: { rules: unknown } };
type Release = {
  Lexer: new (o?: object) => Lexer;
  Tokenizer: new (o?: object) => object;
  rules: Record<string, Record<string, RegExp>>;
};

/**
 * One release of a markdown lexer in marked's pattern: the Lexer writes
 * its rule tables (`rules`) and itself (`lexer`) into its Tokenizer, whose
 * source sets `options` only (and reads `rules`). `inline` the rules its
 * tables have, `read` those the Tokenizer's code reads.
 */
function release(tag: string, inline: readonly string[], read: readonly string[]): Release {
  const table = inline.map((r) => `${r}: /[a-z]+/`).join(", ");
  const uses = read.map((r) => `this.rules.inline.${r}.exec(src);`).join(" ");
  return new Function(`"use strict";
    const rules = { inline: { ${table} } };
    class Tokenizer {
      constructor(options) { this.options = options || {}; }
      text(src) { ${uses} return "${tag}:" + this.lexer.depth + ":" + src + (this.rules ? "" : "?"); }
    }
    class Lexer {
      constructor(options) {
        this.options = options || {};
        this.options.tokenizer = this.options.tokenizer || new Tokenizer();
        this.tokenizer = this.options.tokenizer;
        this.tokenizer.lexer = this;
        this.tokenizer.rules = rules;
        this.depth = 0;
      }
      lex(src) { return this.tokenizer.text(src); }
    }
    return { Lexer, Tokenizer, rules };`)() as Release;
}

const v43 = () => release("4.3", ["text"], ["text"]);
const v12 = () => release("12", ["text", "anyPunctuation"], ["text", "anyPunctuation"]);

function upgrade(
  policy: Policy,
  to: Release,
  from: Release,
  migrate?: (old: object, target: { rules?: unknown }) => void,
) {
  const ns = new Namespace(`outside-state-${policy}`);
  const L = ns.registerClass(from.Lexer, { name: "Lexer" }) as unknown as Release["Lexer"];
  ns.registerClass(from.Tokenizer, { name: "Tokenizer" });
  const lexer = new L();
  expect(lexer.lex("a")).toBe("4.3:0:a");
  let next = patch("12")
    .replaceImplementation("Lexer", to.Lexer)
    .replaceImplementation("Tokenizer", to.Tokenizer);
  if (migrate) next = next.migrate("Tokenizer", migrate);
  const result = updateSync(ns, next.build(), { policy });
  return { lexer, warnings: unseen(result.warnings) };
}

describe.each(POLICIES)("marked's Lexer and Tokenizer replaced (%s)", (policy) => {
  test("`rules`, which Lexer wrote into the Tokenizer, is said; `lexer`, the namespace's Lexer, is not", () => {
    const { lexer, warnings } = upgrade(policy, v12(), v43());
    expect(warnings.map((w) => [w.className, w.field])).toEqual([["Tokenizer", "rules"]]);
    expect(warnings[0]!.note).toMatch(
      policy === "eager"
        ? /^field `rules` holds state Tokenizer's running source never sets \(other code of the running release wrote it into the objects\); the new release's code reads `this\.rules\.inline\.anyPunctuation` on it, which the value held lacks$/
        : /^field `rules` (holds|may hold) state Tokenizer's running source never sets\b.*`this\.rules\.inline\.anyPunctuation`/,
    );
    expect(warnings[0]!.message).toContain(
      "give Tokenizer a migrator that rebuilds it as the new release makes it (`target.rules = …`)",
    );
    // What it warns of.
    expect(() => lexer.lex("a")).toThrow(TypeError);
  });

  test("a migrator that rebuilds `rules` answers it: nothing said", () => {
    const to = v12();
    const { lexer, warnings } = upgrade(policy, to, v43(), (_, target) => {
      target.rules = to.rules;
    });
    expect(warnings).toEqual([]);
    expect(lexer.lex("a")).toBe("12:0:a");
  });
});

/**
 * Over the rules each release's tables have and its Tokenizer reads: with
 * the objects at hand (eager), the note names exactly the rules the new
 * code reads that the held tables lack, and says the field in any case
 * (the tables are the running release's, whatever they hold).
 */
test("names exactly the members the new code reads that the held value lacks", () => {
  const names = ["text", "anyPunctuation", "emStrong", "del"] as const;
  fc.assert(
    fc.property(
      fc.subarray([...names], { minLength: 1 }),
      fc.subarray([...names], { minLength: 1 }),
      (had, read) => {
        const { warnings } = upgrade("eager", release("12", names, read), release("4.3", had, []));
        const lacking = read.filter((r) => !had.includes(r));
        // The first three, as the note quotes them.
        const listed = (rules: readonly string[], tail: string) =>
          rules
            .slice(0, 3)
            .map((r) => `\`this.rules.inline.${r}${tail}\``)
            .join(", ");
        expect(warnings.map((w) => w.field)).toEqual(["rules"]);
        expect(warnings[0]!.note).toContain(
          lacking.length > 0
            ? `reads ${listed(lacking, "")} on it, which the value held lacks`
            : `reads it (${listed(read, ".exec")})`,
        );
      },
    ),
    { seed: 11742, numRuns: 12 },
  );
});

type Widget = { render(): string; el?: object };

/**
 * One release of a widget whose `el` other code sets and both releases'
 * code reads: the release's own `attach` helper (of its module, which the
 * class uses; without `helper`, one that sets nothing), or the program.
 * `read` is what the release reads on it.
 */
function widgets(tag: string, read: string, helper = true) {
  return new Function(`"use strict";
    class Widget {
      static mount(w) { return attach(w); }
      render() { return "${tag}:" + this.el.${read}; }
    }
    function attach(w) { ${helper ? 'w.el = { name: "div" };' : ""} return w; }
    return { Widget, attach };`)() as {
    Widget: new () => Widget;
    attach: (w: Widget) => Widget;
  };
}

/**
 * Over who sets `el` (the release's own code, the program) and the
 * policy: said exactly where the running release's code writes it; what
 * the program alone hands an object is its own state, not the release's.
 */
test("said only where the running release's code wrote the state", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("release", "program"),
      fc.constantFrom(...POLICIES),
      (writer, policy) => {
        const helper = writer === "release";
        const [a, b] = [widgets("1", "name", helper), widgets("2", "id", helper)];
        const ns = new Namespace(`outside-writer-${policy}`);
        const W = ns.registerClass(a.Widget, { name: "Widget" }) as unknown as new () => Widget;
        const w = new W();
        if (writer === "release") a.attach(w);
        else w.el = { name: "span" };
        const result = updateSync(
          ns,
          patch("2").replaceImplementation("Widget", b.Widget).build(),
          {
            policy,
          },
        );
        expect(
          unseen(result.warnings).map((x) => [x.field, x.note.includes("`this.el.id`")]),
        ).toEqual(writer === "release" ? [["el", true]] : []);
        expect(w.render()).toBe("2:undefined");
      },
    ),
    { seed: 9031, numRuns: 6 },
  );
});
