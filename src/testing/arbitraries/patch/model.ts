/** The model of classes that generated patches are valid against, and what a scenario holds. */
import type { FieldDefinition, MethodDefinition } from "../../../mop/classDefinition.js";
import type { Patch } from "../../../patch/patch.js";

/** A class as the model sees it: a definition's name, superclass, fields and methods. */
export interface ModelClass {
  readonly name: string;
  readonly superclass: string | null;
  readonly fields: readonly FieldDefinition[];
  readonly methods: readonly MethodDefinition[];
}

export interface ModelWorld {
  readonly classes: readonly ModelClass[];
}

/** A small hierarchy most generated patches start from. */
export const DEFAULT_MODEL_WORLD: ModelWorld = {
  classes: [
    {
      name: "Shape",
      superclass: null,
      fields: [{ name: "a" }, { name: "b", initializer: "0" }],
      methods: [{ key: "area", kind: "method", static: false, source: "area() { return 0; }" }],
    },
    {
      name: "Picture",
      superclass: "Shape",
      fields: [
        { name: "path", initializer: '""' },
        { name: "size", initializer: "1" },
      ],
      methods: [
        {
          key: "describe",
          kind: "method",
          static: false,
          source: "describe() { return this.path; }",
        },
      ],
    },
    { name: "Person", superclass: null, fields: [{ name: "name" }], methods: [] },
  ],
};

export interface PatchScenario {
  /** The classes the patch was generated against. */
  readonly before: ModelWorld;
  readonly patch: Patch;
  /** The classes as the patch should leave them. */
  readonly after: ModelWorld;
}

export interface PatchSequenceScenario {
  readonly before: ModelWorld;
  /** Each patch is valid against the world the previous ones leave. */
  readonly patches: readonly Patch[];
  readonly after: ModelWorld;
}

export interface PatchArbitraryOptions {
  /** The classes to patch (default: DEFAULT_MODEL_WORLD). */
  readonly world?: ModelWorld;
  readonly minOperations?: number;
  /** Default 8. */
  readonly maxOperations?: number;
  /** Patch name (default "random"). */
  readonly name?: string;
}

/** Mutable model state while one patch (or sequence) is being interpreted. */
