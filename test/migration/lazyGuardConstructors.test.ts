/**
 * A constructor kept on a class's prototype (Backbone's
 * `Collection.prototype.model`, a `Lexer.prototype.Token` a subclass may
 * override) is no method: a lazy or progressive update's guards leave it as
 * an eager update does (review advZ19). Wrapped as a method, `new
 * this.Token(t)` threw "Class constructor Token cannot be invoked without
 * 'new'", and its statics and `instanceof this.Token` were lost.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { Namespace, type Policy, patch, updateSync } from "../../src/index.js";
import { isConstructor } from "../../src/migration/guardShapes.js";
import { deepSnapshot, snapshotDifference } from "../catalogue/snapshot.js";

type Kind = "class" | "derived class" | "ES5 constructor" | "ES5 subclass" | "built-in";
const KINDS: readonly Kind[] = [
  "class",
  "derived class",
  "ES5 constructor",
  "ES5 subclass",
  "built-in",
];

/** A constructor of `kind`, with a static `kind` where the language lets one be added. */
function token(kind: Kind): Function {
  class Base {
    constructor(public text: string) {}
  }
  if (kind === "class")
    return class Token {
      static kind = "token";
      constructor(public text: string) {}
    };
  if (kind === "derived class")
    return class Word extends Base {
      static kind = "word";
    };
  if (kind === "built-in") return Map;
  const Token = new Function(
    "Base",
    `function Token(text) { Base.call(this, text); }
     ${kind === "ES5 subclass" ? "Token.prototype = Object.create(Base.prototype); Token.prototype.constructor = Token;" : ""}
     Token.prototype.upper = function () { return this.text.toUpperCase(); };
     Token.kind = "es5";
     return Token;`,
  )(function Base(this: { text: string }, text: string) {
    this.text = text;
  }) as Function;
  return Token;
}

interface Lexer {
  src: string;
  pos: number;
  Token: new (text?: string) => object;
  make(): object;
  size(): number;
}

let runs = 0;

async function run(policy: Policy, kind: Kind, rollBack: boolean) {
  const ns = new Namespace(`lazy-guard-constructors-${runs++}`);
  class Lex {
    src = "a b";
    make(this: Lexer) {
      return kind === "built-in" ? new this.Token() : new this.Token(this.src);
    }
    size() {
      return this.src.length;
    }
  }
  const Token = token(kind);
  (Lex.prototype as unknown as { Token: Function }).Token = Token;
  const L = ns.registerClass(Lex, { constructedOnlyThroughHandle: true });
  const lexers = [new L(), new L()] as unknown as Lexer[];
  // Built with once already: V8 makes a prototype fast when it first builds an object on it.
  Reflect.construct(Token, kind === "built-in" ? [] : ["warm"]);
  const before = deepSnapshot({ ns, objects: [...lexers, L.prototype] });
  const result = updateSync(ns, patch("v2").addField("Lex", "pos", { default: 0 }).build(), {
    policy,
  });
  // While the update is pending: the object migrates at its first method call.
  const [lexer, other] = lexers as [Lexer, Lexer];
  const made = lexer.make();
  const seen = {
    made: made.constructor === Token,
    instance: made instanceof lexer.Token,
    same: lexer.Token === Token,
    kind: (lexer.Token as unknown as { kind?: string }).kind,
    text: (made as { text?: string }).text,
    upper: (made as { upper?: () => string }).upper?.(),
    pos: lexer.pos,
    size: other.size(),
    otherPos: other.pos,
  };
  if (rollBack) result.rollback();
  else if (policy === "lazy") result.completeMigration();
  else if (policy === "progressive") await result.completion;
  const exact = rollBack
    ? snapshotDifference(before, deepSnapshot({ ns, objects: [...lexers, L.prototype] }))
    : undefined;
  return { seen, exact };
}

test("property: a constructor on the prototype is built with and read as under eager while a lazy or progressive update is pending; methods still migrate; a rollback is exact", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Policy>("lazy", "progressive"),
      fc.constantFrom(...KINDS),
      fc.boolean(),
      async (policy, kind, rollBack) => {
        const eager = await run("eager", kind, rollBack);
        const pending = await run(policy, kind, rollBack);
        expect(pending.seen).toEqual(eager.seen);
        expect(pending.seen).toMatchObject({ made: true, instance: true, same: true, pos: 0 });
        expect(pending.seen.otherPos).toBe(0);
        expect(pending.exact).toBeUndefined();
        expect(eager.exact).toBeUndefined();
      },
    ),
    { seed: 20261220, numRuns: 30 },
  );
});

test("a class's statics and `new this.Token(t)` work while a lazy update is pending", async () => {
  const { seen } = await run("lazy", "class", false);
  expect(seen).toMatchObject({ kind: "token", text: "a b", same: true });
});

test("what counts as a constructor: classes, built-ins and ES5 constructors with members of their own; never a method, a `function` method, an arrow or a generator", () => {
  const methods = {
    m() {
      return 1;
    },
    *g() {
      yield 1;
    },
    async a() {
      return 1;
    },
  };
  for (const kind of KINDS) expect(isConstructor(token(kind))).toBe(true);
  expect(isConstructor(Date)).toBe(true);
  for (const f of [
    methods.m,
    methods.g,
    methods.a,
    function plain() {},
    () => 1,
    async function* ag() {},
    methods.m.bind(methods),
  ])
    expect(isConstructor(f)).toBe(false);
});
