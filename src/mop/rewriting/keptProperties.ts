/**
 * Which of an object's own properties a rewrite keeps where they are (step 1
 * of applyState.ts): V8 deletes only the last property without leaving fast
 * mode, and `Reflect.ownKeys` hides where symbol keys sit among the strings.
 */
import { platformSymbols } from "../platformClasses.js";
import type { AccessorPair, StateTable } from "./stateTable.js";
import { ACCESSOR, CONFIGURABLE } from "./stateTable.js";

/**
 * Whether redefining property `c` of `current` as property `t` of `target`
 * can keep the hidden class: same kind and attributes (data), or the very
 * same accessor functions (a different getter is a different hidden class).
 */
function sameShape(current: StateTable, c: number, target: StateTable, t: number): boolean {
  const attributes = current.attributes[c]!;
  if (attributes !== target.attributes[t]) return false;
  if ((attributes & ACCESSOR) === 0) return true;
  const a = current.values[c] as AccessorPair;
  const b = target.values[t] as AccessorPair;
  return a.get === b.get && a.set === b.set;
}

/**
 * The named properties a rewrite keeps in place: the `prefix` first (their
 * place and attributes unchanged). Where that would delete a property that
 * cannot be deleted (a non-configurable symbol key defined by a constructor,
 * as yaml's Schema and nodes have), strings and symbols are kept `apart`:
 * the leading strings, and the `symbols` leading symbols (from index
 * `symbolsAt` of the current row) — `Reflect.ownKeys` lists strings before
 * symbols whatever the insertion order, so the strings after the prefix can
 * be deleted and defined again around the symbols without changing what it
 * shows. In a rollback those strings are the fields its migration added,
 * after the symbols, and the object stays fast; in a migration forward
 * they may come before a symbol in V8's order, and deleting them drops the
 * object into dictionary mode (measured, Node 20): a cost on such rare
 * objects, against refusing an update the program needs (yaml 2.2 -> 2.6,
 * review advZ27). A non-configurable string after the prefix must still
 * move, and is refused. The symbols a platform superclass's constructor puts
 * on (`builtBySuperclass`) are known to come first: kept apart in any
 * rewrite that keeps them all, and then the object stays fast.
 */
export interface Kept {
  readonly prefix: number;
  readonly apart: boolean;
  readonly symbolsAt: number;
  readonly symbols: number;
}

export const NOTHING_KEPT: Kept = { prefix: 0, apart: false, symbolsAt: 0, symbols: 0 };

/** Whether index `j` of the current row, whose named keys start at `named`, is kept. */
export function isKept(kept: Kept, j: number, named: number): boolean {
  return (
    (j >= named && j < named + kept.prefix) ||
    (kept.apart && j >= kept.symbolsAt && j < kept.symbolsAt + kept.symbols)
  );
}

/** Step 1 (see Kept). */
export function keptProperties(
  current: StateTable,
  c: number,
  target: StateTable,
  t: number,
): Kept {
  const curNamed = current.starts[c]! + current.elementCounts[c]!;
  const curEnd = current.starts[c + 1]!;
  const named = target.starts[t]! + target.elementCounts[t]!;
  const end = target.starts[t + 1]!;
  const prefix = commonPrefix(current, curNamed, curEnd, target, named, end);
  let fixedInRest = false;
  for (let j = curNamed + prefix; j < curEnd && !fixedInRest; j++)
    fixedInRest = (current.attributes[j]! & CONFIGURABLE) === 0;
  const curSymbols = symbolStart(current, curNamed, curEnd);
  const targetSymbols = symbolStart(target, named, end);
  const symbols = commonPrefix(current, curSymbols, curEnd, target, targetSymbols, end);
  const apart =
    (fixedInRest && curNamed + prefix <= curSymbols) ||
    (curNamed + prefix < curEnd &&
      curSymbols < curEnd &&
      symbols === curEnd - curSymbols &&
      builtBySuperclass(current, curSymbols, curEnd, current.prototypes[c]!));
  if (!apart) return { ...NOTHING_KEPT, prefix };
  return {
    prefix: commonPrefix(current, curNamed, curSymbols, target, named, targetSymbols),
    apart: true,
    symbolsAt: curSymbols,
    symbols,
  };
}

/**
 * Whether every symbol key in `[from, end)` is one a platform superclass's
 * constructor puts on its objects (EventEmitter's `kCapture` and
 * `kShapeMode`): those come before the subclass's own fields in V8's order,
 * though `Reflect.ownKeys` lists them after, so a rewrite that keeps them
 * deletes only the trailing fields and the object stays fast. Deleting them
 * as if they were last put every instance of an EventEmitter subclass in
 * dictionary mode (review advW2).
 */
function builtBySuperclass(
  current: StateTable,
  from: number,
  end: number,
  prototype: object | null,
): boolean {
  const platform = platformSymbolsOf(prototype);
  for (let j = from; j < end; j++) if (!platform.has(current.keys[j] as symbol)) return false;
  return true;
}

const platformSymbolsByPrototype = new WeakMap<object, ReadonlySet<symbol>>();

function platformSymbolsOf(prototype: object | null): ReadonlySet<symbol> {
  if (prototype === null) return new Set();
  let symbols = platformSymbolsByPrototype.get(prototype);
  if (symbols === undefined) {
    symbols = platformSymbols(prototype);
    platformSymbolsByPrototype.set(prototype, symbols);
  }
  return symbols;
}

/** How many keys from `from` of `current` and `to` of `target` are the same, with the same attributes. */
function commonPrefix(
  current: StateTable,
  from: number,
  fromEnd: number,
  target: StateTable,
  to: number,
  toEnd: number,
): number {
  let n = 0;
  while (
    from + n < fromEnd &&
    to + n < toEnd &&
    current.keys[from + n] === target.keys[to + n] &&
    sameShape(current, from + n, target, to + n)
  ) {
    n++;
  }
  return n;
}

/** The index of the first symbol key in `[from, end)` of `table` (end if none). */
export function symbolStart(table: StateTable, from: number, end: number): number {
  let j = from;
  while (j < end && typeof table.keys[j] !== "symbol") j++;
  return j;
}
