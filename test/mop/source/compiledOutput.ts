/**
 * Running the compiled modules the tests of this folder carry as text (what
 * swc, esbuild, Babel and rollup emitted, committed as written so that no
 * test needs those tools): a CommonJS module evaluated with a `require`
 * that hands out `@swc/helpers` as swc's runtime package exports them.
 */

/** A class the module exports (constructed with no arguments here). */
export type Class = new () => object;
type Helper = (...args: never[]) => unknown;
type Slots = WeakMap<object, { value: unknown }>;

function checkedSlot(receiver: object, map: Slots, action: string): { value: unknown } {
  if (!map.has(receiver))
    throw new TypeError(`attempted to ${action} private field on non-instance`);
  return map.get(receiver)!;
}

/** `@swc/helpers`' bodies (0.5), as swc inlines them without externalHelpers. */
const SWC_HELPERS: Record<string, Helper> = {
  _class_private_field_init: ((obj: object, map: Slots, value: { value: unknown }) => {
    if (map.has(obj)) throw new TypeError("Cannot initialize the same private elements twice");
    map.set(obj, value);
  }) as Helper,
  _class_private_field_get: ((receiver: object, map: Slots) =>
    checkedSlot(receiver, map, "get").value) as Helper,
  _class_private_field_set: ((receiver: object, map: Slots, value: unknown) => {
    checkedSlot(receiver, map, "set").value = value;
    return value;
  }) as Helper,
  _define_property: ((obj: Record<string, unknown>, key: string, value: unknown) => {
    if (key in obj) {
      Object.defineProperty(obj, key, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    } else obj[key] = value;
    return obj;
  }) as Helper,
};

/** The exports of CommonJS `code`; `require("@swc/helpers/_/<name>")` gives `{ _: helper }`. */
export function loadCommonJS(code: string): Record<string, Class> {
  const module = { exports: {} as Record<string, Class> };
  const require = (id: string) => {
    const helper = SWC_HELPERS[id.slice(id.lastIndexOf("/") + 1)];
    if (!id.startsWith("@swc/helpers/") || helper === undefined) throw new Error(`no ${id} here`);
    return { _: helper };
  };
  new Function("exports", "module", "require", code)(module.exports, module, require);
  return module.exports;
}
