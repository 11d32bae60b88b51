/**
 * Each object's shape as a line of text, for comparing the program's state
 * before and after an update that must leave it exactly as it was: its
 * prototype, extensibility, own keys in order and their descriptors
 * (values, accessors by identity, flags). Identities are numbered in the
 * order met, so two calls over the same objects compare equal only when
 * every identity is the same.
 */
export function shapes(objects: readonly object[]): string[] {
  const ids = new Map<unknown, number>();
  const id = (v: unknown) => {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return JSON.stringify(v);
    if (!ids.has(v)) ids.set(v, ids.size);
    return `#${ids.get(v)}`;
  };
  return objects.map((o) =>
    [
      id(Object.getPrototypeOf(o)),
      Object.isExtensible(o),
      ...Reflect.ownKeys(o).map((k) => {
        const d = Reflect.getOwnPropertyDescriptor(o, k)!;
        const flags = `${d.enumerable}${d.configurable}${d.writable ?? ""}`;
        return "value" in d
          ? `${String(k)}=${id(d.value)}:${flags}`
          : `${String(k)}=get${id(d.get)}set${id(d.set)}:${flags}`;
      }),
    ].join(" "),
  );
}
