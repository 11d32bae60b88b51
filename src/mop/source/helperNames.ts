/**
 * Transpilers' helpers, recognised by name in the spellings they reach a
 * class's code in: Babel's camelCase (`_defineProperty`), esbuild's
 * (`__publicField`), swc's snake_case (`_define_property`), imported from a
 * runtime package (`_defineProperty2.default`, swc's `_define_property._`,
 * `(0, _x.default)`: syntax.ts calleeName unwraps those; a namespace
 * import's `h._define_property`) or a bundle's renamed copy (Babel's
 * `_defineProperty2`, rollup's `_classPrivateFieldInitSpec$1` for the
 * second module's inlined copy). One spelling missed was a class read wrongly: swc's
 * `_class_private_field_init._(this, …)` not seen, an update of a class
 * with `#pin` committed and every private access on the old objects threw.
 */

export type HelperKind = "field" | "privateInit" | "privateUse";

const KINDS: ReadonlyMap<string, HelperKind> = new Map([
  ...["publicField", "defNormalProp", "defineProperty"].map((n) => [n, "field"] as const),
  ...[
    "privateAdd",
    "privateFieldInit",
    "classPrivateFieldInitSpec",
    "classPrivateMethodInitSpec",
    "classPrivateFieldInit",
    "classPrivateMethodInit",
  ].map((n) => [n, "privateInit"] as const),
  ...[
    "privateGet",
    "privateSet",
    "privateMethod",
    "privateWrapper",
    "privateIn",
    "classPrivateFieldGet",
    "classPrivateFieldSet",
    "classPrivateMethodGet",
    "classPrivateMethodSet",
    "classPrivateFieldLooseBase",
    "classPrivateFieldLooseKey",
    "classPrivateFieldIn",
    "classPrivateFieldUpdate",
    "classPrivateFieldDestructure",
    "classPrivateGetter",
    "classPrivateSetter",
  ].map((n) => [n, "privateUse"] as const),
]);

/**
 * `name` (as calleeName gives it) in one spelling: the last member of a
 * namespace import, leading underscores and a bundle's suffixes (`2`, `$1`) off,
 * snake_case as camelCase. Undefined for a name not spelt as a helper (no
 * leading underscore: `Object.defineProperty`, `_A_p.set`).
 */
export function canonicalHelper(name: string): string | undefined {
  const last = name.slice(name.lastIndexOf(".") + 1);
  const match = /^_{1,2}([A-Za-z][A-Za-z0-9_]*?)(?:\$?\d+)*$/.exec(last);
  if (match === null) return undefined;
  return match[1]!.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** What the helper `name` names does, if it is one. */
export function helperKind(name: string | undefined): HelperKind | undefined {
  const canonical = name === undefined ? undefined : canonicalHelper(name);
  return canonical === undefined ? undefined : KINDS.get(canonical);
}
