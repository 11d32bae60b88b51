/**
 * The small pools generated patches draw from: names (small, so that
 * independent patches often touch the same classes and fields, which is
 * what composition tests need), and total initialisers, migrators and
 * validations.
 */
import type {
  FieldInitialiser,
  InstanceValidation,
  Migrator,
  NamespaceValidation,
  Policy,
} from "../../../patch/operations.js";

export const PATCH_CLASS_NAMES = ["Shape", "Picture", "Person", "Item", "Box", "Label"] as const;
export const PATCH_FIELD_NAMES = ["a", "b", "c", "path", "size", "name", "owner", "tags"] as const;
export const PATCH_METHOD_NAMES = ["area", "describe", "total", "toJSON"] as const;
export const VALIDATION_NAMES = [
  "sizes-positive",
  "names-set",
  "no-orphans",
  "paths-absolute",
  "tags-unique",
];
export const POLICIES: readonly Policy[] = ["eager", "lazy", "progressive"];

/** Field initialisers used by generated patches: total on any old view. */
export const PATCH_INITIALISERS: readonly FieldInitialiser[] = [
  (old) => Object.keys(old).length,
  (old) => (typeof old.size === "number" ? old.size * 2 : 0),
  (old) => `${String(old.name ?? "")}!`,
];

/** Migrators used by generated patches: they only write fields that exist on every target. */
export const PATCH_MIGRATORS: readonly Migrator[] = [
  (old, target) => {
    void old;
    void target;
  },
  (old, target) => {
    if ("size" in target && typeof old.size === "number") target.size = old.size + 1;
  },
];

export const PATCH_NAMESPACE_CHECKS: readonly NamespaceValidation[] = [
  () => true,
  (world) => world.lookup("Object") === undefined || "every class is defined",
];

export const PATCH_INSTANCE_CHECKS: readonly InstanceValidation[] = [
  (instance) => typeof instance === "object" || "not an object",
  (instance) =>
    !("size" in instance) || typeof instance.size !== "string" || "size became a string",
];

export const DEFAULTS: readonly ({ default: unknown } | { defaultSource: string } | object)[] = [
  {},
  { default: 0 },
  { default: "" },
  { default: [] },
  { default: { tags: ["new"] } },
  { defaultSource: "Date.now() > 0" },
];
