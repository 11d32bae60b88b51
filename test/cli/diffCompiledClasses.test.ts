/**
 * `metamorph diff` between two releases whose classes a compiler did not
 * leave as class declarations: tsc --target ES5 makes each an ES5
 * constructor function (`var Account = /** @class *\/ (function () { … }())`),
 * esbuild --minify --keep-names a class expression (`const i=class i{…};
 * h(i,"Account")`). Four classes changed (new fields, changed methods), and
 * diff said "0 classes changed … Nothing here needs a decision (no TODO)"
 * with an empty patch — `pack` would have signed a release that changes
 * nothing. Such classes are now recognised, and each changed one is a TODO
 * (the running service does not manage them: no patch can change them).
 */
import { describe, expect, test } from "vitest";
import { compiledClasses } from "../../src/cli/diff/compiledClasses.js";
import { derivePatch } from "../../src/cli/diff/derive.js";
import type { ModuleSource } from "../../src/cli/diff/inventory.js";
import { renderPatchModule } from "../../src/cli/diff/render.js";
import { parseModule } from "../../src/dev/compile.js";

// Both compiled, as CommonJS, from release A:
//   import { EventEmitter } from "node:events";
//
//   export class Account {
//     static count = 0;
//     static registry: Map<string, Account>;
//     static {
//       Account.registry = new Map();
//     }
//     id: string;
//     balance = 0;
//     history: number[] = [];
//     constructor(id: string) {
//       this.id = id;
//       Account.count++;
//     }
//     get label() {
//       return `${this.id}:${this.balance}`;
//     }
//     set label(v: string) {
//       this.id = v.split(":")[0]!;
//     }
//     deposit(n: number) {
//       this.balance += n;
//       this.history.push(n);
//       return this.balance;
//     }
//     describe() {
//       return "A:" + this.label;
//     }
//   }
//
//   export class Savings extends Account {
//     rate = 0.01;
//     constructor(id: string, rate: number) {
//       super(id);
//       this.rate = rate;
//     }
//     interest() {
//       return this.balance * this.rate;
//     }
//   }
//
//   export class Bag extends Map<string, number> {
//     tag = "bag";
//     total() {
//       let s = 0;
//       for (const v of this.values()) s += v;
//       return s;
//     }
//   }
//
//   export class Bus extends EventEmitter {
//     name = "bus";
//     fired = 0;
//     fire(x: unknown) {
//       this.fired++;
//       this.emit("x", x);
//     }
//   }
// Release B adds Account.currency, Savings.bonus, Bag.unit and Bus.last, and changes
// Account.label, Account.describe, Savings.interest, Bag.total and Bus.fire.

// tsc 5 --target ES5 --module commonjs.
const TSC_ES5_A = `"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.Bus = exports.Bag = exports.Savings = exports.Account = void 0;
var node_events_1 = require("node:events");
var Account = /** @class */ (function () {
    function Account(id) {
        this.balance = 0;
        this.history = [];
        this.id = id;
        Account.count++;
    }
    Object.defineProperty(Account.prototype, "label", {
        get: function () {
            return "".concat(this.id, ":").concat(this.balance);
        },
        set: function (v) {
            this.id = v.split(":")[0];
        },
        enumerable: false,
        configurable: true
    });
    Account.prototype.deposit = function (n) {
        this.balance += n;
        this.history.push(n);
        return this.balance;
    };
    Account.prototype.describe = function () {
        return "A:" + this.label;
    };
    Account.count = 0;
    (function () {
        Account.registry = new Map();
    })();
    return Account;
}());
exports.Account = Account;
var Savings = /** @class */ (function (_super) {
    __extends(Savings, _super);
    function Savings(id, rate) {
        var _this = _super.call(this, id) || this;
        _this.rate = 0.01;
        _this.rate = rate;
        return _this;
    }
    Savings.prototype.interest = function () {
        return this.balance * this.rate;
    };
    return Savings;
}(Account));
exports.Savings = Savings;
var Bag = /** @class */ (function (_super) {
    __extends(Bag, _super);
    function Bag() {
        var _this = _super !== null && _super.apply(this, arguments) || this;
        _this.tag = "bag";
        return _this;
    }
    Bag.prototype.total = function () {
        var s = 0;
        for (var _i = 0, _a = this.values(); _i < _a.length; _i++) {
            var v = _a[_i];
            s += v;
        }
        return s;
    };
    return Bag;
}(Map));
exports.Bag = Bag;
var Bus = /** @class */ (function (_super) {
    __extends(Bus, _super);
    function Bus() {
        var _this = _super !== null && _super.apply(this, arguments) || this;
        _this.name = "bus";
        _this.fired = 0;
        return _this;
    }
    Bus.prototype.fire = function (x) {
        this.fired++;
        this.emit("x", x);
    };
    return Bus;
}(node_events_1.EventEmitter));
exports.Bus = Bus;`;

const TSC_ES5_B = `"use strict";
var __extends = (this && this.__extends) || (function () {
    var extendStatics = function (d, b) {
        extendStatics = Object.setPrototypeOf ||
            ({ __proto__: [] } instanceof Array && function (d, b) { d.__proto__ = b; }) ||
            function (d, b) { for (var p in b) if (Object.prototype.hasOwnProperty.call(b, p)) d[p] = b[p]; };
        return extendStatics(d, b);
    };
    return function (d, b) {
        if (typeof b !== "function" && b !== null)
            throw new TypeError("Class extends value " + String(b) + " is not a constructor or null");
        extendStatics(d, b);
        function __() { this.constructor = d; }
        d.prototype = b === null ? Object.create(b) : (__.prototype = b.prototype, new __());
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.Bus = exports.Bag = exports.Savings = exports.Account = void 0;
var node_events_1 = require("node:events");
var Account = /** @class */ (function () {
    function Account(id) {
        this.balance = 0;
        this.history = [];
        this.currency = "EUR";
        this.id = id;
        Account.count++;
    }
    Object.defineProperty(Account.prototype, "label", {
        get: function () {
            return "".concat(this.id, ":").concat(this.balance).concat(this.currency);
        },
        set: function (v) {
            this.id = v.split(":")[0];
        },
        enumerable: false,
        configurable: true
    });
    Account.prototype.deposit = function (n) {
        this.balance += n;
        this.history.push(n);
        return this.balance;
    };
    Account.prototype.describe = function () {
        return "B:" + this.label;
    };
    Account.count = 0;
    (function () {
        Account.registry = new Map();
    })();
    return Account;
}());
exports.Account = Account;
var Savings = /** @class */ (function (_super) {
    __extends(Savings, _super);
    function Savings(id, rate) {
        var _this = _super.call(this, id) || this;
        _this.rate = 0.01;
        _this.bonus = 0;
        _this.rate = rate;
        return _this;
    }
    Savings.prototype.interest = function () {
        return this.balance * this.rate + this.bonus;
    };
    return Savings;
}(Account));
exports.Savings = Savings;
var Bag = /** @class */ (function (_super) {
    __extends(Bag, _super);
    function Bag() {
        var _this = _super !== null && _super.apply(this, arguments) || this;
        _this.tag = "bag";
        _this.unit = "pcs";
        return _this;
    }
    Bag.prototype.total = function () {
        var s = 0;
        for (var _i = 0, _a = this.values(); _i < _a.length; _i++) {
            var v = _a[_i];
            s += v;
        }
        return s * 1;
    };
    return Bag;
}(Map));
exports.Bag = Bag;
var Bus = /** @class */ (function (_super) {
    __extends(Bus, _super);
    function Bus() {
        var _this = _super !== null && _super.apply(this, arguments) || this;
        _this.name = "bus";
        _this.fired = 0;
        _this.last = null;
        return _this;
    }
    Bus.prototype.fire = function (x) {
        this.fired++;
        this.last = x;
        this.emit("x", x);
    };
    return Bus;
}(node_events_1.EventEmitter));
exports.Bus = Bus;`;

// esbuild 0.25 --minify --keep-names --target=es2017 --format=cjs.
const ESBUILD_MIN_KEEP_A = `var l=Object.defineProperty;var g=Object.getOwnPropertyDescriptor;var f=Object.getOwnPropertyNames;var y=Object.prototype.hasOwnProperty;var M=(r,t,e)=>t in r?l(r,t,{enumerable:!0,configurable:!0,writable:!0,value:e}):r[t]=e;var h=(r,t)=>l(r,"name",{value:t,configurable:!0});var w=(r,t)=>{for(var e in t)l(r,e,{get:t[e],enumerable:!0})},E=(r,t,e,n)=>{if(t&&typeof t=="object"||typeof t=="function")for(let a of f(t))!y.call(r,a)&&a!==e&&l(r,a,{get:()=>t[a],enumerable:!(n=g(t,a))||n.enumerable});return r};var $=r=>E(l({},"__esModule",{value:!0}),r);var s=(r,t,e)=>M(r,typeof t!="symbol"?t+"":t,e);var k={};w(k,{Account:()=>o,Bag:()=>c,Bus:()=>u,Savings:()=>b});module.exports=$(k);var x=require("node:events");const i=class i{constructor(t){s(this,"id");s(this,"balance",0);s(this,"history",[]);this.id=t,i.count++}get label(){return\`\${this.id}:\${this.balance}\`}set label(t){this.id=t.split(":")[0]}deposit(t){return this.balance+=t,this.history.push(t),this.balance}describe(){return"A:"+this.label}};h(i,"Account"),s(i,"count",0),s(i,"registry"),i.registry=new Map;let o=i;const p=class p extends o{constructor(e,n){super(e);s(this,"rate",.01);this.rate=n}interest(){return this.balance*this.rate}};h(p,"Savings");let b=p;const d=class d extends Map{constructor(){super(...arguments);s(this,"tag","bag")}total(){let e=0;for(const n of this.values())e+=n;return e}};h(d,"Bag");let c=d;const m=class m extends x.EventEmitter{constructor(){super(...arguments);s(this,"name","bus");s(this,"fired",0)}fire(e){this.fired++,this.emit("x",e)}};h(m,"Bus");let u=m;`;

const ESBUILD_MIN_KEEP_B = `var l=Object.defineProperty;var x=Object.getOwnPropertyDescriptor;var f=Object.getOwnPropertyNames;var y=Object.prototype.hasOwnProperty;var w=(e,t,s)=>t in e?l(e,t,{enumerable:!0,configurable:!0,writable:!0,value:s}):e[t]=s;var h=(e,t)=>l(e,"name",{value:t,configurable:!0});var E=(e,t)=>{for(var s in t)l(e,s,{get:t[s],enumerable:!0})},M=(e,t,s,n)=>{if(t&&typeof t=="object"||typeof t=="function")for(let a of f(t))!y.call(e,a)&&a!==s&&l(e,a,{get:()=>t[a],enumerable:!(n=x(t,a))||n.enumerable});return e};var $=e=>M(l({},"__esModule",{value:!0}),e);var r=(e,t,s)=>w(e,typeof t!="symbol"?t+"":t,s);var k={};E(k,{Account:()=>o,Bag:()=>c,Bus:()=>b,Savings:()=>u});module.exports=$(k);var g=require("node:events");const i=class i{constructor(t){r(this,"id");r(this,"balance",0);r(this,"history",[]);r(this,"currency","EUR");this.id=t,i.count++}get label(){return\`\${this.id}:\${this.balance}\${this.currency}\`}set label(t){this.id=t.split(":")[0]}deposit(t){return this.balance+=t,this.history.push(t),this.balance}describe(){return"B:"+this.label}};h(i,"Account"),r(i,"count",0),r(i,"registry"),i.registry=new Map;let o=i;const p=class p extends o{constructor(s,n){super(s);r(this,"rate",.01);r(this,"bonus",0);this.rate=n}interest(){return this.balance*this.rate+this.bonus}};h(p,"Savings");let u=p;const d=class d extends Map{constructor(){super(...arguments);r(this,"tag","bag");r(this,"unit","pcs")}total(){let s=0;for(const n of this.values())s+=n;return s*1}};h(d,"Bag");let c=d;const m=class m extends g.EventEmitter{constructor(){super(...arguments);r(this,"name","bus");r(this,"fired",0);r(this,"last",null)}fire(s){this.fired++,this.last=s,this.emit("x",s)}};h(m,"Bus");let b=m;`;

const release = (js: string): ModuleSource[] => [{ file: "plain.js", js, sourceType: "script" }];
const render = (a: string, b: string) => {
  const derived = derivePatch({ old: release(a), new: release(b), migrations: [] });
  const text = renderPatchModule(derived, {
    oldDir: "/releases/a",
    newDir: "/releases/b",
    date: new Date(0),
    name: "a → b",
    importFrom: "metamorph",
    outFile: "/releases/patch.mjs",
    language: "javascript",
  });
  return { derived, text };
};

describe("releases whose classes are compiled to ES5 functions or class expressions", () => {
  test.each([
    ["tsc --target ES5", TSC_ES5_A, TSC_ES5_B, "var Account = (function () { … }())"],
    ["esbuild --minify --keep-names", ESBUILD_MIN_KEEP_A, ESBUILD_MIN_KEEP_B, "const i = class …"],
  ])('%s: each changed class is a TODO, never "nothing to decide"', (_, a, b, account) => {
    const { derived, text } = render(a, b);
    expect(derived.classes).toEqual([]);
    expect(derived.uncarried?.map((c) => c.name)).toEqual(["Account", "Savings", "Bag", "Bus"]);
    expect(text).not.toContain("Nothing here needs a decision");
    expect(text).toContain(" * 4 TODOs: a person must decide each before packing");
    expect(text).toContain(
      "4 classes changed that no patch carries (Account, Savings, Bag, Bus: see the TODOs)",
    );
    const todos = text.split("\n").filter((line) => line.startsWith("// TODO:"));
    expect(todos[0]).toMatch(
      /^\/\/ TODO: plain\.js:\d+: class Account changed, and this release compiles/,
    );
    expect(text.replace(/\n\/\/ +/g, " ")).toContain(`(\`${account}\`)`);
    // A class is no module state: its binding is not also noted as a changed variable.
    expect(text).not.toMatch(/module-level (var|const) (Account|i) changed/);
  });

  test("the same release twice: nothing changed, nothing to decide", () => {
    for (const js of [TSC_ES5_A, ESBUILD_MIN_KEEP_A]) {
      const { derived, text } = render(js, js);
      expect(derived).toEqual({ classes: [], functions: [], notes: [] });
      expect(text).toContain("Nothing here needs a decision (no TODO).");
    }
  });
});

describe("compiledClasses: the forms, and the name each runs under", () => {
  const read = (js: string) =>
    [...compiledClasses(parseModule(js, "m.js", "script")).values()].map((c) => [
      c.name,
      c.binding,
      c.form,
    ]);

  test("ES5 functions, class expressions, keep-names calls and aliases", () => {
    expect(
      read(`
        var A = /** @class */ (function () { function A() { this.a = 1; } return A; }());
        var B = exports.B = /*#__PURE__*/function () { function B() {} return _createClass(B, []); }();
        var C = class {};
        let D = class D extends C {};
        var E = __name(class {}, "Elephant");
        const _F = class _F {}; __name(_F, "Fox"); __publicField(_F, "count", 0); let F = _F;
        const _G = class _G {}; __publicField(_G, "registry"); let Goat = _G;
        var h = (e, t) => l(e, "name", { value: t, configurable: !0 });
        const i = class i {}; h(i, "Ibis"), s(i, "count", 0);
        var _a; let J = (_a = class J {}, _a.count = 0, _a);
        var notAClass = (function () { return 1; }()), k = function () { function K() {} return 1; }(), o = {};
      `),
    ).toEqual([
      ["A", "A", "ES5 function"],
      ["B", "B", "ES5 function"],
      ["C", "C", "class expression"],
      ["D", "D", "class expression"],
      ["Elephant", "E", "class expression"],
      ["Fox", "_F", "class expression"],
      ["Goat", "_G", "class expression"],
      ["Ibis", "i", "class expression"],
      ["J", "J", "class expression"],
    ]);
  });

  test("CoffeeScript's bare declaration and class assignment (bottleneck's lib/): a class, and a changed one a TODO", () => {
    const coffee = (field: string) => `"use strict";
var States, other;
States = class States {
  constructor(status) { this.status = status; this.${field} = {}; }
  start(id) { this.${field}[id] = 0; }
};
other = { notAClass: true };
module.exports = States;`;
    expect(read(coffee("jobs"))).toEqual([["States", "States", "class expression"]]);
    const { derived, text } = render(coffee("jobs"), coffee("_jobs"));
    expect(derived.uncarried?.map((c) => c.name)).toEqual(["States"]);
    expect(text).not.toContain("Nothing here needs a decision");
    expect(text).toMatch(/^\/\/ TODO: plain\.js:\d+: class States changed/m);
  });
});
