/**
 * The edits a shadow made to its bindings, as immer patches, computed only
 * when someone reads them. An update commits one produce without patches
 * (the patches and their inverses cost about as much again, and nothing in
 * an update reads them); a reader of `patches` or `inversePatches` gets
 * each edit replayed with `produceWithPatches` on the very bindings it was
 * made on. A recipe creates no object of its own (each value it writes was
 * made before it ran), so the replay writes the very values the edit wrote
 * and its patches are those of the edit.
 */
import type { Patch } from "immer";
import type { Binding } from "./namespace.js";
import { immer } from "./namespace.js";

export type Recipe = (bindings: Record<string, Binding>) => void;

interface Edit {
  readonly base: Readonly<Record<string, Binding>>;
  readonly recipe: Recipe;
}

/** A patch of the bindings as a patch of the snapshot. */
const inBindings = (p: Patch): Patch => ({ ...p, path: ["bindings", ...p.path] });

export class BindingEdits {
  readonly #edits: Edit[] = [];
  readonly #patches: Patch[] = [];
  readonly #inverse: Patch[] = [];
  /** How many edits `#patches` and `#inverse` cover. */
  #replayed = 0;

  /** Applies `recipe` to `base` (a plain produce) and records it. */
  apply(
    base: Readonly<Record<string, Binding>>,
    recipe: Recipe,
  ): Readonly<Record<string, Binding>> {
    const next = immer.produce(base, recipe);
    if (next !== base) this.#edits.push({ base, recipe });
    return next;
  }

  /** immer patches that turn the old bindings into the new ones (their paths start at `bindings`). */
  get patches(): Patch[] {
    this.#replay();
    return this.#patches;
  }

  /** And back, last edit first. */
  get inversePatches(): Patch[] {
    this.#replay();
    return this.#inverse;
  }

  #replay(): void {
    for (; this.#replayed < this.#edits.length; this.#replayed++) {
      const { base, recipe } = this.#edits[this.#replayed]!;
      const [, patches, inverse] = immer.produceWithPatches(base, recipe);
      for (const p of patches) this.#patches.push(inBindings(p));
      this.#inverse.unshift(...inverse.map(inBindings));
    }
  }
}
