/**
 * Identity exchange for JavaScript objects, after Smalltalk's `become:` and
 * `becomeForward:`. JavaScript cannot redirect references, so the objects keep
 * their identities and exchange everything else instead: prototype, own
 * properties (data and accessor, string and symbol keyed, enumerable or not)
 * and, for arrays, elements and length. Everything that referenced an object
 * (variables, closures, other objects' fields, Map/Set/WeakMap entries) keeps
 * referencing the same object, and now sees the other one's contents.
 *
 * Both operations are all-or-nothing: every argument and every object is
 * checked and every state captured before the first object changes, and a
 * failure part-way (only possible with exotic objects such as proxies whose
 * traps refuse) restores every touched object before rethrowing.
 */
import { SwapArgumentError, UnswappableObjectError } from "../errors.js";
import { isArray, isRevokedProxy, kindOf } from "../valueKinds.js";
import { applyRow, applyRowFresh, type InterceptCache } from "./rewriting/applyState.js";
import {
  captureCheckedRow,
  type PrototypeVerdicts,
  type RewriteRole,
} from "./rewriting/rewritability.js";
import { createStateTable, type StateTable } from "./rewriting/stateTable.js";

/**
 * Checks the arguments and captures every object's state before anything is
 * changed. Row 2i holds olds[i], row 2i + 1 holds news[i]; `newsRole` says
 * whether news are rewritten too ("target") or only read ("source").
 */
function captureBatch(olds: readonly object[], news: readonly object[], newsRole: RewriteRole) {
  const batch = checkArguments(olds, news);
  const verdicts: PrototypeVerdicts = new Map();
  const states = createStateTable();
  for (let i = 0; i < olds.length; i++) {
    captureCheckedRow(states, olds[i], "olds", "target", verdicts, i);
    captureCheckedRow(states, news[i], "news", newsRole, verdicts, i);
  }
  return { states, cache: interceptCacheFor(batch, verdicts) };
}

/**
 * Exchanges the contents of `olds[i]` and `news[i]` for every i: afterwards
 * `olds[i]` has the prototype and own properties `news[i]` had, and vice versa.
 * Applying the same swap twice restores everything (values, prototypes; not
 * necessarily V8's hidden classes, which only ever move forward).
 *
 * Values are exchanged as they are: a field of `news[i]` that referred to
 * `news[i]` itself now sits in `olds[i]` and still refers to `news[i]` — which
 * is exactly what Smalltalk's two-way become gives, since there every
 * reference to either object is exchanged.
 *
 * @throws SwapArgumentError when the lists are not arrays of equal length, hold
 *   a non-object, or an object appears twice across both lists.
 * @throws UnswappableObjectError when an object cannot be rewritten (see
 *   `assertRewritable`) or an array is paired with a non-array.
 */
export function swapObjects(olds: readonly object[], news: readonly object[]): void {
  // After the checks: a length read from what may not be an array would throw a raw TypeError.
  const { states, cache } = captureBatch(olds, news, "target");
  const n = olds.length;
  let row = 0;
  try {
    for (; row < 2 * n; row++) {
      const i = row >> 1;
      if ((row & 1) === 0) applyRow(olds[i]!, states, row, states, row + 1, cache);
      else applyRow(news[i]!, states, row, states, row - 1, cache);
    }
  } catch (error) {
    const touched: object[] = [];
    const rows: number[] = [];
    for (let r = row; r >= 0; r--) {
      touched.push((r & 1) === 0 ? olds[r >> 1]! : news[r >> 1]!);
      rows.push(r);
    }
    restoreOrThrow(error, touched, states, rows);
  }
}

/**
 * One-way become: afterwards `olds[i]` has the prototype and own properties of
 * `news[i]` (copied shallowly, descriptors included) and `news[i]` is
 * unchanged. Everything that referenced `olds[i]` now sees `news[i]`'s
 * contents — but as a copy: later writes to one are not seen through the
 * other.
 *
 * `news[i]` is only read, so it may be frozen or non-extensible; it may not
 * have non-configurable own properties (the copy would make `olds[i]`
 * impossible to rewrite or restore), internal slots or private members.
 *
 * @throws SwapArgumentError / UnswappableObjectError as `swapObjects`.
 */
export function forwardObjects(olds: readonly object[], news: readonly object[]): void {
  const { states, cache } = captureBatch(olds, news, "source");
  const n = olds.length;
  let i = 0;
  try {
    for (; i < n; i++) applyRow(olds[i]!, states, 2 * i, states, 2 * i + 1, cache);
  } catch (error) {
    const touched: object[] = [];
    const rows: number[] = [];
    for (let j = i; j >= 0; j--) {
      touched.push(olds[j]!);
      rows.push(2 * j);
    }
    restoreOrThrow(error, touched, states, rows);
  }
}

/** Restores every touched object (most recent first) to its captured row and rethrows the original failure. */
function restoreOrThrow(
  error: unknown,
  touched: readonly object[],
  states: StateTable,
  rows: readonly number[],
): never {
  const failures: unknown[] = [];
  for (let j = 0; j < touched.length; j++) {
    try {
      applyRowFresh(touched[j]!, states, rows[j]!);
    } catch (restoreError) {
      failures.push(restoreError);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(
      [error, ...failures],
      `object exchange failed and ${failures.length} object(s) could not be restored`,
    );
  }
  throw error;
}

/**
 * A cache of what each prototype chain intercepts is only valid if no object
 * of the batch is itself on one of those chains (it would change mid-batch).
 */
function interceptCacheFor(
  batch: ReadonlySet<object>,
  verdicts: PrototypeVerdicts,
): InterceptCache | undefined {
  for (const prototype of verdicts.keys()) {
    for (let p = prototype; p !== null; p = Reflect.getPrototypeOf(p)) {
      if (batch.has(p)) return undefined;
    }
  }
  return new Map();
}

/**
 * Argument checks that need no object inspection: lists, lengths, primitives,
 * duplicates, array pairing. Returns the set of all objects.
 */
function checkArguments(olds: readonly object[], news: readonly object[]): ReadonlySet<object> {
  if (!isArray(olds) || !isArray(news)) {
    const [list, value] = isArray(olds) ? ["news", news] : ["olds", olds];
    throw new SwapArgumentError(
      `olds and news must both be arrays of objects, not ${list}: ${kindOf(value)}`,
      {
        olds: kindOf(olds),
        news: kindOf(news),
      },
    );
  }
  if (olds.length !== news.length) {
    throw new SwapArgumentError(
      `olds and news must pair up, but olds has ${olds.length} objects and news ${news.length}`,
      { oldsLength: olds.length, newsLength: news.length },
    );
  }
  const n = olds.length;
  for (let i = 0; i < n; i++) {
    checkObject(olds[i], "olds", i);
    checkObject(news[i], "news", i);
  }
  // Building the set from an array is the cheapest identity check measured
  // (~2× an add loop); the first duplicate is located only when there is one.
  const batch = new Set<object>(olds.concat(news));
  if (batch.size !== 2 * n) {
    const seen = new Set<object>();
    for (let i = 0; i < n; i++) {
      if (seen.has(olds[i]!)) throw duplicateError(olds, news, "olds", i);
      seen.add(olds[i]!);
      if (seen.has(news[i]!)) throw duplicateError(olds, news, "news", i);
      seen.add(news[i]!);
    }
  }
  try {
    refuseArrayMismatch(olds, news);
  } catch (error) {
    // Array.isArray throws only on a revoked Proxy: found here, off the hot path.
    if (error instanceof UnswappableObjectError) throw error;
    for (let i = 0; i < n; i++) {
      checkObject(olds[i], "olds", i, true);
      checkObject(news[i], "news", i, true);
    }
    throw error;
  }
  return batch;
}

function refuseArrayMismatch(olds: readonly object[], news: readonly object[]): void {
  for (let i = 0; i < olds.length; i++) {
    const oldIsArray = Array.isArray(olds[i]);
    if (oldIsArray !== Array.isArray(news[i])) {
      throw new UnswappableObjectError(
        `olds[${i}] and news[${i}] cannot be exchanged: ${oldIsArray ? "olds" : "news"}[${i}] is an array and the other is not (an array's elements and length live outside its properties)`,
        { index: i, rule: "array-mismatch" },
      );
    }
  }
}

function checkObject(value: unknown, list: string, index: number, revoked = false): void {
  if (typeof value === "function") {
    throw new UnswappableObjectError(
      `${list}[${index}] is a function; a function's code cannot be exchanged`,
      { role: `${list}[${index}]`, index, rule: "function" },
    );
  }
  if (typeof value !== "object" || value === null || (revoked && isRevokedProxy(value))) {
    throw new SwapArgumentError(`${list}[${index}] is not an object (${kindOf(value)})`, {
      list,
      index,
      type: kindOf(value),
    });
  }
}

/** Names both positions of the first object that appears twice (found again only on this error path). */
function duplicateError(
  olds: readonly object[],
  news: readonly object[],
  list: "olds" | "news",
  index: number,
): SwapArgumentError {
  const obj = (list === "olds" ? olds : news)[index]!;
  let first = "";
  for (let j = 0; j <= index && first === ""; j++) {
    if (olds[j] === obj && !(list === "olds" && j === index)) first = `olds[${j}]`;
    else if (news[j] === obj && !(list === "news" && j === index)) first = `news[${j}]`;
  }
  return new SwapArgumentError(
    `${list}[${index}] is the same object as ${first}; each object may appear only once across olds and news`,
    { list, index, duplicateOf: first },
  );
}
