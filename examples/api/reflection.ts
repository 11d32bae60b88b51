/**
 * The reflective layer (src/mop): class definitions as data, classes from
 * data, instance variables by name, finding every instance, identity swaps.
 * Run: npx tsx examples/api/reflection.ts
 */
import {
  allInstances,
  createClass,
  Namespace,
  readClassDefinition,
  readInstanceVariable,
  swapObjects,
  type UnknownFieldError,
  writeInstanceVariable,
} from "../../src/index.js";
import {
  createInstanceHandle,
  definitionFromSpec,
  forwardObjects,
  retargetInstanceHandle,
} from "../../src/mop/index.js";

export function main(log: (line: string) => void = console.log): void {
  // An ordinary class, read as data (fields from its source text).
  class Point {
    x = 0;
    y = 0;
    norm() {
      return Math.hypot(this.x, this.y);
    }
  }
  const definition = readClassDefinition(Point);
  log(
    `${definition.name}: fields ${definition.fields.map((f) => f.name).join(", ")}; learned from ${definition.fieldOrigin}`,
  );

  // ... and a real class made from data.
  const Point3 = createClass<{ x: number; y: number; z: number }>(
    definitionFromSpec({ name: "Point3", fields: ["x", "y", { name: "z", initializer: "0" }] }),
  );
  const p = new Point3({ x: 1, y: 2 });
  log(`created: ${JSON.stringify(p)}, instanceof: ${p instanceof Point3}`);

  // Instance variables by name, checked against the class.
  writeInstanceVariable(p, "z", 3);
  log(`z = ${String(readInstanceVariable(p, "z"))}`);
  try {
    readInstanceVariable(p, "w");
  } catch (error) {
    log(`${(error as UnknownFieldError).code}: ${(error as Error).message}`);
  }

  // Every live instance of a managed class (registry or heap query backend).
  const ns = new Namespace("geo", { instanceFinder: "heap" });
  const Managed = ns.registerClass(Point);
  const kept = [new Managed(), new Managed()];
  log(`allInstances: ${allInstances(Managed).length} (holding ${kept.length})`);

  // Identity exchange: every reference to a now sees b's contents, and back.
  const a = { name: "a" };
  const b = { name: "b" };
  const holder = { ref: a };
  swapObjects([a], [b]);
  log(`after swap: holder.ref.name = ${holder.ref.name}, holder.ref === a: ${holder.ref === a}`);
  forwardObjects([a], [{ name: "forwarded" }]);
  log(`after forward: ${holder.ref.name}`);

  // Instance handles, for objects that cannot be rewritten in place (frozen).
  const frozen = Object.freeze(new Point());
  const handle = createInstanceHandle(frozen);
  retargetInstanceHandle(handle, Object.assign(new Point(), { x: 3, y: 4 }));
  log(`through the handle: norm = ${handle.norm()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
