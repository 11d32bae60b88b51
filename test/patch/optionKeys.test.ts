// An options object with a key its call does not know is refused, naming the
// call, the key and the keys it knows. Before, `addField("C", "f", {
// initializer: "new X()" })` (a JavaScript user's guess: the option is
// `defaultSource`) built a patch that added the field with the value
// undefined, and no error.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  InvalidOptionError,
  InvalidPatchError,
  Namespace,
  Patch,
  patch,
  updateSync,
} from "../../src/index.js";
import { PATCH_FORMAT } from "../../src/patch/json.js";
import { meantKey } from "../../src/patch/optionKeys.js";
import { keysCallersWrite } from "../support/optionKeys.js";

interface OptionsCall {
  readonly call: string;
  readonly known: readonly string[];
  readonly run: (options: object) => unknown;
}

const CALLS: readonly OptionsCall[] = [
  {
    call: "addField",
    known: ["default", "defaultSource", "initial", "before"],
    run: (o) => patch("p").addField("C", "f", o),
  },
  {
    call: "addStaticField",
    known: ["default", "defaultSource"],
    run: (o) => patch("p").addStaticField("C", "f", o),
  },
  {
    call: "reinitialiseStaticField",
    known: ["default", "defaultSource"],
    run: (o) => patch("p").reinitialiseStaticField("C", "f", o),
  },
  {
    call: "removeMethod",
    known: ["static", "kind"],
    run: (o) => patch("p").removeMethod("C", "m", o),
  },
  {
    call: "splitClass",
    known: ["into", "via"],
    run: (o) => patch("p").splitClass("C", ["x"], { into: "I", via: "v", ...o }),
  },
  {
    call: "replaceImplementation",
    known: ["renames", "keepStatics", "sameScope"],
    run: (o) => patch("p").replaceImplementation("C", class C {}, o),
  },
];

/** Keys a caller may write: guesses, typos, other calls' options, anything. */
const anyKey = keysCallersWrite(
  "initializer",
  "initialiser",
  "value",
  "defaultValue",
  "defaultsource",
  "defualt",
  "befor",
  "after",
  "isStatic",
  "type",
  "rename",
  "keepStatic",
  "samescope",
  "inot",
  "trust",
  "__proto__",
  "constructor",
  "toString",
);

function refusal(run: () => unknown): InvalidPatchError | InvalidOptionError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidPatchError || error instanceof InvalidOptionError) return error;
    throw error;
  }
  return undefined;
}

describe("builder options with keys the call does not know", () => {
  test("property: any unknown key is refused, naming the call, the key and the known keys", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CALLS),
        anyKey,
        fc.anything(),
        ({ call, known, run }, key, value) => {
          fc.pre(!known.includes(key));
          // A literal own key, as JSON.parse or a spread would make it ("__proto__" included).
          const options = Object.defineProperty({}, key, {
            value,
            enumerable: true,
            configurable: true,
            writable: true,
          });
          const error = refusal(() => run(options));
          expect(error).toBeInstanceOf(InvalidPatchError);
          expect(error!.code).toBe("MM_INVALID_PATCH");
          expect(error!.message).toContain(`${call}: unknown option ${JSON.stringify(key)}`);
          expect(error!.message).toContain(`${call} takes ${known.join(", ")}`);
          expect(error!.details).toMatchObject({ operation: call, option: key, known });
        },
      ),
      { seed: 23, numRuns: 400 },
    );
  });

  test("the keys each call knows still work", () => {
    const p = patch("p")
      .addField("C", "f", { defaultSource: "1", before: "g" })
      .addField("C", "h", { default: 2, initial: () => 3 })
      .addStaticField("C", "s", { default: 1 })
      .reinitialiseStaticField("C", "t", { defaultSource: "2" })
      .removeMethod("C", "m", { static: true, kind: "get" })
      .splitClass("C", ["x"], { into: "I", via: "v" })
      .replaceImplementation("C", class C {}, {
        renames: { a: "b" },
        keepStatics: ["s"],
        sameScope: true,
      })
      .build();
    expect(p.operations.map((op) => op.op)).toEqual([
      "addField",
      "addField",
      "addStaticField",
      "reinitialiseStaticField",
      "removeMethod",
      "splitClass",
      "replaceImplementation",
    ]);
  });

  test("a JavaScript user's `initializer` is refused, suggesting defaultSource; nothing is applied", () => {
    const ns = new Namespace("app");
    const User = ns.defineClass<{ name: string }>({
      name: "User",
      fields: [{ name: "name", initializer: '""' }],
    });
    const u = new User({ name: "ada" });
    const error = refusal(() =>
      patch("p").addField("User", "settings", { initializer: "new Map()" } as never),
    );
    expect(error?.message).toBe(
      'patch "p", addField: unknown option "initializer" (addField takes default, defaultSource, initial, before); did you mean defaultSource?',
    );
    expect(error?.details).toMatchObject({ meant: "defaultSource" });
    expect(ns.version).toBe(1);
    expect({ ...u }).toEqual({ name: "ada" });
    // What the user meant works.
    updateSync(ns, patch("p").addField("User", "settings", { defaultSource: "new Map()" }).build());
    expect((u as unknown as { settings: unknown }).settings).toBeInstanceOf(Map);
  });

  test("suggestions: usual guesses, near spellings, prefixes; nothing when nothing is near", () => {
    const addField = ["default", "defaultSource", "initial", "before"];
    expect(meantKey("initializer", addField)).toBe("defaultSource");
    expect(meantKey("value", addField)).toBe("default");
    expect(meantKey("defualt", addField)).toBe("default");
    expect(meantKey("DefaultSource", addField)).toBe("defaultSource");
    expect(meantKey("init", addField)).toBe("initial");
    expect(meantKey("after", addField)).toBe("before");
    expect(meantKey("isStatic", ["static", "kind"])).toBe("static");
    expect(meantKey("constructor", addField)).toBeUndefined();
    expect(meantKey("zzz", addField)).toBeUndefined();
    // A guess is only offered when the call has it.
    expect(meantKey("initializer", ["static", "kind"])).toBeUndefined();
  });
});

describe("Patch.fromJSON: unknown keys", () => {
  const OPERATIONS: readonly Record<string, unknown>[] = [
    { op: "addField", className: "C", field: "f", defaultSource: "1" },
    { op: "removeField", className: "C", field: "f" },
    { op: "renameField", className: "C", field: "f", to: "g" },
    { op: "addStaticField", className: "C", field: "s", defaultSource: "1" },
    { op: "removeMethod", className: "C", key: "m", static: false },
    { op: "splitClass", className: "C", fields: ["x"], into: "I", via: "v" },
    { op: "migrator", className: "C", migrator: { source: "(o, t) => {}" } },
    { op: "policy", policy: "lazy" },
  ];

  test("property: an operation with a key its kind does not have is refused, naming the path", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATIONS),
        anyKey,
        fc.jsonValue(),
        (operation, key, value) => {
          fc.pre(!Object.hasOwn(operation, key) && key !== "op");
          const op = JSON.parse(JSON.stringify(operation));
          Object.defineProperty(op, key, {
            value,
            enumerable: true,
            configurable: true,
            writable: true,
          });
          const error = refusal(() =>
            Patch.fromJSON({ format: PATCH_FORMAT, name: "p", operations: [op] }),
          );
          expect(error).toBeInstanceOf(InvalidPatchError);
          expect(error!.details).toMatchObject({ path: `operations[0].${key}` });
        },
      ),
      { seed: 29, numRuns: 200 },
    );
  });

  test("an options key other than trust is refused (a misspelt trust left the patch untrusted silently)", () => {
    const json = patch("p").removeField("C", "f").build().toJSON();
    const error = refusal(() => Patch.fromJSON(json, { trusted: "in-process" } as never));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error!.message).toBe(
      'Patch.fromJSON: unknown option "trusted" (Patch.fromJSON takes trust); did you mean trust?',
    );
    expect(Patch.fromJSON(json, { trust: "in-process" }).trust).toEqual({ level: "in-process" });
  });
});
