/**
 * A class removed from a module the page holds objects of: `metamorph dev`
 * restarts with the reason, and the page said nothing at all (review
 * advX1). It says that the objects keep their code and that a reload is
 * what drops them. Run in Node on the sources, as the plugin's rewritten
 * modules call the runtime.
 */
import { expect, test, vi } from "vitest";
import { module } from "../../src/dev/vitePageRuntime.js";

test("the page says which class an edit removed, once per edit, and nothing for a module that keeps its classes", () => {
  const url = "http://localhost/src/shapes.js";
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const first = module(url);
    first.manage("Circle", class Circle {}, null, []);
    first.manage("Square", class Square {}, null, []);
    first.commit();
    const kept = module(url);
    kept.manage("Circle", class Circle {}, null, []);
    kept.manage("Square", class Square {}, null, []);
    kept.commit();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
    const edited = module(url);
    edited.manage("Circle", class Circle {}, null, []);
    edited.commit();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      "[metamorph] /src/shapes.js: class Square was removed: its objects keep the code they had — reload the page to be rid of them",
    ]);
  } finally {
    warn.mockRestore();
  }
});
