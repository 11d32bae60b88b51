/**
 * Found by the picture-server demo (issue 14, item 7): rolling back an
 * update that moved fields into a new class (splitClass) lost the moved
 * fields of objects *created after the commit*: they came back with their
 * old class's defaults. Rollback now reads a moved field back from the
 * object that holds it (migrationPlan's reverseSplit).
 */
import { expect, test } from "vitest";
import { Namespace, patch, updateSync } from "../../src/index.js";

type Picture = { width: number; height: number };

function pictures() {
  const ns = new Namespace("pictures");
  const Picture = ns.defineClass<Picture>({
    name: "Picture",
    fields: [
      { name: "width", initializer: "0" },
      { name: "height", initializer: "0" },
    ],
  });
  const before = Object.assign(new Picture(), { width: 640, height: 480 });
  return { ns, Picture, before };
}

const split = patch("dimensions")
  .splitClass("Picture", ["width", "height"], { into: "Dimensions", via: "dimensions" })
  .build();

test("objects that existed before the update get their moved fields back on rollback", () => {
  const { ns, before } = pictures();
  const result = updateSync(ns, split);
  result.rollback();
  expect({ width: before.width, height: before.height }).toEqual({ width: 640, height: 480 });
});

test("an object created after the commit keeps its moved fields through the rollback", () => {
  const { ns } = pictures();
  const result = updateSync(ns, split);
  const Picture = ns.classNamed("Picture") as unknown as new () => { dimensions: Picture };
  const Dimensions = ns.classNamed("Dimensions") as unknown as new () => Picture;
  const created = new Picture();
  created.dimensions = Object.assign(new Dimensions(), { width: 1024, height: 768 });
  result.rollback();
  const back = created as unknown as Picture;
  expect({ width: back.width, height: back.height }).toEqual({ width: 1024, height: 768 });
});
