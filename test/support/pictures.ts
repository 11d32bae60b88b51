// The Picture world the eager-engine tests share: one created class with
// three fields and `n` instances, each with distinct values.
import { Namespace } from "../../src/index.js";
import type { InstanceFinderChoice } from "../../src/mop/index.js";

export type Rec = Record<string, unknown>;

export interface PictureWorld {
  readonly ns: Namespace;
  readonly Picture: new (init?: { path?: string; name?: string; size?: number }) => object;
  /** Every instance, in creation order, as plain records to read and write fields. */
  readonly list: Rec[];
}

export function pictures(n: number, name: string, finder?: InstanceFinderChoice): PictureWorld {
  const ns = new Namespace(name, finder ? { instanceFinder: finder } : {});
  const Picture = ns.defineClass<{ path: string; name: string; size: number }>({
    name: "Picture",
    fields: [
      { name: "path", initializer: '""' },
      { name: "name", initializer: '""' },
      { name: "size", initializer: "0" },
    ],
    methods: {},
  });
  const list = Array.from(
    { length: n },
    (_, i) => new Picture({ path: `/p${i}`, name: `n${i}`, size: i }) as unknown as Rec,
  );
  return { ns, Picture, list };
}
