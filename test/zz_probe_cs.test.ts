import { test } from "vitest";
import { parseClassSource, parseModuleClasses, readClassSource } from "../src/mop/classSource.js";
class Base { constructor(public z = 1) {} }
class A extends Base {
  a = 1;
  b: number;
  declare c: string;
  static s = 5;
  #p = 2;
  constructor(private x: number, public readonly y = 3) {
    super();
    this.b = x + 1;
    this.d = [];
    if (x) this.e = 1;
  }
  get p() { return this.#p; }
  d: unknown[];
  [Symbol.iterator]() { return [][Symbol.iterator](); }
}
test("print", () => {
  console.log(JSON.stringify(readClassSource(A), null, 1));
  console.log(JSON.stringify(parseModuleClasses(`export class A extends Base<T> { a = 1; constructor(private x: number) { super(); this.q = <number>x; } }\nconst B = class { }`, "m.ts"), null, 1));
  try { parseClassSource("function f() {}"); } catch (e) { console.log(String(e)); }
  try { parseClassSource("class { m( }"); } catch (e) { console.log(String(e)); }
});
