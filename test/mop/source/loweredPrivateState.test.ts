/**
 * Lowered `#` state that the reader did not see, so that an update of the
 * class committed (MM_UNSEEN_STATE at most) and every private access on the
 * old objects then threw: swc's snake_case helpers
 * (`_class_private_field_init`), rollup's renamed copies of Babel's
 * (`_classPrivateFieldInitSpec$1` for the second module's), and esbuild
 * --minify's helpers, whose names are gone (`y(this, o, "0000")`, `w(this,
 * o)`). Each is now refused with MM_PRIVATE_STATE before anything changes,
 * as the same classes compiled by tsc, Babel or esbuild unminified are.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../../src/index.js";
import { parseClassSource } from "../../../src/mop/source/parse.js";
import { type Class, loadCommonJS } from "./compiledOutput.js";

// Each compiled from
//   export class Vault { #pin = "0000"; owner = "x"; setPin(p) { this.#pin = p; }
//     verify(p) { return p === this.#pin; } version() { return 1; } }
// and the same with `return 2`: swc 1.x (target es2019, commonjs, helpers inlined) …
const SWC = `"use strict";
Object.defineProperty(exports, "__esModule", {
    value: true
});
Object.defineProperty(exports, "Vault", {
    enumerable: true,
    get: function() {
        return Vault;
    }
});
function _check_private_redeclaration(obj, privateCollection) {
    if (privateCollection.has(obj)) {
        throw new TypeError("Cannot initialize the same private elements twice on an object");
    }
}
function _class_apply_descriptor_get(receiver, descriptor) {
    if (descriptor.get) return descriptor.get.call(receiver);
    return descriptor.value;
}
function _class_apply_descriptor_set(receiver, descriptor, value) {
    if (descriptor.set) descriptor.set.call(receiver, value);
    else {
        if (!descriptor.writable) {
            throw new TypeError("attempted to set read only private field");
        }
        descriptor.value = value;
    }
}
function _class_extract_field_descriptor(receiver, privateMap, action) {
    if (!privateMap.has(receiver)) throw new TypeError("attempted to " + action + " private field on non-instance");
    return privateMap.get(receiver);
}
function _class_private_field_get(receiver, privateMap) {
    var descriptor = _class_extract_field_descriptor(receiver, privateMap, "get");
    return _class_apply_descriptor_get(receiver, descriptor);
}
function _class_private_field_init(obj, privateMap, value) {
    _check_private_redeclaration(obj, privateMap);
    privateMap.set(obj, value);
}
function _class_private_field_set(receiver, privateMap, value) {
    var descriptor = _class_extract_field_descriptor(receiver, privateMap, "set");
    _class_apply_descriptor_set(receiver, descriptor, value);
    return value;
}
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
var _pin = /*#__PURE__*/ new WeakMap();
class Vault {
    setPin(p) {
        _class_private_field_set(this, _pin, p);
    }
    verify(p) {
        return p === _class_private_field_get(this, _pin);
    }
    version() {
        return 1;
    }
    constructor(){
        _class_private_field_init(this, _pin, {
            writable: true,
            value: "0000"
        });
        _define_property(this, "owner", "x");
    }
}`;

// … esbuild 0.25 --minify --keep-names (target es2019, cjs) …
const ESBUILD_MINIFIED = `var t=Object.defineProperty;var b=Object.getOwnPropertyDescriptor;var d=Object.getOwnPropertyNames;var g=Object.prototype.hasOwnProperty;var v=e=>{throw TypeError(e)};var j=(e,r,i)=>r in e?t(e,r,{enumerable:!0,configurable:!0,writable:!0,value:i}):e[r]=i;var x=(e,r)=>t(e,"name",{value:r,configurable:!0});var k=(e,r)=>{for(var i in r)t(e,i,{get:r[i],enumerable:!0})},m=(e,r,i,n)=>{if(r&&typeof r=="object"||typeof r=="function")for(let s of d(r))!g.call(e,s)&&s!==i&&t(e,s,{get:()=>r[s],enumerable:!(n=b(r,s))||n.enumerable});return e};var q=e=>m(t({},"__esModule",{value:!0}),e);var c=(e,r,i)=>j(e,typeof r!="symbol"?r+"":r,i),f=(e,r,i)=>r.has(e)||v("Cannot "+i);var w=(e,r,i)=>(f(e,r,"read from private field"),i?i.call(e):r.get(e)),y=(e,r,i)=>r.has(e)?v("Cannot add the same private member more than once"):r instanceof WeakSet?r.add(e):r.set(e,i),P=(e,r,i,n)=>(f(e,r,"write to private field"),n?n.call(e,i):r.set(e,i),i);var u={};k(u,{Vault:()=>h});module.exports=q(u);var o;const p=class p{constructor(){y(this,o,"0000");c(this,"owner","x")}setPin(r){P(this,o,r)}verify(r){return r===w(this,o)}version(){return 1}};o=new WeakMap,x(p,"Vault");let h=p;`;

// … and Babel (preset-env, node 10) of that class without version() and of a second module
// with its own `#token`, bundled by rollup 4 (cjs): the first module's helpers become `…$1`;
// the second release's Vault adds `level = "gold"`.
const ROLLUP = `'use strict';

function _defineProperty$1(e, r, t) { return (r = _toPropertyKey$1(r)) in e ? Object.defineProperty(e, r, { value: t, enumerable: true, configurable: true, writable: true }) : e[r] = t, e; }
function _toPropertyKey$1(t) { var i = _toPrimitive$1(t, "string"); return "symbol" == typeof i ? i : i + ""; }
function _toPrimitive$1(t, e) { if ("object" != typeof t || !t) return t; var r; if ("undefined" != typeof Symbol && void 0 !== (r = t[Symbol.toPrimitive])) { var i = r.call(t, e); if ("object" != typeof i) return i; throw new TypeError("@@toPrimitive must return a primitive value."); } return ("string" === e ? String : Number)(t); }
function _classPrivateFieldInitSpec$1(e, t, a) { _checkPrivateRedeclaration$1(e, t), t.set(e, a); }
function _checkPrivateRedeclaration$1(e, t) { if (t.has(e)) throw new TypeError("Cannot initialize the same private elements twice on an object"); }
function _classPrivateFieldGet$1(s, a) { return s.get(_assertClassBrand$1(s, a)); }
function _classPrivateFieldSet$1(s, a, r) { return s.set(_assertClassBrand$1(s, a), r), r; }
function _assertClassBrand$1(e, t, n) { if ("function" == typeof e ? e === t : e.has(t)) return arguments.length < 3 ? t : n; throw new TypeError("Private element is not present on this object"); }
var _pin = /*#__PURE__*/new WeakMap();
class Vault {
  constructor() {
    _classPrivateFieldInitSpec$1(this, _pin, "0000");
    _defineProperty$1(this, "owner", "x");
  }
  setPin(p) {
    _classPrivateFieldSet$1(_pin, this, p);
  }
  verify(p) {
    return p === _classPrivateFieldGet$1(_pin, this);
  }
}

function _defineProperty(e, r, t) { return (r = _toPropertyKey(r)) in e ? Object.defineProperty(e, r, { value: t, enumerable: true, configurable: true, writable: true }) : e[r] = t, e; }
function _toPropertyKey(t) { var i = _toPrimitive(t, "string"); return "symbol" == typeof i ? i : i + ""; }
function _toPrimitive(t, e) { if ("object" != typeof t || !t) return t; var r; if ("undefined" != typeof Symbol && void 0 !== (r = t[Symbol.toPrimitive])) { var i = r.call(t, e); if ("object" != typeof i) return i; throw new TypeError("@@toPrimitive must return a primitive value."); } return ("string" === e ? String : Number)(t); }
function _classPrivateFieldInitSpec(e, t, a) { _checkPrivateRedeclaration(e, t), t.set(e, a); }
function _checkPrivateRedeclaration(e, t) { if (t.has(e)) throw new TypeError("Cannot initialize the same private elements twice on an object"); }
function _classPrivateFieldSet(s, a, r) { return s.set(_assertClassBrand(s, a), r), r; }
function _classPrivateFieldGet(s, a) { return s.get(_assertClassBrand(s, a)); }
function _assertClassBrand(e, t, n) { if ("function" == typeof e ? e === t : e.has(t)) return arguments.length < 3 ? t : n; throw new TypeError("Private element is not present on this object"); }
var _token = /*#__PURE__*/new WeakMap();
class Session {
  constructor() {
    _classPrivateFieldInitSpec(this, _token, "t");
    _defineProperty(this, "user", "u");
  }
  token() {
    return _classPrivateFieldGet(_token, this);
  }
  setToken(t) {
    _classPrivateFieldSet(_token, this, t);
  }
}

exports.Session = Session;
exports.Vault = Vault;`;

type Vault = { setPin(p: string): void; verify(p: string): boolean };

function releases(name: string): readonly [Class, Class] {
  switch (name) {
    case "swc":
      return [loadCommonJS(SWC).Vault!, loadCommonJS(SWC.replace("return 1;", "return 2;")).Vault!];
    case "esbuild --minify":
      return [
        loadCommonJS(ESBUILD_MINIFIED).Vault!,
        loadCommonJS(ESBUILD_MINIFIED.replace("return 1}", "return 2}")).Vault!,
      ];
    default:
      return [
        loadCommonJS(ROLLUP).Vault!,
        loadCommonJS(
          ROLLUP.replace(
            `_defineProperty$1(this, "owner", "x");`,
            `_defineProperty$1(this, "owner", "x");\n    _defineProperty$1(this, "level", "gold");`,
          ),
        ).Vault!,
      ];
  }
}

describe("an update of a class whose # state a transpiler lowered is refused before anything changes", () => {
  test.each(["swc", "esbuild --minify", "rollup"])("%s", (tool) => {
    const [v1, v2] = releases(tool);
    const ns = new Namespace(`lowered-${tool}`);
    const Vault = ns.registerClass(v1, { name: "Vault" });
    const vault = new Vault() as Vault;
    vault.setPin("1234");
    let code: unknown;
    try {
      updateSync(ns, patch("2").replaceImplementation("Vault", v2).build());
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe("MM_PRIVATE_STATE");
    expect(vault.verify("1234")).toBe(true);
    expect(Object.getPrototypeOf(vault)).toBe(Vault.prototype);
  });
});

describe("minified helpers, read by shape", () => {
  const read = (body: string) => parseClassSource(`class A { ${body} }`);

  test("a module binding handed over with `this` by the constructor and read back with it elsewhere", () => {
    // Private fields and methods, esbuild's order (this first) and Babel's (map first).
    expect(read(`constructor(){y(this,o,"0000")} get(){return w(this,o)}`).hasPrivateMembers).toBe(
      true,
    );
    expect(
      read(`constructor(){c(this,u)} run(){return g(this,u,m).call(this)}`).hasPrivateMembers,
    ).toBe(true);
    expect(read(`constructor(){n(this,a,"t")} token(){return r(a,this)}`).hasPrivateMembers).toBe(
      true,
    );
    expect(
      read(`constructor(){this.x=1,n(this,a,"t")} get t(){return r(a,this)}`).unsupported,
    ).toEqual([
      'private state lowered by a transpiler (`n(this,a,"t")`) is invisible to reflection',
    ]);
  });

  test("what is not that shape stays ordinary", () => {
    for (const body of [
      // Handed over once, never read back: a mixin.
      `constructor(){m(this,Events)} on(){return 1}`,
      // A field helper's key is a string (thisWrites.ts).
      `constructor(){c(this,"k",1)} get(){return c(this,"k")}`,
      // A parameter, a local, a standard global, a name shadowed where it is read back.
      `constructor(o){y(this,o)} get(){return w(this,o)}`,
      `constructor(){const o=1;y(this,o)} get(){return w(this,o)}`,
      `constructor(){y(this,Map)} get(){return w(this,Map)}`,
      `constructor(){y(this,o)} get(o){return w(this,o)}`,
      // A function with a name no minifier gives.
      `constructor(){register(this,registry)} close(){unregister(this,registry)}`,
    ]) {
      expect(read(body).hasPrivateMembers, body).toBe(false);
    }
  });
});

const CAMEL = [
  "privateAdd",
  "classPrivateFieldInitSpec",
  "classPrivateMethodInitSpec",
  "classPrivateFieldInit",
  "classPrivateMethodInit",
  "privateGet",
  "classPrivateFieldGet",
  "classPrivateFieldSet",
  "classPrivateMethodGet",
  "classPrivateFieldLooseBase",
];

test("property: every spelling of a private-state helper is read as private state (seed 1717)", () => {
  const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const spelling = fc.record({
    helper: fc.constantFrom(...CAMEL),
    snakeCase: fc.boolean(),
    underscores: fc.constantFrom("_", "__"),
    suffix: fc.constantFrom("", "2", "$1", "2$1", "$12"),
    access: fc.constantFrom("plain", ".default", "._", "(0, .default)", "(0, ._)", "namespace"),
    inConstructor: fc.boolean(),
  });
  fc.assert(
    fc.property(spelling, (s) => {
      const name = `${s.underscores}${s.snakeCase ? snake(s.helper) : s.helper}${s.suffix}`;
      const callee = {
        plain: name,
        ".default": `${name}.default`,
        "._": `${name}._`,
        "(0, .default)": `(0, ${name}.default)`,
        "(0, ._)": `(0, ${name}._)`,
        namespace: `helpers.${name}`,
      }[s.access];
      const call = `${callee}(this, _secret, 1)`;
      const parsed = parseClassSource(
        s.inConstructor
          ? `class A { constructor() { ${call}; } }`
          : `class A { read() { return ${call}; } }`,
      );
      expect(parsed.hasPrivateMembers).toBe(true);
      expect(parsed.fields).toEqual([]);
    }),
    { seed: 1717, numRuns: 300 },
  );
});
