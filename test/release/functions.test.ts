/**
 * A bundle's changed top-level functions (release/functions.ts): signed with
 * the patches, checked against the service's modules before anything is
 * compiled, compiled in the module's scope once verified, and assigned in
 * the same update as the classes — kept old when the update is refused, put
 * back by a rollback. The module here is a closure with its own evaluator,
 * as an instrumented module has; the run side (dev/functionBindings.ts) is
 * tested on a module graph at the end, and end to end in test/cli/diff.test.ts.
 */
import { sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { contentHash } from "../../src/dev/common.js";
import { serviceModules } from "../../src/dev/functionBindings.js";
import { ModuleGraph } from "../../src/dev/moduleGraph.js";
import type { ScopeAccess } from "../../src/dev/scopeAccess.js";
import { Namespace, patch } from "../../src/index.js";
import { signedBytes } from "../../src/release/bundle.js";
import { canonicalJsonPretty } from "../../src/release/canonicalJson.js";
import type {
  Bundle,
  BundleFunction,
  FunctionBinding,
  ServiceModules,
} from "../../src/release/index.js";
import {
  applyBundle,
  describeBundle,
  describeStatus,
  generateKeys,
  keyIdOf,
  packBundle,
  readBundle,
} from "../../src/release/index.js";
import { LocalControl } from "../../src/release/localControl.js";
import { releaseTarget } from "../../src/release/server.js";
import { privateDir, release, service } from "./support.js";

const keys = generateKeys();

const FORMAT: BundleFunction = {
  module: "lib/format.js",
  name: "format",
  // `prefix` is the module's own variable: the function is compiled in its scope.
  source: "function format(n) {\n  return prefix + n;\n}",
};

/** A running module `lib/format.js`: its scope, its evaluator, and what was evaluated through it. */
function formatModule() {
  const scope = new Function(`"use strict";
    const prefix = "No. ";
    function format(n) { return "#" + n; }
    return { evaluate: (code) => eval(code), call: (n) => format(n) };`)() as {
    evaluate: (code: string) => unknown;
    call: (n: number) => string;
  };
  const evaluated: string[] = [];
  const binding: FunctionBinding = {
    read: () => scope.evaluate("format"),
    assign: (value) => (scope.evaluate("(v) => { format = v; }") as (v: unknown) => void)(value),
    evaluate: (code) => {
      evaluated.push(code);
      return scope.evaluate(code);
    },
  };
  const modules: ServiceModules = {
    root: "/srv/app",
    functionBinding: (module, name) => {
      if (module !== "lib/format.js") return "the service has not loaded this module";
      return name === "format" ? binding : `the module declares no ${name}`;
    },
  };
  return { call: scope.call, evaluated, modules };
}

function world(withModules = true) {
  const s = service();
  const module = formatModule();
  const target = releaseTarget({
    trust: [keys.publicKey],
    namespace: s.ns,
    version: "1",
    ...(withModules ? { modules: module.modules } : {}),
  });
  return { ...s, ...module, target };
}

const bundleText = (p = release(2), functions: readonly BundleFunction[] = [FORMAT]) =>
  packBundle(p, { fromVersion: "1", toVersion: "2", functions }, keys.privateKey);

describe("a bundle's top-level functions", () => {
  test("replaced in the same update as the classes; a rollback puts the old one back", async () => {
    const { counter, call, target } = world();
    expect(call(7)).toBe("#7");
    const outcome = await applyBundle(target, bundleText());
    expect(outcome.status).toBe("committed");
    expect([counter.label(), call(7)]).toEqual(["v2:7", "No. 7"]);
    const status = target.history.status();
    expect(status.releases.at(-1)).toMatchObject({
      version: "2",
      functions: ["lib/format.js:format"],
    });
    expect(describeStatus(status)).toContain("functions lib/format.js:format");
    target.history.rollback();
    expect([counter.label(), call(7)]).toEqual(["v1:7", "#7"]);
  });

  test("an update the engine refuses leaves the old function", async () => {
    const { counter, call, target } = world();
    const refused = patch("v2")
      .replaceMethods("Counter", {
        label() {
          return "v2";
        },
      })
      .validateInstances("never", "Counter", () => "refused on purpose")
      .build();
    const outcome = await applyBundle(target, bundleText(refused));
    expect(outcome.status).not.toBe("committed");
    expect([counter.label(), call(7), target.history.version]).toEqual(["v1:7", "#7", "1"]);
  });

  test("prepare compiles and changes nothing; commit replaces the function", async () => {
    const { call, target } = world();
    const local = new LocalControl(target);
    const ask = (request: Parameters<LocalControl["handle"]>[0]) => local.handle(request, () => {});
    const prepared = (await ask({ command: "prepare", bundle: bundleText() })) as unknown as {
      ok: boolean;
      id: string;
    };
    expect(prepared.ok).toBe(true);
    expect(call(7)).toBe("#7");
    const committed = await ask({ command: "commit", id: prepared.id });
    expect(committed).toMatchObject({ ok: true, version: "2" });
    expect(call(7)).toBe("No. 7");
  });

  test.each([
    ["a module the service has not loaded", { ...FORMAT, module: "lib/gone.js" }, true],
    ["a function the module does not declare", { ...FORMAT, name: "pad" }, true],
    ["a service that does not expose its modules", FORMAT, false],
  ] as const)(
    "%s is refused (MM_RELEASE_FUNCTION) before anything is compiled",
    async (_what, fn, withModules) => {
      const { counter, call, evaluated, target } = world(withModules);
      const source = fn.name === "pad" ? { ...fn, source: "function pad(n) { return n; }" } : fn;
      await expect(applyBundle(target, bundleText(release(2), [source]))).rejects.toMatchObject({
        code: "MM_RELEASE_FUNCTION",
        details: { module: fn.module, name: fn.name },
      });
      expect(evaluated).toEqual([]);
      expect([counter.label(), call(7), target.history.version]).toEqual(["v1:7", "#7", "1"]);
    },
  );

  test("a function source changed after signing is refused with nothing compiled", async () => {
    const { counter, call, evaluated, target } = world();
    const json = JSON.parse(bundleText()) as {
      payload: { functions: { source: string }[] };
    };
    json.payload.functions[0]!.source =
      "function format(n) {\n  globalThis.mmTampered = true;\n  return n;\n}";
    await expect(applyBundle(target, canonicalJsonPretty(json))).rejects.toMatchObject({
      code: "MM_BUNDLE_BAD_SIGNATURE",
    });
    expect(evaluated).toEqual([]);
    expect((globalThis as { mmTampered?: boolean }).mmTampered).toBeUndefined();
    expect([counter.label(), call(7)]).toEqual(["v1:7", "#7"]);
  });

  test("a source that is more than one function expression is refused at pack, and at a service before it is evaluated", async () => {
    const breakout = "function format(n) { return n; }); globalThis.mmEscaped = true; (0";
    expect(() => bundleText(release(2), [{ ...FORMAT, source: breakout }])).toThrow(
      expect.objectContaining({ code: "MM_RELEASE_FUNCTION" }),
    );
    // Signed by a trusted key all the same (a packer that skipped the check).
    const payload = {
      manifest: {
        name: "v2",
        fromVersion: "1",
        toVersion: "2",
        created: new Date(0).toISOString(),
        createdBy: "test",
      },
      patches: [release(2).toJSON()],
      options: {},
      functions: [{ ...FORMAT, source: breakout }],
    };
    const signature = sign(null, signedBytes("metamorph.bundle/1", payload), keys.privateKey);
    const bundle: Bundle = {
      format: "metamorph.bundle/1",
      payload,
      signature: {
        algorithm: "ed25519",
        keyId: keyIdOf(keys.publicKey),
        value: signature.toString("base64"),
      },
    };
    const { call, evaluated, target } = world();
    await expect(applyBundle(target, canonicalJsonPretty(bundle))).rejects.toMatchObject({
      code: "MM_RELEASE_FUNCTION",
    });
    expect(evaluated).toEqual([]);
    expect((globalThis as { mmEscaped?: boolean }).mmEscaped).toBeUndefined();
    expect(call(7)).toBe("#7");
  });

  test("inspect lists each function with its module and source", () => {
    const text = describeBundle(readBundle(bundleText()));
    expect(text).toContain(
      "  top-level functions (1), each compiled in its module's scope:\n    lib/format.js: format\n      function format(n) {\n        return prefix + n;\n      }",
    );
  });

  test.each([
    ["../format.js", "format", "payload.functions[0].module"],
    ["/srv/format.js", "format", "payload.functions[0].module"],
    ["lib\\format.js", "format", "payload.functions[0].module"],
    ["lib/format.js", "not-a-name", "payload.functions[0].name"],
  ])("a bundle naming module %j, function %j is malformed (%s)", (module, name, path) => {
    const json = JSON.parse(bundleText()) as { payload: { functions: BundleFunction[] } };
    json.payload.functions[0] = { ...FORMAT, module, name };
    expect(() => readBundle(canonicalJsonPretty(json))).toThrow(
      expect.objectContaining({ code: "MM_BUNDLE_MALFORMED", details: { path } }),
    );
  });

  test("a bundle without functions keeps the form (and id) it always had", () => {
    const json = JSON.parse(bundleText(release(2), [])) as { payload: object };
    expect(Object.keys(json.payload).sort()).toEqual(["manifest", "options", "patches"]);
  });
});

describe("metamorph run's side: function declarations of the loaded modules", () => {
  let dir: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await privateDir();
  });
  afterAll(() => dir.remove());

  test("a function declaration is read and assigned through its module's evaluator; anything else is refused with why", () => {
    const js = [
      'import { join } from "node:path";',
      "export class Shape {}",
      "const limit = 3;",
      "export function area(n) { return n * limit; }",
      "let counter = 0;",
      "counter++;",
    ].join("\n");
    const file = join(dir.dir, "shapes.mjs");
    writeFileSync(file, js);
    const scope = new Function(`"use strict";
      const limit = 3;
      function area(n) { return n * limit; }
      const access = { bindings: { __proto__: null, get limit() { return limit; }, get area() { return area; }, set area(v) { area = v; } }, import: (s) => import(s), strict: true };
      return { access, call: (n) => area(n) };`)() as {
      access: ScopeAccess;
      call: (n: number) => number;
    };
    const graph = new ModuleGraph(new Namespace("run"), () => {});
    graph.register(
      pathToFileURL(file).href,
      scope.access,
      ["join", "Shape", "limit", "area", "counter"],
      contentHash(js),
      js,
      "module",
    );
    const modules = serviceModules(graph, dir.dir);
    expect(modules.functionBinding("shapes.mjs", "join")).toBe(
      "join is not a function declaration of this module",
    );
    expect(modules.functionBinding("shapes.mjs", "Shape")).toBe(
      "Shape is a class (a patch's class operations change it)",
    );
    expect(modules.functionBinding("shapes.mjs", "limit")).toBe(
      "limit is not a function declaration of this module",
    );
    expect(modules.functionBinding("shapes.mjs", "volume")).toBe("the module declares no volume");
    expect(modules.functionBinding("other.mjs", "area")).toBe(
      "the service has not loaded this module",
    );
    const area = modules.functionBinding("shapes.mjs", "area");
    if (typeof area === "string") throw new Error(area);
    expect(area.read()).toBeTypeOf("function");
    area.assign(area.evaluate("(function area(n) { return n * limit * 10; })"));
    expect(scope.call(2)).toBe(60);
    // A module binding the module gave no accessor (only its top-level code reassigns it) is out of reach.
    expect(() => area.evaluate("(function area(n) { return n * counter; })")).toThrow(
      expect.objectContaining({
        code: "MM_RELEASE_FUNCTION",
        message: expect.stringMatching(/^shapes\.mjs: function area: the new code uses counter,/),
      }),
    );
    expect(scope.call(2)).toBe(60);
  });
});
