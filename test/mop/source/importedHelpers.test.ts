/**
 * Helpers imported from a runtime package rather than inlined: swc with
 * `externalHelpers` calls `@swc/helpers` as `_define_property._(this, …)`
 * and `_class_private_field_init._(this, …)`, Babel's transform-runtime as
 * `(0, _defineProperty2.default)(this, …)`, an ES module through a
 * namespace import as `h._define_property(this, …)`. The `._` form was not
 * read at all: an update of a class with `#pin` committed with no warning
 * and every private access on the old objects then threw ("attempted to get
 * private field on non-instance"), and a field the new release added stayed
 * undefined on the live objects, silently.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../../src/index.js";
import { parseClassSource, readThisHandOffs } from "../../../src/mop/source/parse.js";
import { loadCommonJS } from "./compiledOutput.js";
import { besidesOldLayout } from "../../support/releaseWarnings.js";

// swc 1.x, target es2019, module commonjs, externalHelpers: true, of
//   export class Vault { #pin = "0000"; owner = "x"; [level = "gold";] setPin(p) {…} verify(p) {…} }
//   export class Item { name = "n"; [price = 10;] }
const SWC_V1 = `"use strict";
Object.defineProperty(exports, "__esModule", {
    value: true
});
function _export(target, all) {
    for(var name in all)Object.defineProperty(target, name, {
        enumerable: true,
        get: Object.getOwnPropertyDescriptor(all, name).get
    });
}
_export(exports, {
    get Item () {
        return Item;
    },
    get Vault () {
        return Vault;
    }
});
const _class_private_field_get = require("@swc/helpers/_/_class_private_field_get");
const _class_private_field_init = require("@swc/helpers/_/_class_private_field_init");
const _class_private_field_set = require("@swc/helpers/_/_class_private_field_set");
const _define_property = require("@swc/helpers/_/_define_property");
var _pin = /*#__PURE__*/ new WeakMap();
class Vault {
    setPin(p) {
        _class_private_field_set._(this, _pin, p);
    }
    verify(p) {
        return p === _class_private_field_get._(this, _pin);
    }
    constructor(){
        _class_private_field_init._(this, _pin, {
            writable: true,
            value: "0000"
        });
        _define_property._(this, "owner", "x");
    }
}
class Item {
    constructor(){
        _define_property._(this, "name", "n");
    }
}`;

const SWC_V2 = `"use strict";
Object.defineProperty(exports, "__esModule", {
    value: true
});
function _export(target, all) {
    for(var name in all)Object.defineProperty(target, name, {
        enumerable: true,
        get: Object.getOwnPropertyDescriptor(all, name).get
    });
}
_export(exports, {
    get Item () {
        return Item;
    },
    get Vault () {
        return Vault;
    }
});
const _class_private_field_get = require("@swc/helpers/_/_class_private_field_get");
const _class_private_field_init = require("@swc/helpers/_/_class_private_field_init");
const _class_private_field_set = require("@swc/helpers/_/_class_private_field_set");
const _define_property = require("@swc/helpers/_/_define_property");
var _pin = /*#__PURE__*/ new WeakMap();
class Vault {
    setPin(p) {
        _class_private_field_set._(this, _pin, p);
    }
    verify(p) {
        return p === _class_private_field_get._(this, _pin);
    }
    constructor(){
        _class_private_field_init._(this, _pin, {
            writable: true,
            value: "0000"
        });
        _define_property._(this, "owner", "x");
        _define_property._(this, "level", "gold");
    }
}
class Item {
    constructor(){
        _define_property._(this, "name", "n");
        _define_property._(this, "price", 10);
    }
}`;

type Vault = { setPin(p: string): void; verify(p: string): boolean };

describe("swc with externalHelpers (@swc/helpers)", () => {
  const v1 = loadCommonJS(SWC_V1);
  const v2 = loadCommonJS(SWC_V2);

  test("fields and lowered private state are read from the `._` calls", () => {
    expect(readClassDefinition(v2.Item!).fields).toEqual([
      { name: "name", initializer: '"n"' },
      { name: "price", initializer: "10" },
    ]);
    const vault = readClassDefinition(v2.Vault!);
    expect(vault.fields.map((f) => f.name)).toEqual(["owner", "level"]);
    expect(vault.hasPrivateMembers).toBe(true);
  });

  test("an update of the class with #pin is refused before anything changes; the old object still answers", () => {
    const ns = new Namespace("swc-external-vault");
    const Vault = ns.registerClass(v1.Vault!, { name: "Vault" });
    const vault = new Vault() as Vault;
    vault.setPin("1234");
    let code: unknown;
    try {
      updateSync(ns, patch("2").replaceImplementation("Vault", v2.Vault!).build());
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe("MM_PRIVATE_STATE");
    expect(vault.verify("1234")).toBe(true);
  });

  test("a field the new release adds gets its value on the live objects", () => {
    const ns = new Namespace("swc-external-item");
    ns.registerClass(v1.Item!, { name: "Item" });
    const item = new v1.Item!() as { price?: number };
    const result = updateSync(ns, patch("2").replaceImplementation("Item", v2.Item!).build());
    expect(besidesOldLayout(result.warnings)).toEqual([]);
    expect(item.price).toBe(10);
    expect(Object.keys(item)).toEqual(["name", "price"]);
  });
});

describe("every import form of a helper", () => {
  test("`._`, `.default`, `(0, x._)`, `(0, x.default)` and a namespace import's member are read as the helper", () => {
    const parsed = parseClassSource(`class A {
      constructor() {
        _define_property._(this, "a", 1);
        (0, _define_property._)(this, "b", 2);
        (0, _defineProperty2.default)(this, "c", 3);
        h._define_property(this, "d", 4);
        (0, h.__publicField)(this, "e", 5);
      }
    }`);
    expect(parsed.fields.map((f) => [f.name, f.initializer])).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
      ["d", "4"],
      ["e", "5"],
    ]);
    expect(parsed.hasPrivateMembers).toBe(false);
    for (const init of [
      "_class_private_field_init._(this, _p, { writable: true, value: 1 })",
      "(0, _classPrivateFieldInitSpec2.default)(this, _p, 1)",
      "h._class_private_method_init(this, _m)",
    ]) {
      expect(parseClassSource(`class A { constructor() { ${init}; } }`).hasPrivateMembers).toBe(
        true,
      );
    }
  });

  test("a helper imported from a module that the reader does not know is the object handed to other code", () => {
    const A = new Function(`return class A {
      constructor() {
        (0, _autoBind.default)(this);
        _bind_all._(this, "x");
        registry.add(this);
        _define_property._(this, "a", 1);
      }
    }`)() as Function;
    expect(readThisHandOffs(A)).toEqual([
      "(0, _autoBind.default)(this);",
      '_bind_all._(this, "x");',
    ]);
  });
});
