/**
 * A release adds a field its constructor sets only in one branch (ws 8.16:
 * `else { this._autoPong = options.autoPong; … }`). The fields the reader
 * learns are the same, so nothing migrates: the live objects lack the field
 * and the new methods answer otherwise than for a fresh object. The update
 * said nothing; it now warns MM_NO_INITIAL_VALUE, naming the field, unless a
 * migrator sets it — for a class that migrates for another reason too.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Conn = { state: number; onPing(): string } & Record<string, unknown>;
type ConnClass = new (addr: string | null, opts: { autoPong: boolean }) => Conn;

function releases(extraField = "") {
  const make = (body: string) =>
    new Function(`"use strict";
      return class Conn {
        constructor(addr, opts) { this.state = 0; ${extraField} ${body} }
        onPing() { return this.autoPong ? "pong" : "(silent)"; }
      };`)() as ConnClass;
  return {
    v1: make("if (addr !== null) { this.client = true; } else { this.server = true; }"),
    v2: make(
      "if (addr !== null) { this.client = true; } else { this.autoPong = opts.autoPong; this.server = true; }",
    ),
  };
}

const policies = ["eager", "lazy"] as const;

describe.each(policies)("a new field set out of the reader's sight (%s)", (policy) => {
  test("is named by a warning: the objects alive now do not have it", () => {
    const { v1, v2 } = releases();
    const ns = new Namespace(`new-out-of-sight-${policy}`);
    const Conn = ns.registerClass(v1) as unknown as ConnClass;
    const live = new Conn(null, { autoPong: true });
    const result = updateSync(
      ns,
      patch("v2").replaceImplementation("Conn", v2).policy(policy).build(),
    );
    const warned = result.warnings.filter((w) => w.field === "autoPong");
    expect(warned.map((w) => [w.code, w.className])).toEqual([["MM_NO_INITIAL_VALUE", "Conn"]]);
    expect(warned[0]!.message).toMatch(/assigned only conditionally.*migrator that sets it/);
    // What it says: the live object lacks the field a fresh one has.
    expect([live.onPing(), new v2(null, { autoPong: true }).onPing()]).toEqual([
      "(silent)",
      "pong",
    ]);
    // The fields both versions set that way are not new: not named.
    expect(result.warnings.filter((w) => w.field === "server" || w.field === "client")).toEqual([]);
  });

  test("a migrator that sets it silences the warning and the object answers as a fresh one", () => {
    const { v1, v2 } = releases();
    const ns = new Namespace(`new-out-of-sight-migrated-${policy}`);
    const Conn = ns.registerClass(v1) as unknown as ConnClass;
    const live = new Conn(null, { autoPong: true });
    const result = updateSync(
      ns,
      patch("v2")
        .replaceImplementation("Conn", v2)
        .migrate("Conn", (_old, target) => {
          if (target.server === true) target.autoPong = true;
        })
        .policy(policy)
        .build(),
    );
    expect(result.warnings.filter((w) => w.field === "autoPong")).toEqual([]);
    expect(live.onPing()).toBe("pong");
  });
});

test("a class that migrates for another reason warns the same, not that instances keep such state", () => {
  const { v1 } = releases();
  const { v2 } = releases("this.added = 1;");
  const ns = new Namespace("new-out-of-sight-migrating");
  ns.registerClass(v1);
  const result = updateSync(ns, patch("v2").replaceImplementation("Conn", v2).build());
  expect(result.instancesMigrated).toBe(0);
  const named = result.warnings.filter((w) => w.field === "autoPong");
  expect(named.map((w) => w.code)).toEqual(["MM_NO_INITIAL_VALUE"]);
});

test("a field a base class sets for every object is not new, though the release sets it conditionally too", () => {
  const ns = new Namespace("new-out-of-sight-base");
  const Base = ns.registerClass(
    new Function(`"use strict"; return class Base { constructor() { this.retries = 3; } };`)(),
  ) as new () => object;
  const make = (extra: string) =>
    new Function(
      "Base",
      `"use strict"; return class Conn extends Base { constructor(o = {}) { super(); this.url = o.url ?? ""; ${extra} } };`,
    )(Base) as new (
      o?: object,
    ) => Record<string, unknown>;
  const Conn = ns.registerClass(make("")) as unknown as new (o?: object) => Record<string, unknown>;
  const live = new Conn({ url: "x" });
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Conn", make("if (o.retries !== undefined) this.retries = o.retries;"))
      .build(),
  );
  expect(result.warnings.filter((w) => w.field === "retries")).toEqual([]);
  expect(live.retries).toBe(3);
});

test("a field the running version sets out of sight that the release makes a method is named: it hides the method", () => {
  const v1 = new Function(`"use strict";
    const FAST = true;
    return class Fmt {
      constructor(unit) { this.unit = unit; if (FAST) { this.format = this.formatFast; } }
      formatFast(n) { return n + this.unit; }
      formatSlow(n) { return String(n) + this.unit; }
    };`)() as new (
    unit: string,
  ) => { format(n: number): string };
  const v2 = new Function(`"use strict";
    return class Fmt {
      constructor(unit) { this.unit = unit; }
      format(n) { return n.toFixed(2) + " " + this.unit; }
    };`)() as new (
    unit: string,
  ) => { format(n: number): string };
  const ns = new Namespace("field-hides-method");
  const Fmt = ns.registerClass(v1) as unknown as typeof v1;
  const f = new Fmt("kg");
  const result = updateSync(ns, patch("v2").replaceImplementation("Fmt", v2).build());
  const warned = result.warnings.filter((w) => w.field === "format");
  expect(warned.map((w) => w.code)).toEqual(["MM_UNSEEN_STATE"]);
  expect(warned[0]!.message).toMatch(/makes `format` a method.*delete target\.format/);
  // What it warns of: the object's own function in front of the new method.
  expect([f.format(1.5), new v2("kg").format(1.5)]).toEqual(["1.5kg", "1.50 kg"]);
});

test("a field set out of sight that the release makes an accessor, in a class whose fields change too (semver 7.3 -> 7.6's Range.range), is named with its remedy", () => {
  const v1 = new Function(`"use strict";
    return class Bag {
      constructor() { this.items = []; this.refresh(); }
      add(x) { this.items.push(x); this.refresh(); }
      refresh() { this.total = this.items.length; }
    };`)() as new () => { add(x: number): void; total: number };
  const v2 = new Function(`"use strict";
    return class Bag {
      constructor() { this.items = []; this.cache = undefined; }
      add(x) { this.items.push(x); this.cache = undefined; }
      get total() { return this.cache ??= this.items.length; }
    };`)();
  const ns = new Namespace("field-hides-accessor");
  const Bag = ns.registerClass(v1) as unknown as typeof v1;
  const b = new Bag();
  b.add(1);
  const result = updateSync(ns, patch("v2").replaceImplementation("Bag", v2).build());
  const warned = result.warnings.filter((w) => w.field === "total");
  expect(warned.map((w) => w.code)).toEqual(["MM_UNSEEN_STATE"]);
  expect(warned[0]!.message).toMatch(/makes `total` an accessor.*delete target\.total/);
  b.add(2);
  expect(b.total).toBe(1); // what it warns of: the own value in front of the getter
  // The remedy it names, applied by a migrator, lets the getter answer.
  const ns2 = new Namespace("field-hides-accessor-migrated");
  const Bag2 = ns2.registerClass(
    new Function(`"use strict"; return ${v1.toString()};`)(),
  ) as unknown as typeof v1;
  const c = new Bag2();
  c.add(1);
  updateSync(
    ns2,
    patch("v2")
      .replaceImplementation("Bag", v2)
      .migrate("Bag", (_old, target) => {
        delete target.total;
      })
      .build(),
  );
  c.add(2);
  expect(c.total).toBe(2);
});

test("a migrator that sets the new field on none of the objects it migrated does not silence the warning (eager)", () => {
  const { v1 } = releases();
  const { v2 } = releases("this.added = 1;");
  const ns = new Namespace("new-out-of-sight-forgotten");
  const Conn = ns.registerClass(v1) as unknown as ConnClass;
  const live = new Conn(null, { autoPong: true });
  const result = updateSync(
    ns,
    patch("v2")
      .replaceImplementation("Conn", v2)
      .migrate("Conn", (_old, target) => {
        target.added = 2;
      })
      .build(),
  );
  expect(result.instancesMigrated).toBe(1);
  expect(result.warnings.filter((w) => w.field === "autoPong").map((w) => w.code)).toEqual([
    "MM_NO_INITIAL_VALUE",
  ]);
  expect([live.added, live.autoPong]).toEqual([2, undefined]);
});

test("a new field the constructor computes is named also where the running version creates properties under computed keys (signale 1.3 -> 1.4)", () => {
  const release = (level: string) =>
    new Function(`"use strict";
      const TYPES = ["info"];
      return class Logger {
        constructor(options = {}) {
          this._scope = options.scope || "";
          ${level}
          for (const t of TYPES) this[t] = this._log.bind(this, t);
        }
        _validate(l) { return l || "info"; }
        _log(t, msg) { return this._level === undefined ? "(silent)" : t + ": " + msg; }
      };`)() as new (
      options?: object,
    ) => { _log(t: string, m: string): string };
  const ns = new Namespace("computed-keys-new-field");
  const Logger = ns.registerClass(release("")) as unknown as new (
    options?: object,
  ) => {
    _log(t: string, m: string): string;
  };
  const live = new Logger({ scope: "app" });
  const result = updateSync(
    ns,
    patch("1.4")
      .replaceImplementation("Logger", release("this._level = this._validate(options.level);"))
      .build(),
  );
  const said = result.warnings.filter((w) => w.field === "_level");
  expect(said.map((w) => w.code)).toEqual(["MM_NO_INITIAL_VALUE"]);
  expect(said[0]!.message).toMatch(
    /has no initial value a migration can compute \(the constructor computes it\); an object that has it already keeps it/,
  );
  // What it warns of: the live logger is silent where a fresh one logs.
  expect(live._log("info", "hi")).toBe("(silent)");
});

test("a new field the constructor initialises and then changes through a method it calls is named (croner 9.1 -> 10: year bits set by parse())", () => {
  const release = (extra: string, parse: string) =>
    new Function(`"use strict";
      return class Pattern {
        constructor(p) { this.pattern = p; this.hours = 0; ${extra} this.parse(); }
        parse() { this.hours = 1 << Number(this.pattern); ${parse} }
        matches(h) { return (this.hours & (1 << h)) !== 0 && (this.years === undefined || this.years !== 0); }
      };`)() as new (
      p: string,
    ) => { matches(h: number): boolean };
  const ns = new Namespace("constructor-calls");
  const Pattern = ns.registerClass(release("", "")) as unknown as new (
    p: string,
  ) => {
    matches(h: number): boolean;
  };
  const live = new Pattern("12");
  const next = release("this.years = 0;", "this.years = 0b111;");
  const result = updateSync(ns, patch("10").replaceImplementation("Pattern", next).build());
  const said = result.warnings.filter((w) => w.field === "years");
  expect(said.map((w) => w.code)).toEqual(["MM_NO_INITIAL_VALUE"]);
  expect(said[0]!.message).toMatch(/the constructor then changes by calling parse\(\)/);
  // What it warns of.
  expect([live.matches(12), new next("12").matches(12)]).toEqual([false, true]);
  // A field the called method does not touch is not named.
  expect(result.warnings.filter((w) => w.field === "hours")).toEqual([]);
});

test("a field whose initial value changes kind in the release is named (chess.js 1.4: `_positionCount = {}` became `new Map()`)", () => {
  const release = (initial: string) =>
    new Function(`"use strict";
      return class Game {
        _positionCount = ${initial};
        _moves = [];
        seen(fen) { return this._positionCount instanceof Map ? this._positionCount.get(fen) ?? 0 : this._positionCount[fen] ?? 0; }
      };`)() as new () => { seen(fen: string): number };
  const ns = new Namespace("field-kind-changed");
  ns.registerClass(release("{}"));
  const result = updateSync(
    ns,
    patch("1.4").replaceImplementation("Game", release("new Map()")).build(),
  );
  expect(result.warnings.map((w) => [w.code, w.field])).toEqual([
    ["MM_FIELD_KIND_CHANGED", "_positionCount"],
  ]);
  expect(result.warnings[0]!.message).toMatch(
    /starts as a Map in the new version \(`new Map\(\)`\), as a plain object in the running one/,
  );
  // Values of the same kind, or null becoming an object, are not named.
  const quiet = new Namespace("field-kind-same");
  quiet.registerClass(release("null"));
  expect(
    updateSync(quiet, patch("1.4").replaceImplementation("Game", release("new Map()")).build())
      .warnings,
  ).toEqual([]);
});
