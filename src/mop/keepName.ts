/**
 * The helper esbuild emits (tsx, Vitest, Vite) to keep names it would
 * otherwise lose: `__name(fn, "f")`, `static { __name(this, "A") }`. Source
 * text carried out of its module — a class definition, a patch's method —
 * still calls it, so every place that compiles such text provides it.
 */
export function keepName<F extends Function>(fn: F, name: string): F {
  try {
    Object.defineProperty(fn, "name", { value: name, configurable: true });
  } catch {
    // A function whose name cannot be set keeps its own.
  }
  return fn;
}
