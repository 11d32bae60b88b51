/**
 * The classes a release's code constructs in a field, read from its text
 * (oldReleaseValues.ts).
 */

export const IDENTIFIER = "[A-Za-z_$][\\w$]*";

/**
 * The classes `texts` construct (`new Heap(…)`), other than the platform's
 * (`new Map()` becoming `new Set()` is no other release's object).
 */
export const constructed = (texts: readonly string[]) =>
  new Set(
    texts.flatMap((t) =>
      [...t.matchAll(new RegExp(`\\bnew\\s+(${IDENTIFIER}(?:\\s*\\.\\s*${IDENTIFIER})*)`, "g"))]
        .map((m) => m[1]!.replace(/\s+/g, ""))
        .filter((n) => {
          const head = n.split(".")[0]!;
          return head !== "this" && !(head in globalThis);
        }),
    ),
  );

/**
 * The class name a constructed path ends with (`Schema_1.Schema`: tsc's
 * CommonJS output and bundlers construct an import through its module's
 * namespace object, review advZ27 #3).
 */
export const lastName = (path: string) => path.slice(path.lastIndexOf(".") + 1);
