// V8 intrinsics, available because vitest runs workers with --allow-natives-syntax
// and --expose-gc (vitest.config.ts). `%` syntax cannot pass through the
// TypeScript transform, so the calls are compiled at run time.
const compile = <T>(params: string, body: string): T => new Function(params, body) as T;

export const hasFastProperties = compile<(o: object) => boolean>(
  "o",
  "return %HasFastProperties(o)",
);
export const haveSameMap = compile<(a: object, b: object) => boolean>(
  "a, b",
  "return %HaveSameMap(a, b)",
);

/** Runs a full, synchronous garbage collection. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("tests must run with --expose-gc");
  gc();
}
