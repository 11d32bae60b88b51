/**
 * `export default new Store()` in a module without classes, under the Vite
 * plugin (review advZ16 1, its singleton case written another way): the
 * default export was made anew at each evaluation of the module, so that the
 * classes evaluated again with it read a second, empty store. It is now kept
 * as a declaration's value is; a changed one reloads the page. The rewritten
 * module is run here on the page runtime's sources.
 */
import { expect, test, vi } from "vitest";
import { instrumentForVite } from "../../src/dev/viteInstrument.js";
import * as client from "../../src/dev/vitePageRuntime.js";

/** The default export of one evaluation of the rewritten module, given its `Store`. */
function evaluate(code: string, url: string, Store: new () => object): unknown {
  const body = code
    .replace(/^import \* as __metamorph\$client from "[^"]+";/, "")
    .replace(/^import \{ Store \} from "[^"]+";/m, "")
    .replaceAll("import.meta.url", "__url")
    .replace("export default ", "const __default = ")
    .replace(/^export /gm, "");
  const run = new Function("__metamorph$client", "__url", "Store", `${body}\nreturn __default;`);
  return run(client, url, Store);
}

const store = (label: string, made = "new Store()") => `import { Store } from "./store.js";
export default ${made};
export function label(n) { return n + " ${label}"; }
`;

test("a default export made by an expression keeps its running value in the module's next version", () => {
  class Store {
    items: string[] = [];
  }
  const url = "http://localhost/src/bus.js";
  const v1 = instrumentForVite(store("items"), "/src/bus.js", undefined)!.code;
  expect(v1).toContain(
    "export default __metamorph$module.keep(0) ? __metamorph$module.keptValue(0, 0) : __metamorph$module.value(0, 0, (new Store()));",
  );
  const first = evaluate(v1, url, Store);
  expect(first).toBeInstanceOf(Store);
  // Its function edited: the store is the running one.
  const v2 = instrumentForVite(store("things"), "/src/bus.js", undefined)!.code;
  expect(evaluate(v2, url, Store)).toBe(first);
  // The expression edited: making it again would leave the running one to its holders.
  const info = vi.spyOn(console, "info").mockImplementation(() => {});
  try {
    const v3 = instrumentForVite(store("things", "new Store(2)"), "/src/bus.js", undefined)!.code;
    evaluate(v3, url, Store);
    expect(client.status.last).toBe(
      "/src/bus.js: line 2: the value of export default changed, and running it again would repeat what the running version did: the page reloads",
    );
  } finally {
    info.mockRestore();
  }
});

test("a default export of a function, a class or a name is left as it is", () => {
  for (const code of [
    "let n = 0;\nexport default function count() { return n++; }\n",
    "let n = 0;\nconst count = () => n++;\nexport default count;\n",
  ]) {
    expect(instrumentForVite(code, "/src/count.js", undefined)!.code).toMatch(
      /\nexport default (function count|count;)/,
    );
  }
});
