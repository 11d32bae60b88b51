/**
 * Calls of generator methods (`*pages()`, `async *pages()`). Such a call's
 * body runs in steps, one per `next()`, and sits paused in between, holding
 * its locals and its place in the old code: a pager paused after its first
 * page and resumed after an update that renamed its cursor read `undefined`
 * and ended quietly, its remaining pages lost (review advZ15). So the call
 * counts as in flight from the moment it returned its generator until the
 * generator finishes — a `next()` answers done, a step throws, `return()` or
 * `throw()` closes it — and forced quiescence waits for it like for an
 * `async` call. One paused and never resumed keeps its class from quiescence
 * until the wait's time-out, which postpones the update with nothing changed:
 * better than resuming old code on a new layout. One the program drops ends
 * when it is garbage-collected.
 *
 * The generator object itself is kept (the caller's `instanceof`, identity
 * and prototype are the method's own): its `next`, `return` and `throw` get
 * own, non-enumerable stand-ins that call the prototype's and watch for the
 * end.
 */
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as Function;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as Function;

/** Ends the calls of generators that the program dropped unfinished. */
const dropped = new FinalizationRegistry<() => void>((end) => end());

/** Whether `fn` is a generator or async generator function (its calls return generators). */
export function isGeneratorFunction(fn: Function): boolean {
  return fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction;
}

const isDone = (result: unknown): boolean =>
  typeof result === "object" &&
  result !== null &&
  (result as IteratorResult<unknown>).done === true;

/**
 * Calls `end` once, when `generator` finishes or is collected. `around` runs
 * each step (the call's async context, with followAsyncContext).
 */
export function followGenerator(
  generator: object,
  end: () => void,
  around: (step: () => unknown) => unknown = (step) => step(),
): void {
  const token = {};
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    dropped.unregister(token);
    end();
  };
  dropped.register(generator, end, token);
  for (const key of ["next", "return", "throw"] as const) {
    const method: unknown = Reflect.get(generator, key);
    if (typeof method !== "function") continue;
    const stepThrough = function (this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = around(() => Reflect.apply(method, this, args));
      } catch (error) {
        finish();
        throw error;
      }
      if (result instanceof Promise) {
        // A reaction beside the caller's: the caller still sees the step's own promise.
        result.then((r) => (isDone(r) ? finish() : undefined), finish);
      } else if (isDone(result)) finish();
      return result;
    };
    Object.defineProperty(generator, key, {
      value: stepThrough,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
