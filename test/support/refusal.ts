/** What a call was refused with: its error of class `kind`; any other throw passes through, and a call that returns is a failure. */
export function refusalOf<E extends Error>(
  run: () => unknown,
  kind: abstract new (...args: never[]) => E,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error("the update committed");
}
