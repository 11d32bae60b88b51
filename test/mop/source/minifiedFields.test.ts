/**
 * esbuild --minify (target below ES2022) emits each field as a call of its
 * `__publicField` renamed to a letter — `c(this, "tag", "bag")` in one
 * release, `n(this, "unit", "pcs")` in the next, the minifier renaming it.
 * Read as an opaque write, a field the new release added stayed undefined
 * on every live object (the update's only warning quoted the running
 * release's call for another field). Such a call with a string key is now
 * read as a field write of that key in both releases, so the new field gets
 * its value as with the unminified build.
 */
import { describe, expect, test } from "vitest";
import { Namespace, patch, readClassDefinition, updateSync } from "../../../src/index.js";
import { parseClassSource } from "../../../src/mop/source/parse.js";
import { loadCommonJS } from "./compiledOutput.js";
import { besidesOldLayout } from "../../support/releaseWarnings.js";

// esbuild 0.25 --minify --keep-names (target es2019, cjs) of
//   export class Bag extends Map { tag = "bag"; total() { return [...this.values()].reduce(…) + " " + this.unit; } }
const A = `var r=Object.defineProperty;var d=Object.getOwnPropertyDescriptor;var h=Object.getOwnPropertyNames;var o=Object.prototype.hasOwnProperty;var p=(e,t,s)=>t in e?r(e,t,{enumerable:!0,configurable:!0,writable:!0,value:s}):e[t]=s;var n=(e,t)=>r(e,"name",{value:t,configurable:!0});var x=(e,t)=>{for(var s in t)r(e,s,{get:t[s],enumerable:!0})},b=(e,t,s,u)=>{if(t&&typeof t=="object"||typeof t=="function")for(let a of h(t))!o.call(e,a)&&a!==s&&r(e,a,{get:()=>t[a],enumerable:!(u=d(t,a))||u.enumerable});return e};var v=e=>b(r({},"__esModule",{value:!0}),e);var c=(e,t,s)=>p(e,typeof t!="symbol"?t+"":t,s);var M={};x(M,{Bag:()=>i});module.exports=v(M);const l=class l extends Map{constructor(){super(...arguments);c(this,"tag","bag")}total(){return[...this.values()].reduce((s,u)=>s+u,0)+" "+this.unit}};n(l,"Bag");let i=l;`;

// … and of the next release, which adds `unit = "pcs"`.
const B = `var a=Object.defineProperty;var p=Object.getOwnPropertyDescriptor;var d=Object.getOwnPropertyNames;var h=Object.prototype.hasOwnProperty;var o=(e,t,s)=>t in e?a(e,t,{enumerable:!0,configurable:!0,writable:!0,value:s}):e[t]=s;var l=(e,t)=>a(e,"name",{value:t,configurable:!0});var x=(e,t)=>{for(var s in t)a(e,s,{get:t[s],enumerable:!0})},b=(e,t,s,i)=>{if(t&&typeof t=="object"||typeof t=="function")for(let u of d(t))!h.call(e,u)&&u!==s&&a(e,u,{get:()=>t[u],enumerable:!(i=p(t,u))||i.enumerable});return e};var v=e=>b(a({},"__esModule",{value:!0}),e);var n=(e,t,s)=>o(e,typeof t!="symbol"?t+"":t,s);var M={};x(M,{Bag:()=>r});module.exports=v(M);const c=class c extends Map{constructor(){super(...arguments);n(this,"tag","bag");n(this,"unit","pcs")}total(){return[...this.values()].reduce((s,i)=>s+i,0)+" "+this.unit}};l(c,"Bag");let r=c;`;

type Bag = Map<string, number> & { total(): string };
const bagOf = (cls: unknown, entries: [string, number][]) =>
  new (cls as new (entries: [string, number][]) => Bag)(entries);

describe("esbuild --minify's field helper", () => {
  test("its calls with a string key are the class's fields, with their values", () => {
    expect(readClassDefinition(loadCommonJS(B).Bag!).fields).toEqual([
      { name: "tag", initializer: '"bag"' },
      { name: "unit", initializer: '"pcs"' },
    ]);
  });

  test("a field the new release adds gets its value on the live objects", () => {
    const ns = new Namespace("esbuild-minified-fields");
    const v1 = loadCommonJS(A).Bag!;
    ns.registerClass(v1, { name: "Bag" });
    const bag = bagOf(v1, [["a", 2]]);
    const result = updateSync(
      ns,
      patch("2").replaceImplementation("Bag", loadCommonJS(B).Bag!).build(),
    );
    expect(besidesOldLayout(result.warnings)).toEqual([]);
    expect(bag.total()).toBe("2 pcs");
    expect({ ...bag }).toEqual({ tag: "bag", unit: "pcs" });
  });

  test("the same shape where a field would shadow a method, or outside the constructor, is no field", () => {
    const parsed = parseClassSource(
      `class S{constructor(e){o(this,"close",e);o(this,"mode","r")}close(){}open(){o(this,"data",1)}}`,
    );
    expect(parsed.fields).toEqual([{ name: "mode", initializer: '"r"' }]);
    expect(parsed.unsupported).toEqual([
      'the constructor creates properties that cannot be named statically: `o(this,"close",e)`',
    ]);
  });
});
