/**
 * The world most migration benchmarks update: `n` Pictures (path, name,
 * size; a `weight()` method) in a namespace of their own, the same in every
 * bench module so that their figures compare.
 */
import { Namespace } from "../src/index.js";
import { nextTask } from "./loops.js";

export interface PictureV1 {
  path: string;
  name: string;
  size: number;
  weight(): number;
}

const make = (i: number) => ({ path: "/pictures", name: "holiday", size: i });

/** `n` Pictures made in one job. */
export function pictureWorld(n: number, label: string, finder: "registry" | "heap" = "registry") {
  const ns = new Namespace(`bench-${label}`, { instanceFinder: finder });
  const Picture = ns.defineClass<PictureV1>({
    name: "Picture",
    fields: [
      { name: "path", initializer: '""' },
      { name: "name", initializer: '""' },
      { name: "size", initializer: "0" },
    ],
    methods: {
      weight(this: PictureV1) {
        return this.size * 2;
      },
    },
  });
  const list: PictureV1[] = new Array(n);
  for (let i = 0; i < n; i++) list[i] = new Picture(make(i));
  return { ns, Picture, list };
}

/** `n` Pictures made across many jobs, as a running program would (see loops.ts on WeakRefs kept during a job). */
export async function pictureWorldAcrossJobs(
  n: number,
  label: string,
  finder?: "registry" | "heap",
) {
  const w = pictureWorld(0, label, finder);
  const list: PictureV1[] = new Array(n);
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + 10_000);
    for (; i < end; i++) list[i] = new w.Picture(make(i));
    await nextTask();
  }
  return { ...w, list };
}
