/**
 * Classes a bundler renamed, in the warnings about what the objects hold
 * (MM_OLD_RELEASE_VALUE, MM_FIELD_KIND_CHANGED). marked 12's bundle binds
 * its classes as `_Tokenizer`, `_TextRenderer` (rollup writes
 * `Tokenizer$1`, esbuild `Tokenizer2`):
 *
 * - marked 4.3 -> 12 with Lexer replaced alone committed with no warning:
 *   every Lexer kept 4.3's Tokenizer (`this.tokenizer =
 *   this.options.tokenizer`, a name the class's assignment does not
 *   show), and 12's code threw on every lex. The held class is matched to
 *   the new release's by name modulo such renamings, and said.
 * - Parser, Renderer and TextRenderer replaced in one patch: the update
 *   said `textRenderer` held a TextRenderer "which this update does not
 *   replace", the new release putting a `_TextRenderer` there, and that
 *   the field's kind changed; the patch replaced it, and the object was
 *   on 12's class. A replaced class is its replacement's by identity.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { renamedAlike } from "../../src/migration/classCounterparts.js";
import { Namespace, patch, type UpdateWarning, updateSync } from "../../src/index.js";

const POLICIES = ["eager", "lazy", "progressive"] as const;
type Policy = (typeof POLICIES)[number];

/** How a bundle writes a class's name. */
const RENAMINGS = [
  (n: string) => n,
  (n: string) => `_${n}`,
  (n: string) => `${n}$1`,
  (n: string) => `${n}2`,
] as const;

const codes = (warnings: readonly UpdateWarning[], ...of: string[]) =>
  warnings.filter((w) => of.includes(w.code)).map((w) => [w.code, w.className, w.field]);

type Lexer = { lex(src: string): string; tokenizer: object };
type LexerRelease = { Lexer: new (o?: object) => Lexer; Tokenizer: new (o?: object) => object };

/**
 * One release of a markdown lexer in marked's pattern: the Lexer takes its
 * Tokenizer from its options (made there if missing) and writes its rule
 * tables into it. Release 12 reads a rule 4.3's tables lack, and has a
 * field more (its objects migrate: a lazy update has none at hand).
 * `shared`: a Tokenizer class of a dependency, in place of the release's own;
 * `bound` the name its module binds it under (a minifier's `t`).
 */
function lexers(
  release: "4.3" | "12",
  name: (n: string) => string = (n) => n,
  shared?: Function,
  bound = name("Tokenizer"),
): LexerRelease {
  const [T, L] = [name("Tokenizer"), name("Lexer")];
  const rules =
    release === "4.3"
      ? "{ inline: { text: /\\w+/ } }"
      : "{ inline: { text: /\\w+/, punct: /[*]/g } }";
  const lex =
    release === "4.3"
      ? "return this.tokenizer.text(src);"
      : "this.tokenizer.rules.inline.punct.exec(src); return this.tokenizer.text(src);";
  return new Function(
    "shared",
    `"use strict";
    const rules = ${rules};
    const ${bound} = shared ?? class ${T} {
      constructor(options) { this.options = options || {}; }
      text(src) { return "${release}:" + this.rules.inline.text.exec(src)[0]; }
    };
    class ${L} {
      constructor(options) {
        this.options = options || {};
        this.options.tokenizer = this.options.tokenizer || new ${bound}();
        this.tokenizer = this.options.tokenizer;
        this.tokenizer.options = this.options;
        this.tokenizer.lexer = this;
        this.tokenizer.rules = rules;
        this.inlineQueue = [];
        ${release === "12" ? "this.state = { top: true };" : ""}
      }
      lex(src) { ${lex} }
    }
    return { Lexer: ${L}, Tokenizer: ${bound} };`,
  )(shared) as LexerRelease;
}

function upgradeLexer(policy: Policy, to: LexerRelease, from = lexers("4.3")) {
  const ns = new Namespace(`renamed-lexer-${policy}`);
  const L = ns.registerClass(from.Lexer, { name: "Lexer" }) as unknown as LexerRelease["Lexer"];
  const lexer = new L();
  expect(lexer.lex("abc")).toMatch(/:abc$/);
  const result = updateSync(ns, patch("12").replaceImplementation("Lexer", to.Lexer).build(), {
    policy,
  });
  return { lexer, warnings: result.warnings };
}

describe.each(POLICIES)("marked's Lexer replaced alone (%s)", (policy) => {
  test("`tokenizer` holds the running release's Tokenizer, which the new bundle calls `_Tokenizer`: said", () => {
    const { lexer, warnings } = upgradeLexer(policy, lexers("12", RENAMINGS[1]));
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE")).toEqual([
      ["MM_OLD_RELEASE_VALUE", "Lexer", "tokenizer"],
    ]);
    const [w] = warnings.filter((x) => x.code === "MM_OLD_RELEASE_VALUE");
    expect(w!.note).toMatch(
      policy === "eager"
        ? /^field `tokenizer` holds objects of class Tokenizer of the running release, which this update does not replace; the new release's code has a class _Tokenizer \(its Tokenizer, as its bundle names it\) of its own/
        : /^field `tokenizer` (holds|may hold) objects of class Tokenizer\b.*class _Tokenizer\b.* of its own/,
    );
    expect(w!.message).toContain("register Tokenizer and replace it in the same patch");
    // What it warns of.
    expect(() => lexer.lex("a*b")).toThrow(TypeError);
  });

  test("a Tokenizer the new bundle binds under a minified name is found by its own `.name`", () => {
    const { lexer, warnings } = upgradeLexer(policy, lexers("12", RENAMINGS[0], undefined, "t"));
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE")).toEqual([
      ["MM_OLD_RELEASE_VALUE", "Lexer", "tokenizer"],
    ]);
    if (policy === "eager")
      expect(warnings.find((w) => w.code === "MM_OLD_RELEASE_VALUE")!.note).toContain(
        "the new release's code has a class t (its Tokenizer, as its bundle names it) of its own",
      );
    expect(() => lexer.lex("a*b")).toThrow(TypeError);
  });

  test("a Tokenizer both releases take from one dependency is not said", () => {
    const dependency = lexers("12", RENAMINGS[1]).Tokenizer;
    const { warnings } = upgradeLexer(
      policy,
      lexers("12", RENAMINGS[1], dependency),
      lexers("4.3", RENAMINGS[0], dependency),
    );
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE")).toEqual([]);
  });
});

/**
 * Over how the new bundle renames the classes and the update's policy: the
 * held Tokenizer is said, whichever renaming either bundle made; and
 * names are alike only as bundlers rename them (`Vec2` is not `Vec3`).
 */
test("the held class is matched to the new release's by name modulo a bundler's renaming", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: RENAMINGS.length - 1 }),
      fc.integer({ min: 0, max: RENAMINGS.length - 1 }),
      fc.constantFrom(...POLICIES),
      (ours, theirs, policy) => {
        const from = lexers("4.3", RENAMINGS[ours]);
        const { lexer, warnings } = upgradeLexer(policy, lexers("12", RENAMINGS[theirs]), from);
        expect(codes(warnings, "MM_OLD_RELEASE_VALUE")).toEqual([
          ["MM_OLD_RELEASE_VALUE", "Lexer", "tokenizer"],
        ]);
        expect(() => lexer.lex("a*b")).toThrow(TypeError);
      },
    ),
    { seed: 41203, numRuns: 12 },
  );
  for (const [a, b, alike] of [
    ["Tokenizer", "_Tokenizer", true],
    ["Tokenizer$1", "Tokenizer2", true],
    ["__Tokenizer", "Tokenizer$12", true],
    ["Vec2", "Vec3", false],
    ["Vec2", "_Vec2", true],
    ["Token", "Tokenizer", false],
    ["_", "$1", false],
  ] as const)
    expect([a, b, renamedAlike(a, b)]).toEqual([a, b, alike]);
});

type Parser = { parse(text: string): string; textRenderer: object };
type ParserRelease = {
  Parser: new (o?: object) => Parser;
  Renderer: new () => object;
  TextRenderer: new () => object;
};

/**
 * One release of a renderer in marked's pattern: Parser keeps a Renderer
 * from its options and a TextRenderer it makes itself; `name` how the
 * bundle names the classes, `text` what the TextRenderer is called in it.
 */
function parsers(release: string, name: (n: string) => string, text = "TextRenderer") {
  const [P, R, T] = [name("Parser"), name("Renderer"), name(text)];
  return new Function(`"use strict";
    class ${R} { strong(t) { return "<b>" + t + "</b>"; } }
    class ${T} { strong(t) { return t; } }
    class ${P} {
      constructor(options) {
        this.options = options || {};
        this.options.renderer = this.options.renderer || new ${R}();
        this.renderer = this.options.renderer;
        this.textRenderer = new ${T}();
        ${release === "12" ? "this.depth = 0;" : ""}
      }
      parse(t) { return "${release}:" + this.renderer.strong(t) + this.textRenderer.strong(t); }
    }
    return { Parser: ${P}, Renderer: ${R}, TextRenderer: ${T} };`)() as ParserRelease;
}

function upgradeParser(
  policy: Policy,
  to: ParserRelease,
  classes: readonly (keyof ParserRelease)[],
) {
  const from = parsers("4.3", RENAMINGS[0]);
  const ns = new Namespace(`renamed-parser-${policy}`);
  for (const c of classes) ns.registerClass(from[c] as new () => object, { name: c });
  const parser = new (ns.classNamed("Parser") as unknown as ParserRelease["Parser"])();
  let next = patch("12");
  for (const c of classes) next = next.replaceImplementation(c, to[c] as new () => object);
  const result = updateSync(ns, next.build(), { policy });
  return { parser, warnings: result.warnings };
}

describe.each(POLICIES)("marked's Parser, Renderer and TextRenderer (%s)", (policy) => {
  test("all three replaced by a bundle that renames them: nothing said of `textRenderer`, and the objects are the new release's", () => {
    const to = parsers("12", RENAMINGS[1]);
    const { parser, warnings } = upgradeParser(policy, to, ["Parser", "Renderer", "TextRenderer"]);
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE", "MM_FIELD_KIND_CHANGED")).toEqual([]);
    expect(parser.parse("x")).toBe("12:<b>x</b>x");
    expect(parser.textRenderer).toBeInstanceOf(to.TextRenderer);
  });

  test("a TextRenderer the new release calls otherwise, replaced by it in the patch, is matched by identity", () => {
    const to = parsers("12", RENAMINGS[0], "PlainRenderer");
    const { parser, warnings } = upgradeParser(policy, to, ["Parser", "Renderer", "TextRenderer"]);
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE", "MM_FIELD_KIND_CHANGED")).toEqual([]);
    expect(parser.parse("x")).toBe("12:<b>x</b>x");
  });

  test("Parser replaced alone: its renderers are the running release's where the new one has its own, renamed: said", () => {
    const { warnings } = upgradeParser(policy, parsers("12", RENAMINGS[1]), ["Parser"]);
    expect(codes(warnings, "MM_OLD_RELEASE_VALUE", "MM_FIELD_KIND_CHANGED")).toEqual([
      ["MM_OLD_RELEASE_VALUE", "Parser", "renderer"],
      ["MM_OLD_RELEASE_VALUE", "Parser", "textRenderer"],
    ]);
  });
});
