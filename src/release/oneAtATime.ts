/**
 * Commands that change a service run one at a time, in the order they came:
 * each starts when the one before it settled, whether it answered or threw,
 * so a failed apply never blocks the next request.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  };
}
