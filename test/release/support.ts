import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { patch } from "../../src/index.js";
import { Patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";

export type Counter = { count: number; label(): string };

/** A small service: one managed class with one live object. */
export function service() {
  const ns = new Namespace("shop");
  const Counter = ns.defineClass<Counter>({
    name: "Counter",
    fields: [{ name: "count", initializer: "0" }],
    methods: {
      label(this: Counter) {
        return `v1:${this.count}`;
      },
    },
  });
  const counter = new Counter();
  counter.count = 7;
  return { ns, Counter, counter };
}

const LABELS = [
  {
    label(this: Counter) {
      return `v2:${this.count}`;
    },
  },
  {
    label(this: Counter) {
      return `v3:${this.count}`;
    },
  },
  {
    label(this: Counter) {
      return `v4:${this.count}`;
    },
  },
];

/** Release `n` (2…4) of the service: `label()` answers `v<n>:<count>`. */
export function release(n: 2 | 3 | 4): Patch {
  return patch(`v${n}`)
    .replaceMethods("Counter", LABELS[n - 2]!)
    .build();
}

/** A patch whose JSON form carries code that sets `globalThis[name]` as soon as it is compiled or evaluated. */
export function sideEffectPatches(name: string): Patch[] {
  const migratorSource = `(globalThis.${name} = "migrator", (old, target) => {})`;
  const viaMigrator = patch("evil-migrator")
    .migrate("Counter", () => {})
    .build()
    .toJSON();
  const json = JSON.parse(JSON.stringify(viaMigrator));
  json.operations[0].migrator.source = migratorSource;
  const viaStatic = patch("evil-static")
    .addClass({
      name: "Evil",
      fields: [],
      staticFields: [{ name: "x", initializer: `(globalThis.${name} = "static initialiser")` }],
    })
    .build();
  return [Patch.fromJSON(json), viaStatic];
}

/** A private temporary directory (0700, as mkdtemp makes them), removed by the returned function. */
export async function privateDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "mm-release-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
