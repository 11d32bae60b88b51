/**
 * swc below ES2022 emits a field as `_define_property(this, "f", v)` and a
 * subclass's fields in one comma sequence after `super`: `super(...args),
 * _define_property(this, "tag", "bag"), …`. Not read as fields, a field the
 * new release added stayed undefined on the live objects, renameField was
 * refused ("has no field"), a field a method also assigns was said to be
 * "assigned in method fire, not by the constructor", and — the sequence
 * being skipped by the hand-off reader — a subclass's update said nothing
 * at all. Constructor statements joined by commas are now read one by one
 * wherever the constructor is walked.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../../src/index.js";
import { readNestedWrites, readThisHandOffs } from "../../../src/mop/source/parse.js";
import { loadCommonJS } from "./compiledOutput.js";
import { besidesOldLayout } from "../../support/releaseWarnings.js";

// swc 1.x (target es2019, commonjs) of
//   export class Bag extends Map { tag = "bag"; total() {…} }
//   export class Item { name = "n"; qty = 1; }
//   export class Bus { name = "bus"; last = null; fire(x) { this.last = x; } }
const SWC_A = `"use strict";
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
    get Bag () {
        return Bag;
    },
    get Bus () {
        return Bus;
    },
    get Item () {
        return Item;
    }
});
function _define_property(obj, key, value) {
    if (key in obj) {
        Object.defineProperty(obj, key, {
            value: value,
            enumerable: true,
            configurable: true,
            writable: true
        });
    } else obj[key] = value;
    return obj;
}
class Bag extends Map {
    total() {
        return [
            ...this.values()
        ].reduce((a, b)=>a + b, 0);
    }
    constructor(...args){
        super(...args), _define_property(this, "tag", "bag");
    }
}
class Item {
    constructor(){
        _define_property(this, "name", "n");
        _define_property(this, "qty", 1);
    }
}
class Bus {
    fire(x) {
        this.last = x;
    }
    constructor(){
        _define_property(this, "name", "bus");
        _define_property(this, "last", null);
    }
}`;

// … and of the next release: Bag adds `unit = "pcs"`, Item renames qty to count and adds price.
const SWC_B = `"use strict";
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
    get Bag () {
        return Bag;
    },
    get Bus () {
        return Bus;
    },
    get Item () {
        return Item;
    }
});
function _define_property(obj, key, value) {
    if (key in obj) {
        Object.defineProperty(obj, key, {
            value: value,
            enumerable: true,
            configurable: true,
            writable: true
        });
    } else obj[key] = value;
    return obj;
}
class Bag extends Map {
    total() {
        return [
            ...this.values()
        ].reduce((a, b)=>a + b, 0) + " " + this.unit;
    }
    constructor(...args){
        super(...args), _define_property(this, "tag", "bag"), _define_property(this, "unit", "pcs");
    }
}
class Item {
    cost() {
        return this.count * this.price;
    }
    constructor(){
        _define_property(this, "name", "n");
        _define_property(this, "count", 1);
        _define_property(this, "price", 10);
    }
}
class Bus {
    fire(x) {
        this.last = x;
    }
    constructor(){
        _define_property(this, "name", "bus");
        _define_property(this, "last", null);
    }
}`;

describe("swc's _define_property fields", () => {
  const a = loadCommonJS(SWC_A);
  const b = loadCommonJS(SWC_B);

  test("are read as fields, a subclass's from its comma sequence; a method's write to one is no note", () => {
    expect(readClassDefinition(b.Bag!).fields).toEqual([
      { name: "tag", initializer: '"bag"' },
      { name: "unit", initializer: '"pcs"' },
    ]);
    const bus = readClassDefinition(a.Bus!);
    expect(bus.fields.map((f) => f.name)).toEqual(["name", "last"]);
    expect(bus.unsupported ?? []).toEqual([]);
  });

  test("a field the new release adds gets its value on the live objects, a subclass's too", () => {
    const ns = new Namespace("swc-fields");
    ns.registerClass(a.Bag!, { name: "Bag" });
    const bag = new (a.Bag as unknown as new (entries: [string, number][]) => Map<string, number>)([
      ["a", 2],
    ]) as Map<string, number> & { total(): string };
    const result = updateSync(ns, patch("B").replaceImplementation("Bag", b.Bag!).build());
    expect(besidesOldLayout(result.warnings)).toEqual([]);
    expect(bag.total()).toBe("2 pcs");
    expect({ ...bag }).toEqual({ tag: "bag", unit: "pcs" });
  });

  test("renameField carries the value", () => {
    const ns = new Namespace("swc-rename");
    ns.registerClass(a.Item!, { name: "Item" });
    const item = new a.Item!() as { qty?: number; cost?(): number };
    item.qty = 5;
    updateSync(
      ns,
      patch("B").renameField("Item", "qty", "count").replaceImplementation("Item", b.Item!).build(),
    );
    expect({ ...item }).toEqual({ name: "n", count: 5, price: 10 });
    expect(item.cost!()).toBe(50);
  });
});

describe("a constructor statement that is a comma sequence, read call by call", () => {
  const make = (body: string) =>
    new Function(`return class A extends Map { constructor(...args) { ${body} } }`)() as Function;

  test("a hand-off among the calls is found, named by its own text", () => {
    const A = make(`super(...args), bindAll(this), _define_property(this, "tag", "bag");`);
    expect(readThisHandOffs(A)).toEqual(["bindAll(this)"]);
  });

  test("so an update of such a class from another module warns MM_UNSEEN_STATE", () => {
    const body = `super(...args), bindAll(this), _define_property(this, "tag", "bag");`;
    const scope = (tag: string) =>
      new Function(
        "_define_property",
        `const bindAll = (o) => { o.run = () => "${tag}"; };
        return class Bound extends Map { constructor(...args) { ${body} } }`,
      )((o: Record<string, unknown>, k: string, v: unknown) => {
        o[k] = v;
      }) as new () => Map<string, unknown> & { run(): string };
    const ns = new Namespace("sequence-hand-off");
    const Bound = ns.registerClass(scope("v1"), { name: "Bound" });
    const bound = new Bound() as InstanceType<ReturnType<typeof scope>>;
    const result = updateSync(ns, patch("2").replaceImplementation("Bound", scope("v2")).build());
    expect(result.warnings.map((w) => [w.code, w.message])).toEqual([
      [
        "MM_UNSEEN_STATE",
        expect.stringContaining("the constructor hands the object to other code: `bindAll(this)`"),
      ],
    ]);
    expect(bound.run()).toBe("v1");
  });

  test("a write inside a field among the assignments is found", () => {
    const A = make(`super(...args), this.options = {}, this.options.min = 0;`);
    expect(readNestedWrites(A)).toEqual([{ path: "options.min", literal: false }]);
  });
});
